package store

// Operators, NULL/empty handling, functions and @request.* values for the
// filter translator (spec §3.2, §3.4, §3.5, §3.7, §3.8).

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/filter"
	"github.com/basalthq/basalt/internal/store/dialect"
)

// compare renders "l op r" for a base (non-any) operator.
func (t *translator) compare(op filter.Op, l, r *operand) string {
	switch op {
	case filter.OpEq, filter.OpNeq:
		return t.equality(op == filter.OpNeq, l, r)
	case filter.OpLike, filter.OpNotLike:
		return t.like(op == filter.OpNotLike, l, r)
	}
	sign := ""
	switch op {
	case filter.OpGt:
		sign = " > "
	case filter.OpGte:
		sign = " >= "
	case filter.OpLt:
		sign = " < "
	case filter.OpLte:
		sign = " <= "
	}
	ls, rs := t.coerce(l, r)
	return ls + sign + rs
}

// coerce renders l and r made comparable by the dialect.
func (t *translator) coerce(l, r *operand) (string, string) {
	return t.s.d.Coerce(dialect.Value{SQL: t.sqlOf(l), Type: l.typ, Column: l.column},
		dialect.Value{SQL: t.sqlOf(r), Type: r.typ, Column: r.column})
}

// asText renders o as text (LIKE, COALESCE with ”).
func (t *translator) asText(o *operand) string { return t.s.d.AsText(t.sqlOf(o), o.typ) }

func (o *operand) knownEmpty() bool { return o.kind == valNull || o.kind == valEmpty }

// equality applies the NULL/” normalisation of spec §3.5: NULL and ”
// are equal except for JSON values.
func (t *translator) equality(neq bool, l, r *operand) string {
	d := t.s.d
	switch {
	case l.json || r.json:
		ls, rs := t.coerce(l, r)
		if neq {
			return d.NullSafeNotEqual(ls, rs)
		}
		return d.NullSafeEqual(ls, rs)
	case l.knownEmpty() && r.knownEmpty():
		if neq {
			return d.NullSafeNotEqual("''", "''")
		}
		return "'' = ''"
	case l.kind == valLit || r.kind == valLit:
		ls, rs := t.coerce(l, r)
		if neq {
			return d.NullSafeNotEqual(ls, rs)
		}
		return ls + " = " + rs
	case r.knownEmpty():
		return t.emptyCheck(neq, t.asText(l))
	case l.knownEmpty():
		return t.emptyCheck(neq, t.asText(r))
	}
	ls := "COALESCE(" + t.asText(l) + ", '')"
	rs := "COALESCE(" + t.asText(r) + ", '')"
	if neq {
		return d.NullSafeNotEqual(ls, rs)
	}
	return ls + " = " + rs
}

func (t *translator) emptyCheck(neq bool, a string) string {
	if neq {
		return "(" + t.s.d.NullSafeNotEqual(a, "''") + " AND " + t.s.d.NullSafeNotEqual(a, "NULL") + ")"
	}
	return "(" + a + " = '' OR " + a + " IS NULL)"
}

// like renders ~ / !~. A literal right side is bound as %value% with
// \ % _ escaped, unless it already holds an unescaped % (then it is a
// user pattern, spec §3.2); any other right side is wrapped in SQL.
func (t *translator) like(not bool, l, r *operand) string {
	var pattern string
	switch {
	case r.kind == valLit && r.sql == "":
		pattern = t.bind(likePattern(literalText(r.lit)))
	case r.kind == valEmpty:
		pattern = t.bind("%")
	case r.kind == valNull:
		pattern = "NULL"
	default:
		pattern = "('%' || " + t.asText(r) + " || '%')"
	}
	return t.s.d.Like(t.asText(l), pattern, not)
}

func literalText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		// SQLite stores bools as 1/0, so a LIKE on a bool literal looks
		// for those (PocketBase binds the literal as 1/0 too).
		if x {
			return "1"
		}
		return "0"
	}
	return fmt.Sprint(v)
}

// likePattern wraps v in % unless it contains an unescaped %.
func likePattern(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' {
			i++
			continue
		}
		if v[i] == '%' {
			return v
		}
	}
	var b strings.Builder
	b.Grow(len(v) + 4)
	b.WriteByte('%')
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\', '%', '_':
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('%')
	return b.String()
}

// function resolves geoDistance and strftime (spec §3.7); the parser has
// already checked names, arity and argument kinds.
func (t *translator) function(sc *scope, f *filter.Func) (*operand, error) {
	args := make([]string, len(f.Args))
	types := make([]dialect.ValueType, len(f.Args))
	multi := false
	// An argument's e-mail guard holds for the function's result too.
	var guards []string
	for i, a := range f.Args {
		o, err := t.operand(sc, a)
		if err != nil {
			return nil, fmt.Errorf("argument %d of %s: %w", i+1, f.Name, err)
		}
		args[i] = t.sqlOf(o)
		types[i] = o.typ
		multi = multi || o.multi
		if o.guard != "" {
			guards = append(guards, o.guard)
		}
	}
	guard := strings.Join(guards, " AND ")
	switch f.Name {
	case "geoDistance":
		if len(args) != 4 {
			return nil, fmt.Errorf("geoDistance expects 4 arguments, got %d", len(args))
		}
		// Not all-match constrained: it behaves like an any-match over
		// multiple relations (spec §3.7).
		for i := range args {
			args[i] = t.s.d.AsNumber(args[i], types[i])
		}
		return &operand{sql: t.s.d.GeoDistance(args[0], args[1], args[2], args[3]), json: true, guard: guard, typ: dialect.TypeNumber}, nil
	case "strftime":
		if len(args) == 0 {
			return nil, fmt.Errorf("strftime expects a format")
		}
		return &operand{sql: "COALESCE(" + t.s.d.Strftime(args[0], args[1:]...) + ", '')", multi: multi, guard: guard, typ: dialect.TypeText}, nil
	}
	return nil, fmt.Errorf("unknown function %q", f.Name)
}

// authLiterals are the @request.auth fields read from the token's record
// instead of joined (spec §3.3).
var authLiterals = map[string]bool{
	core.FieldId: true, "collectionId": true, "collectionName": true,
	core.FieldEmail: true, core.FieldEmailVisibility: true, core.FieldVerified: true,
}

// request resolves @request.* identifiers: literals from the request,
// except auth fields and body relations that need a join.
func (t *translator) request(sc *scope, id *filter.Identifier) (*operand, error) {
	if id.Modifier == filter.ModIsset {
		return litOperand(t.requestIsset(id)), nil
	}
	req := t.req
	if req == nil {
		req = &core.RequestInfo{}
	}
	var v any
	switch id.Kind {
	case filter.KindRequestMethod:
		v = req.Method
	case filter.KindRequestContext:
		v = req.Context
	case filter.KindRequestQuery, filter.KindRequestHeaders:
		m := req.Query
		if id.Kind == filter.KindRequestHeaders {
			m = req.Headers
		}
		if s, ok := m[id.Path[0]]; ok && len(id.Path) == 1 {
			v = s
		}
	case filter.KindRequestAuth:
		return t.requestAuth(sc, id)
	case filter.KindRequestBody:
		return t.requestBody(sc, id)
	}
	return t.literalModifier(v, id.Modifier)
}

// literalModifier applies a modifier to a known request value.
func (t *translator) literalModifier(v any, mod filter.Modifier) (*operand, error) {
	switch mod {
	case filter.ModLower:
		if s, ok := v.(string); ok {
			v = strings.ToLower(s)
		}
	case filter.ModLength:
		return litOperand(float64(countItems(v))), nil
	case filter.ModEach:
		return nil, fmt.Errorf("modifier :each can only be used on multiple fields and @request.body")
	case filter.ModChanged:
		return nil, fmt.Errorf("modifier :changed can only be used on @request.body fields")
	}
	return litOperand(scalar(v)), nil
}

// scalar JSON-encodes non-scalar request values (spec §3.8).
func scalar(v any) any {
	switch x := v.(type) {
	case nil, string, bool, float64, float32, int, int64, int32, uint, uint64, uint32:
		return x
	case json.RawMessage:
		return string(x)
	case core.JSONRaw:
		return string(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// countItems is what :length sees for a request value: a list's length,
// 1 for a single non-empty value, 0 for empty.
func countItems(v any) int {
	switch x := v.(type) {
	case nil:
		return 0
	case string:
		if x == "" {
			return 0
		}
		return 1
	case []string:
		return len(x)
	case []any:
		return len(x)
	}
	return 1
}

// requestIsset reports whether the key of an @request.* identifier
// exists in the request data (spec §3.4).
func (t *translator) requestIsset(id *filter.Identifier) bool {
	req := t.req
	if req == nil {
		return false
	}
	switch id.Kind {
	case filter.KindRequestMethod:
		return req.Method != ""
	case filter.KindRequestContext:
		return req.Context != ""
	case filter.KindRequestQuery:
		_, ok := req.Query[id.Path[0]]
		return ok && len(id.Path) == 1
	case filter.KindRequestHeaders:
		_, ok := req.Headers[id.Path[0]]
		return ok && len(id.Path) == 1
	case filter.KindRequestAuth:
		if req.Auth == nil {
			return false
		}
		if authLiterals[id.Path[0]] {
			return true
		}
		_, ok := req.Auth.Data()[id.Path[0]]
		return ok
	case filter.KindRequestBody:
		_, ok := bodyValue(req.Body, id.Path)
		return ok
	}
	return false
}

// bodyValue walks path through nested objects of the body.
func bodyValue(body map[string]any, path []string) (any, bool) {
	var cur any = body
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// requestAuth resolves @request.auth.*: a few literal fields, the rest
// through a join on the caller's record; guests and unknown paths → NULL.
func (t *translator) requestAuth(sc *scope, id *filter.Identifier) (*operand, error) {
	if t.req == nil || t.req.Auth == nil {
		if id.Modifier == filter.ModLength {
			return litOperand(0.0), nil
		}
		return nullOperand(), nil
	}
	auth := t.req.Auth
	ac := auth.Collection()
	if ac != nil {
		if c := t.collectionOf(ac.Id); c != nil {
			ac = c
		}
	}
	if len(id.Path) == 1 && authLiterals[id.Path[0]] {
		var v any
		switch id.Path[0] {
		case "collectionId":
			if ac != nil {
				v = ac.Id
			}
		case "collectionName":
			if ac != nil {
				v = ac.Name
			}
		case core.FieldEmailVisibility, core.FieldVerified:
			v = auth.GetBool(id.Path[0])
		default:
			v = auth.GetString(id.Path[0])
		}
		return t.literalModifier(v, id.Modifier)
	}
	if ac == nil {
		return nullOperand(), nil
	}
	if ac.Fields.GetByName(id.Path[0]) == nil {
		// A back-relation (@request.auth.posts_via_author.title) is
		// resolved like any other path of the caller's record; anything
		// else unknown is NULL (spec §3.3).
		if bc, _ := t.backRelation(ac, id.Path[0]); bc == nil || len(id.Path) < 2 {
			return nullOperand(), nil
		}
	}
	alias := t.join(sc, "@request.auth", "__auth_"+ac.Name, false, func(alias string) []string {
		if t.authAliases == nil {
			t.authAliases = map[string]bool{}
		}
		t.authAliases[alias] = true
		return []string{"LEFT JOIN " + t.q(ac.Name) + " " + t.q(alias) + " ON " + t.col(alias, core.FieldId) + " = " + t.bind(auth.Id())}
	})
	// The caller's own visible fields are theirs to filter by (its e-mail
	// unguarded); in a client filter its hidden ones (tokenKey, password)
	// are refused like any other, and records reached through them are
	// guarded like any other join. Rules read everything.
	o, err := t.fieldPath(sc, ac, alias, id.Path, id.Modifier, sc.client)
	if err != nil {
		if isUnknownField(err) {
			return nullOperand(), nil
		}
		return nil, err
	}
	return o, nil
}

func isUnknownField(err error) bool {
	for e := err; e != nil; {
		if e == errUnknownField {
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

// requestBody resolves @request.body.*: the submitted value converted as
// its field stores it (numbers from multipart become floats, lists JSON),
// joined records for body relations, and :each/:length/:changed.
func (t *translator) requestBody(sc *scope, id *filter.Identifier) (*operand, error) {
	var body map[string]any
	if t.req != nil {
		body = t.req.Body
	}
	name := id.Path[0]
	f := t.main.Fields.GetByName(name)
	if id.Modifier == filter.ModChanged {
		return t.bodyChanged(sc, id, f, body)
	}
	raw, present := body[name]
	if f == nil || !present {
		v, ok := bodyValue(body, id.Path)
		if !ok {
			v = nil
		}
		if id.Modifier == filter.ModEach {
			return t.bodyEach(sc, name, v, ok)
		}
		return t.literalModifier(v, id.Modifier)
	}
	norm := f.Normalize(raw)
	if len(id.Path) > 1 {
		rf, ok := f.(*core.RelationField)
		if !ok {
			v, ok := bodyValue(body, id.Path)
			if !ok {
				v = nil
			}
			return t.literalModifier(v, id.Modifier)
		}
		return t.bodyRelation(sc, id, rf, norm)
	}
	switch id.Modifier {
	case filter.ModEach:
		return t.bodyEach(sc, name, norm, true)
	case filter.ModLength:
		return litOperand(float64(countItems(norm))), nil
	case filter.ModLower:
		if s, ok := norm.(string); ok {
			return litOperand(strings.ToLower(s)), nil
		}
	}
	o := litOperand(scalar(f.ToDB(norm)))
	switch f.ColumnType() {
	case core.ColumnJSON, core.ColumnGeoPoint:
		o.json = true
	}
	return o, nil
}

// bodyEach lists the items of a submitted list through the dialect's
// JSON iteration over a bound parameter.
func (t *translator) bodyEach(sc *scope, name string, v any, present bool) (*operand, error) {
	if !present || v == nil {
		return &operand{sql: "NULL", kind: valNull, multi: true}, nil
	}
	list := v
	if s, ok := v.(string); ok {
		list = []string{s}
		if s == "" {
			list = []string{}
		}
	}
	b, err := json.Marshal(list)
	if err != nil {
		return nil, fmt.Errorf("@request.body.%s: %w", name, err)
	}
	param := t.bind(string(b))
	alias := t.join(sc, "@request.body.each."+name, "__body_"+name+"_je", true, func(alias string) []string {
		return []string{"LEFT JOIN " + t.s.d.JSONEach(param) + " " + t.q(alias) + " ON 1=1"}
	})
	return &operand{sql: t.col(alias, "value"), multi: true, typ: dialect.TypeText}, nil
}

// bodyRelation joins the records named by a submitted relation value,
// e.g. @request.body.author.name.
func (t *translator) bodyRelation(sc *scope, id *filter.Identifier, rf *core.RelationField, v any) (*operand, error) {
	target := t.collectionOf(rf.CollectionId)
	if target == nil {
		return nil, fmt.Errorf("relation field %q points to a missing collection", rf.GetName())
	}
	ids := core.ToStringSlice(v)
	var param string
	if rf.IsMultiple() {
		b, _ := json.Marshal(ids)
		param = t.bind(string(b))
	} else {
		s := ""
		if len(ids) > 0 {
			s = ids[len(ids)-1]
		}
		param = t.bind(s)
	}
	alias := t.relationJoin(sc, "@request.body."+rf.GetName(), "__body_"+rf.GetName(), target, param, rf.IsMultiple())
	o, err := t.fieldPath(sc, target, alias, id.Path[1:], id.Modifier, sc.client)
	if err != nil {
		return nil, err
	}
	if rf.IsMultiple() {
		o.multi = true
	}
	return o, nil
}

// bodyChanged is @request.body.f:isset = true && @request.body.f != f.
func (t *translator) bodyChanged(sc *scope, id *filter.Identifier, f core.Field, body map[string]any) (*operand, error) {
	if f == nil || len(id.Path) != 1 {
		return nil, unknownField(strings.Join(id.Path, "."))
	}
	if sc.client && f.GetHidden() {
		return nil, fmt.Errorf("hidden field %q cannot be used", f.GetName())
	}
	raw, present := body[f.GetName()]
	if !present {
		return litOperand(false), nil
	}
	bv := litOperand(scalar(f.ToDB(f.Normalize(raw))))
	cv := &operand{sql: t.col(sc.base, f.GetName()), typ: columnType(f), column: true}
	switch f.ColumnType() {
	case core.ColumnJSON, core.ColumnGeoPoint:
		bv.json, cv.json = true, true
	}
	// The key is present (isset is TRUE), so only the difference remains.
	return &operand{sql: "(" + t.equality(true, bv, cv) + ")", typ: dialect.TypeBool}, nil
}
