package store

// Identifier resolution and joins for the filter translator (spec §3.3,
// §3.6): field paths through relations, back-relations and JSON keys,
// @collection joins and the joined part of @request.auth / @request.body.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/filter"
	"github.com/basalthq/basalt/internal/store/dialect"
)

// maxRelationHops bounds relation traversal (spec §3.3).
const maxRelationHops = 6

// valKind classifies an operand for the NULL/empty rules of spec §3.5.
type valKind uint8

const (
	valExpr  valKind = iota // a column or computed expression
	valNull                 // known NULL
	valEmpty                // known ''
	valLit                  // a known non-empty value, bound lazily
)

// operand is a resolved side of a comparison.
type operand struct {
	// sql is the expression; for valLit it is filled on first use so a
	// LIKE can bind a wrapped pattern instead.
	sql  string
	kind valKind
	// typ is the SQL type of the value, for engines that compare only
	// values of one type (see dialect.Coerce); column marks a bare column
	// reference (SQLite's affinity, see dialect.Value). Both sit beside
	// kind, in its padding: the struct stays 64 bytes (one size class).
	typ    dialect.ValueType
	column bool
	lit    any
	// json marks JSON columns, JSON paths and geoDistance, compared with
	// IS / IS NOT without coalescing.
	json bool
	// multi marks a multi-valued operand (spec §3.6).
	multi bool
	// guard is an extra condition AND-ed to the comparison (e-mail
	// visibility, spec §3.3).
	guard string
}

// errUnknownField is wrapped by every "unknown field" error so
// @request.auth paths can turn it into NULL.
var errUnknownField = errors.New("unknown field")

func unknownField(name string) error {
	return fmt.Errorf("%w %q", errUnknownField, name)
}

func nullOperand() *operand { return &operand{sql: "NULL", kind: valNull} }

// litOperand classifies a Go value: nil → NULL, "" → ”, else bound.
func litOperand(v any) *operand {
	switch x := v.(type) {
	case nil:
		return nullOperand()
	case string:
		if x == "" {
			return &operand{sql: "''", kind: valEmpty, typ: dialect.TypeText}
		}
		return &operand{kind: valLit, lit: v, typ: dialect.TypeText}
	case bool:
		// Bound like any literal, as PocketBase does: a TRUE/FALSE
		// keyword after IS/IS NOT is SQL's truth test, so `n != true`
		// (n IS NOT TRUE) would keep only n = 0 instead of every n != 1.
		return &operand{kind: valLit, lit: x, typ: dialect.TypeBool}
	case float64, float32, int, int64, int32, uint, uint64, uint32:
		return &operand{kind: valLit, lit: v, typ: dialect.TypeNumber}
	}
	return &operand{kind: valLit, lit: v}
}

// columnType is the value type of a field's column.
func columnType(f core.Field) dialect.ValueType {
	switch f.ColumnType() {
	case core.ColumnNumber:
		return dialect.TypeNumber
	case core.ColumnBool:
		return dialect.TypeBool
	}
	return dialect.TypeText
}

// sqlOf returns o's SQL, binding a pending literal.
func (t *translator) sqlOf(o *operand) string {
	if o.sql == "" && o.kind == valLit {
		o.sql = t.s.d.Param(t.bind(o.lit), o.typ)
	}
	return o.sql
}

// operand resolves any filter operand.
func (t *translator) operand(sc *scope, o filter.Operand) (*operand, error) {
	switch o := o.(type) {
	case *filter.Number:
		return &operand{kind: valLit, lit: o.Value, typ: dialect.TypeNumber}, nil
	case *filter.Text:
		return litOperand(o.Value), nil
	case *filter.Func:
		return t.function(sc, o)
	case *filter.Identifier:
		return t.identifier(sc, o)
	}
	return nil, fmt.Errorf("unsupported operand %T", o)
}

func (t *translator) identifier(sc *scope, id *filter.Identifier) (*operand, error) {
	switch id.Kind {
	case filter.KindLiteral:
		if sc.coll.Fields.GetByName(id.Raw) != nil {
			return t.fieldPath(sc, sc.coll, sc.base, []string{id.Raw}, id.Modifier, sc.client)
		}
		v, _ := id.Literal()
		return litOperand(v), nil
	case filter.KindMacro:
		v, ok := filter.Macro(id.Raw, t.now)
		if !ok {
			return nil, fmt.Errorf("unknown macro %q", id.Raw)
		}
		return litOperand(v), nil
	case filter.KindField:
		return t.fieldPath(sc, sc.coll, sc.base, id.Path, id.Modifier, sc.client)
	case filter.KindCollection:
		return t.collectionIdent(sc, id)
	case filter.KindRequestAuth, filter.KindRequestBody, filter.KindRequestQuery,
		filter.KindRequestHeaders, filter.KindRequestMethod, filter.KindRequestContext:
		return t.request(sc, id)
	case filter.KindRandom, filter.KindRowID:
		return nil, fmt.Errorf("%s can only be used in sort", id.Raw)
	}
	return nil, fmt.Errorf("failed to resolve field %q", id.Raw)
}

// collectionOf resolves a collection by id or name; the collection being
// translated wins so rules of unsaved collections can point at themselves.
func (t *translator) collectionOf(nameOrId string) *core.Collection {
	if nameOrId == "" {
		return nil
	}
	if (t.main.Id != "" && t.main.Id == nameOrId) || strings.EqualFold(t.main.Name, nameOrId) {
		return t.main
	}
	return t.s.collection(nameOrId)
}

// newAlias returns an alias based on want that no other join uses.
func (t *translator) newAlias(want string) string {
	alias := want
	for i := 2; t.used[alias]; i++ {
		alias = want + "_" + strconv.Itoa(i)
	}
	t.used[alias] = true
	return alias
}

// join adds the joins built by mk under a fresh alias for key, once per
// scope, and returns the alias. multiplies marks joins that may repeat
// main rows (DISTINCT).
func (t *translator) join(sc *scope, key, want string, multiplies bool, mk func(alias string) []string) string {
	if a, ok := sc.aliases[key]; ok {
		return a
	}
	alias := t.newAlias(want)
	sc.aliases[key] = alias
	*sc.joins = append(*sc.joins, mk(alias)...)
	if sc.outer && multiplies {
		t.parts.distinct = true
	}
	return alias
}

// relationJoin joins the records a relation column points to: directly
// for a single relation, through the JSON items for a multiple one.
func (t *translator) relationJoin(sc *scope, key, want string, target *core.Collection, column string, multiple bool) string {
	return t.join(sc, key, want, true, func(alias string) []string {
		if !multiple {
			return []string{"LEFT JOIN " + t.q(target.Name) + " " + t.q(alias) + " ON " + t.col(alias, core.FieldId) + " = " + column}
		}
		je := t.newAlias(alias + "_je")
		return []string{
			"LEFT JOIN " + t.s.d.JSONEach(column) + " " + t.q(je) + " ON 1=1",
			"LEFT JOIN " + t.q(target.Name) + " " + t.q(alias) + " ON " + t.col(alias, core.FieldId) + " = " + t.col(je, "value"),
		}
	})
}

// fieldPath resolves path starting at a row of coll aliased base:
// relation hops, back-relations, a final column (with modifier) or a JSON
// path inside a json/geoPoint field. guarded marks a client filter's path:
// hidden fields are refused and auth e-mails guarded on every record it
// reaches but the caller's own (@request.auth.*).
func (t *translator) fieldPath(sc *scope, coll *core.Collection, base string, path []string, mod filter.Modifier, guarded bool) (*operand, error) {
	multi := false
	hops := 0
	for i := 0; i < len(path); i++ {
		seg := path[i]
		last := i == len(path)-1
		// The caller's own record (@request.auth.*) shows its e-mail, but
		// its hidden fields stay refused: a client filter must not probe
		// the caller's own tokenKey or password hash.
		client := guarded && !t.authAliases[base]
		f := coll.Fields.GetByName(seg)
		if f == nil {
			if !last {
				if bc, rf := t.backRelation(coll, seg); bc != nil {
					if hops++; hops > maxRelationHops {
						return nil, fmt.Errorf("too many relation hops in %q (max %d)", strings.Join(path, "."), maxRelationHops)
					}
					if guarded && rf.GetHidden() {
						return nil, fmt.Errorf("hidden field %q of collection %q cannot be used", rf.GetName(), bc.Name)
					}
					// The list rule guards the join itself (listGuard): a
					// back-related record the caller cannot list is not
					// joined, so "only hidden rows" reads as "no rows".
					var guardErr error
					from := base
					alias := t.join(sc, guardedKey(sc, base+"."+seg), base+"_"+seg, true, func(alias string) []string {
						on := t.backRelationOn(alias, rf, from)
						g, err := t.listGuard(sc, bc, alias)
						if err != nil {
							guardErr = err
							return nil
						}
						return []string{"LEFT JOIN " + t.q(bc.Name) + " " + t.q(alias) + " ON " + on + guardSQL(g)}
					})
					if guardErr != nil {
						return nil, guardErr
					}
					if !hasUniqueIndex(bc, rf.GetName()) {
						multi = true
					}
					coll, base = bc, alias
					continue
				}
			}
			return nil, unknownField(strings.Join(path[:i+1], "."))
		}
		if guarded && f.GetHidden() {
			return nil, fmt.Errorf("hidden field %q cannot be used", strings.Join(path[:i+1], "."))
		}
		column := t.col(base, seg)
		if last {
			return t.column(sc, coll, base, f, column, mod, multi, client)
		}
		switch f := f.(type) {
		case *core.RelationField:
			target := t.collectionOf(f.CollectionId)
			if target == nil {
				return nil, fmt.Errorf("relation field %q points to a missing collection", seg)
			}
			// rel.id on a single relation is the column itself: no join.
			if !f.IsMultiple() && i+2 == len(path) && path[i+1] == core.FieldId && (mod == filter.ModNone || mod == filter.ModLower || mod == filter.ModIsset) {
				return t.applyColumnModifier(&operand{sql: column, multi: multi, typ: dialect.TypeText, column: true}, mod), nil
			}
			if hops++; hops > maxRelationHops {
				return nil, fmt.Errorf("too many relation hops in %q (max %d)", strings.Join(path, "."), maxRelationHops)
			}
			key := base + "." + seg
			if f.IsMultiple() {
				key = guardedKey(sc, key)
			}
			alias := t.relationJoin(sc, key, base+"_"+seg, target, column, f.IsMultiple())
			if f.IsMultiple() {
				multi = true
			}
			if err := t.enforceListRule(sc, target, alias); err != nil {
				return nil, err
			}
			coll, base = target, alias
		case *core.JSONField, *core.GeoPointField:
			if mod == filter.ModEach || mod == filter.ModLength || mod == filter.ModChanged {
				return nil, fmt.Errorf("modifier :%s is not supported on JSON paths", mod)
			}
			o := &operand{sql: t.s.d.JSONExtract(column, jsonPath(path[i+1:])), json: true, multi: multi, typ: dialect.TypeJSON}
			return t.applyColumnModifier(o, mod), nil
		default:
			return nil, fmt.Errorf("%w %q (%q is not a relation, json or geoPoint field)", errUnknownField, strings.Join(path, "."), seg)
		}
	}
	return nil, errors.New("empty field path")
}

// column resolves the last segment of a field path.
func (t *translator) column(sc *scope, coll *core.Collection, base string, f core.Field, column string, mod filter.Modifier, multi, client bool) (*operand, error) {
	o := &operand{sql: column, multi: multi, typ: columnType(f), column: true}
	switch f.ColumnType() {
	case core.ColumnJSON, core.ColumnGeoPoint:
		o.json = true
	}
	if _, ok := f.(*core.JSONField); ok {
		// A whole json field is compared by its JSON value, as in
		// PocketBase: the stored `"x"` equals 'x', `5` equals 5.
		o.sql = t.s.d.JSONExtract(column, "$")
		o.typ = dialect.TypeJSON // the extracted value, as for a path
	}
	switch mod {
	case filter.ModEach:
		// Like PocketBase: a select, file or relation field is iterated
		// (all-match only when it can hold several values or the path is
		// already multi-valued); on any other field :each has no effect,
		// so `multi.title:each !~ "x%"` is `multi.title !~ "x%"`.
		mv, ok := f.(core.MultiValuer)
		if !ok {
			mod = filter.ModNone
			break
		}
		alias := t.join(sc, "each:"+base+"."+f.GetName(), base+"_"+f.GetName()+"_je", true, func(alias string) []string {
			return []string{"LEFT JOIN " + t.s.d.JSONEach(column) + " " + t.q(alias) + " ON 1=1"}
		})
		return &operand{sql: t.col(alias, "value"), multi: multi || mv.IsMultiple(), typ: dialect.TypeText}, nil
	case filter.ModLength:
		// Like PocketBase (and :each above): on a field that holds no
		// list :length has no effect and the column is compared as is.
		if _, ok := f.(core.MultiValuer); !ok {
			mod = filter.ModNone
			break
		}
		return &operand{sql: t.s.d.JSONArrayLength(column), multi: multi, typ: dialect.TypeNumber}, nil
	case filter.ModChanged:
		return nil, errors.New("modifier :changed can only be used on @request.body fields")
	}
	if client && coll.IsAuth() && f.GetName() == core.FieldEmail {
		o.guard = t.col(base, core.FieldEmailVisibility) + " = TRUE"
	}
	return t.applyColumnModifier(o, mod), nil
}

// applyColumnModifier applies :lower (:isset has no effect on columns).
func (t *translator) applyColumnModifier(o *operand, mod filter.Modifier) *operand {
	if mod == filter.ModLower {
		o.sql = t.s.d.Lower(t.s.d.AsText(t.sqlOf(o), o.typ))
		o.json = false
		o.typ = dialect.TypeText
		o.column = false
	}
	return o
}

// jsonPath turns key segments into "$.a.b[0].c".
func jsonPath(segs []string) string {
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range segs {
		if _, err := strconv.Atoi(s); err == nil {
			b.WriteByte('[')
			b.WriteString(s)
			b.WriteByte(']')
			continue
		}
		b.WriteByte('.')
		b.WriteString(s)
	}
	return b.String()
}

// backRelation resolves "<collection>_via_<relField>": a relation field of
// another collection pointing at coll. Names may contain "_via_", so
// every split is tried.
func (t *translator) backRelation(coll *core.Collection, seg string) (*core.Collection, core.Field) {
	for i := strings.Index(seg, "_via_"); i > 0; {
		name, field := seg[:i], seg[i+len("_via_"):]
		if bc := t.collectionOf(name); bc != nil {
			if rf, ok := bc.Fields.GetByName(field).(*core.RelationField); ok && refersTo(rf, coll) {
				return bc, rf
			}
		}
		next := strings.Index(seg[i+1:], "_via_")
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return nil, nil
}

func refersTo(rf *core.RelationField, c *core.Collection) bool {
	return rf.CollectionId != "" && (rf.CollectionId == c.Id || strings.EqualFold(rf.CollectionId, c.Name))
}

// backRelationOn is the ON clause joining back-relation rows (alias) whose
// relation field rf contains the id of base.
func (t *translator) backRelationOn(alias string, rf core.Field, base string) string {
	id := t.col(base, core.FieldId)
	column := t.col(alias, rf.GetName())
	if mv, ok := rf.(core.MultiValuer); ok && mv.IsMultiple() {
		je := t.newAlias(alias + "_je")
		return "EXISTS (SELECT 1 FROM " + t.s.d.JSONEach(column) + " " + t.q(je) + " WHERE " + t.col(je, "value") + " = " + id + ")"
	}
	return column + " = " + id
}

// guardedKey keeps a client's guarded join apart from a rule's unguarded
// one over the same multi-valued path (a list rule and a filter share the
// main query's joins): sharing would let the filter read rows the rule's
// join holds, pin a rule's condition on a hidden field to one row
// ("members.pin ?= 1" with "members.id ?= me"), or narrow the rule to the
// rows the caller can list. A single relation has one row either way and
// keeps its one join.
func guardedKey(sc *scope, key string) string {
	if sc.client {
		return "client:" + key
	}
	return key
}

// hasUniqueIndex reports a single-column UNIQUE index on column, which
// makes a back-relation single-valued (spec §2.4, §3.6).
func hasUniqueIndex(c *core.Collection, column string) bool {
	for _, idx := range c.Indexes {
		if !strings.Contains(strings.ToUpper(idx), "UNIQUE") {
			continue
		}
		open, end := strings.IndexByte(idx, '('), strings.IndexByte(idx, ')')
		if open < 0 || end < open {
			continue
		}
		cols := idx[open+1 : end]
		if strings.Contains(cols, ",") {
			continue
		}
		name := strings.Trim(strings.TrimSpace(cols), "`\"[]")
		if f := strings.Fields(name); len(f) > 0 && strings.EqualFold(strings.Trim(f[0], "`\"[]"), column) {
			return true
		}
	}
	return false
}

// collectionIdent resolves @collection.<name>[:alias].<path>: an
// unrelated collection joined without condition, always multi-valued.
func (t *translator) collectionIdent(sc *scope, id *filter.Identifier) (*operand, error) {
	c := t.collectionOf(id.Collection)
	if c == nil {
		return nil, fmt.Errorf("unknown collection %q", id.Collection)
	}
	want := "__collection_" + c.Name
	key := "@collection." + c.Name
	if id.Alias != "" {
		want += "_" + id.Alias
		key += ":" + id.Alias
	}
	var guardErr error
	alias := t.join(sc, guardedKey(sc, key), want, true, func(alias string) []string {
		on := "1=1"
		g, err := t.listGuard(sc, c, alias)
		if err != nil {
			guardErr = err
			return nil
		}
		if g != "" {
			on = g
		}
		return []string{"LEFT JOIN " + t.q(c.Name) + " " + t.q(alias) + " ON " + on}
	})
	if guardErr != nil {
		return nil, guardErr
	}
	o, err := t.fieldPath(sc, c, alias, id.Path, id.Modifier, sc.client)
	if err != nil {
		return nil, err
	}
	o.multi = true
	return o, nil
}
