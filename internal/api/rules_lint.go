package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/filter"
)

// Lint severities, most serious first.
const (
	lintError   = "error"
	lintWarning = "warning"
	lintInfo    = "info"
)

// Lint codes: one per kind of risk the rules linter knows.
const (
	lintPublicWrite     = "public_write"
	lintUnindexed       = "unindexed_filter"
	lintBodyNoIsset     = "body_without_isset"
	lintNeverMatches    = "never_matches"
	lintSuperuserTarget = "superuser_only_relation"
	lintInvalid         = "invalid_rule"
)

// defaultLargeTable is the row count from which a list rule on an
// unindexed field is flagged: below it a full scan costs little.
const defaultLargeTable = 10000

// lintFinding is one risky rule with the reason, as
// GET /api/_basalt/rules/lint lists it.
type lintFinding struct {
	Collection string `json:"collection"`
	Rule       string `json:"rule"`
	Severity   string `json:"severity"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	// Expr is the part of the rule the finding is about, in canonical
	// form ("" when it is about the whole rule).
	Expr string `json:"expr"`
}

// namedRule is one of a collection's API rules with its JSON key.
type namedRule struct {
	key  string
	rule *string
}

// collectionRules lists c's rules in the order the dashboard shows them.
func collectionRules(c *core.Collection) []namedRule {
	out := []namedRule{
		{"listRule", c.ListRule}, {"viewRule", c.ViewRule}, {"createRule", c.CreateRule},
		{"updateRule", c.UpdateRule}, {"deleteRule", c.DeleteRule},
	}
	if c.IsAuth() && c.Auth != nil {
		out = append(out, namedRule{"manageRule", c.Auth.ManageRule})
	}
	return out
}

// ruleLinter inspects every rule of every collection through its parsed
// AST (never the rule's text). Row counts and parsed indexes come from the
// store and are looked up once per collection.
type ruleLinter struct {
	ctx        context.Context
	store      core.Store
	find       func(nameOrId string) *core.Collection
	largeTable int
	large      map[string]bool
}

// lint returns the findings for cols, in collection then rule order.
func (l *ruleLinter) lint(cols []*core.Collection) []lintFinding {
	out := []lintFinding{}
	for _, c := range cols {
		for _, r := range collectionRules(c) {
			out = append(out, l.lintRule(c, r)...)
		}
	}
	return out
}

func (l *ruleLinter) lintRule(c *core.Collection, r namedRule) []lintFinding {
	if r.rule == nil {
		return nil // superuser-only: nothing a client can abuse
	}
	add := func(out []lintFinding, sev, code, expr, msg string, args ...any) []lintFinding {
		return append(out, lintFinding{Collection: c.Name, Rule: r.key, Severity: sev, Code: code,
			Message: fmt.Sprintf(msg, args...), Expr: expr})
	}
	var out []lintFinding
	if strings.TrimSpace(*r.rule) == "" {
		switch {
		case r.key == "createRule" && c.IsAuth():
			// Public sign-up is the usual reason for an auth collection.
		case r.key == "createRule":
			out = add(out, lintWarning, lintPublicWrite, "", "Anyone, including guests, can create %s records.", c.Name)
		case r.key == "updateRule" || r.key == "deleteRule":
			verb := map[string]string{"updateRule": "update", "deleteRule": "delete"}[r.key]
			out = add(out, lintError, lintPublicWrite, "", "Anyone, including guests, can %s any %s record.", verb, c.Name)
		}
		return out
	}
	expr, err := core.ParseRule(*r.rule)
	if err != nil {
		return add(out, lintError, lintInvalid, "", "The rule does not parse: %v.", err)
	}
	if why, ok := l.alwaysFalse(c, expr); ok {
		out = add(out, lintWarning, lintNeverMatches, why,
			"The rule can never match (%s): only superusers pass, as with a locked rule, but clients get empty answers instead of an error.", why)
	}
	for _, id := range unguardedBody(expr) {
		out = add(out, lintWarning, lintBodyNoIsset, id.Raw,
			"%s is used without @request.body.%s:isset: a request that omits %q compares an absent value, so the rule may pass or fail other than intended.",
			id.Raw, id.Path[0], id.Path[0])
	}
	if r.key == "listRule" {
		for _, u := range l.unindexed(c, expr) {
			out = add(out, lintWarning, lintUnindexed, u.ident,
				"%s filters on %s.%s, which no index leads with, and %s has at least %d records: every list request scans the table.",
				r.key, u.table, u.field, u.table, l.largeTable)
		}
	}
	for _, h := range l.hiddenTargets(c, expr) {
		out = add(out, lintInfo, lintSuperuserTarget, h.ident,
			"%s reads %s through %q, but %s's %s is superuser-only: the rule reveals facts about records clients cannot see, and clients cannot filter on the same path.",
			r.key, h.target, h.ident, h.target, h.which)
	}
	return out
}

// --- rules that can never match -------------------------------------------

// constant returns the value of a literal operand: float64, string, bool
// or nil (null), and whether o is a literal at all. A bare word such as
// "true" that names a field of c is the field, not the literal.
func constant(c *core.Collection, o filter.Operand) (any, bool) {
	switch o := o.(type) {
	case *filter.Number:
		return o.Value, true
	case *filter.Text:
		return o.Value, true
	case *filter.Identifier:
		if o.Kind == filter.KindLiteral && c.Fields.GetByName(o.Raw) == nil {
			return o.Literal()
		}
	}
	return nil, false
}

// compareConstants evaluates a comparison of two literals of the same
// type; known is false when the outcome depends on SQL's type rules.
func compareConstants(a any, op filter.Op, b any) (result, known bool) {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			return false, false
		}
		switch op {
		case filter.OpEq:
			return x == y, true
		case filter.OpNeq:
			return x != y, true
		case filter.OpGt:
			return x > y, true
		case filter.OpGte:
			return x >= y, true
		case filter.OpLt:
			return x < y, true
		case filter.OpLte:
			return x <= y, true
		}
	case string:
		y, ok := b.(string)
		if !ok {
			return false, false
		}
		switch op {
		case filter.OpEq:
			return x == y, true
		case filter.OpNeq:
			return x != y, true
		}
	case bool:
		y, ok := b.(bool)
		if !ok {
			return false, false
		}
		switch op {
		case filter.OpEq:
			return x == y, true
		case filter.OpNeq:
			return x != y, true
		}
	}
	return false, false
}

// singleValued reports whether id names one value per record and request,
// so "id = a && id = b" with a != b cannot hold. Multi-valued fields are
// left out: "=" there compares every item and an empty list has none.
func singleValued(c *core.Collection, id *filter.Identifier) bool {
	if id.Modifier != filter.ModNone {
		return false
	}
	switch id.Kind {
	case filter.KindField:
		if len(id.Path) != 1 {
			return false
		}
		f := c.Fields.GetByName(id.Path[0])
		if f == nil {
			return false
		}
		switch f.(type) {
		case *core.JSONField, *core.GeoPointField:
			return false
		}
		if mv, ok := f.(core.MultiValuer); ok && mv.IsMultiple() {
			return false
		}
		return true
	case filter.KindRequestAuth:
		return len(id.Path) == 1 && (id.Path[0] == core.FieldId || id.Path[0] == "collectionName" || id.Path[0] == "collectionId")
	case filter.KindRequestMethod, filter.KindRequestContext:
		return true
	}
	return false
}

// alwaysFalse reports whether e can never hold, with the sub-expression
// that proves it: a false comparison of two literals, an AND with such a
// child or with one identifier held to two different values, an OR whose
// every alternative is always false.
func (l *ruleLinter) alwaysFalse(c *core.Collection, e filter.Expr) (string, bool) {
	switch e := e.(type) {
	case *filter.Comparison:
		a, okA := constant(c, e.Left)
		b, okB := constant(c, e.Right)
		if okA && okB {
			if res, known := compareConstants(a, e.Op, b); known && !res {
				return e.String(), true
			}
		}
	case *filter.Logical:
		if e.Op == filter.JoinOr {
			for _, x := range e.Exprs {
				if _, ok := l.alwaysFalse(c, x); !ok {
					return "", false
				}
			}
			return e.String(), true
		}
		for _, x := range e.Exprs {
			if why, ok := l.alwaysFalse(c, x); ok {
				return why, true
			}
		}
		return contradiction(c, e.Exprs)
	}
	return "", false
}

// contradiction finds two comparisons among the AND-ed exprs that hold
// one single-valued identifier to incompatible literals: "= a" and "= b"
// with a != b, or "= a" and "!= a".
func contradiction(c *core.Collection, exprs []filter.Expr) (string, bool) {
	type pinned struct {
		value any
		cmp   *filter.Comparison
	}
	eq := map[string]pinned{}
	var neq []pinned
	var neqKey []string
	for _, x := range exprs {
		cmp, ok := x.(*filter.Comparison)
		if !ok || (cmp.Op != filter.OpEq && cmp.Op != filter.OpNeq) {
			continue
		}
		id, idOk := cmp.Left.(*filter.Identifier)
		val, valOk := constant(c, cmp.Right)
		if !idOk || !valOk {
			id, idOk = cmp.Right.(*filter.Identifier)
			val, valOk = constant(c, cmp.Left)
		}
		if !idOk || !valOk || !singleValued(c, id) {
			continue
		}
		key := id.Raw
		if cmp.Op == filter.OpNeq {
			neq, neqKey = append(neq, pinned{val, cmp}), append(neqKey, key)
			continue
		}
		if prev, ok := eq[key]; ok {
			if differ, known := compareConstants(prev.value, filter.OpNeq, val); known && differ {
				return prev.cmp.String() + " && " + cmp.String(), true
			}
			continue
		}
		eq[key] = pinned{val, cmp}
	}
	for i, n := range neq {
		if p, ok := eq[neqKey[i]]; ok {
			if same, known := compareConstants(p.value, filter.OpEq, n.value); known && same {
				return p.cmp.String() + " && " + n.cmp.String(), true
			}
		}
	}
	return "", false
}

// --- @request.body without :isset ------------------------------------------

// unguardedBody returns the @request.body.x identifiers (other than
// x:isset and x:changed, which test presence themselves) that no
// x:isset check accompanies: a guard is an isset on the same key in a
// sibling branch of any enclosing AND or OR ("x:isset = true && x = 1",
// "x:isset = false || x = 1").
func unguardedBody(e filter.Expr) []*filter.Identifier {
	var out []*filter.Identifier
	seen := map[string]bool{}
	var visit func(e filter.Expr, guarded map[string]bool)
	visit = func(e filter.Expr, guarded map[string]bool) {
		switch e := e.(type) {
		case *filter.Logical:
			for i, x := range e.Exprs {
				g := guarded
				for j, y := range e.Exprs {
					if j == i {
						continue
					}
					for key := range issetKeys(y) {
						if !g[key] {
							g = copyWith(g, key)
						}
					}
				}
				visit(x, g)
			}
		case *filter.Comparison:
			for _, id := range filter.Identifiers(e) {
				if id.Kind != filter.KindRequestBody || id.Modifier == filter.ModIsset || id.Modifier == filter.ModChanged {
					continue
				}
				if !guarded[id.Path[0]] && !seen[id.Raw] {
					seen[id.Raw] = true
					out = append(out, id)
				}
			}
		}
	}
	visit(e, map[string]bool{})
	return out
}

// issetKeys returns the body keys e tests with :isset.
func issetKeys(e filter.Expr) map[string]bool {
	keys := map[string]bool{}
	for _, id := range filter.Identifiers(e) {
		if id.Kind == filter.KindRequestBody && id.Modifier == filter.ModIsset {
			keys[id.Path[0]] = true
		}
	}
	return keys
}

func copyWith(m map[string]bool, key string) map[string]bool {
	out := make(map[string]bool, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	out[key] = true
	return out
}

// --- unindexed filters on large tables -------------------------------------

type unindexedUse struct {
	ident, table, field string
}

// unindexed lists the fields a list rule compares that no index of their
// table leads with, on tables of at least largeTable rows: the rule is
// part of every list query's WHERE, so such a field means a full scan.
// Only the first segment of a path is the scanned table's column (a
// relation's target is then read by its primary key).
func (l *ruleLinter) unindexed(c *core.Collection, e filter.Expr) []unindexedUse {
	var out []unindexedUse
	seen := map[string]bool{}
	for _, id := range filter.Identifiers(e) {
		var table *core.Collection
		switch id.Kind {
		case filter.KindField:
			table = c
		case filter.KindCollection:
			table = l.find(id.Collection)
		default:
			continue
		}
		if table == nil || table.IsView() || len(id.Path) == 0 {
			continue
		}
		field := id.Path[0]
		if field == core.FieldId || table.Fields.GetByName(field) == nil || seen[table.Name+"."+field] {
			continue
		}
		seen[table.Name+"."+field] = true
		if l.indexed(table, field) || !l.isLarge(table) {
			continue
		}
		out = append(out, unindexedUse{ident: id.Raw, table: table.Name, field: field})
	}
	return out
}

// indexed reports an index of c whose first column is field.
func (l *ruleLinter) indexed(c *core.Collection, field string) bool {
	for _, idx := range c.Indexes {
		p, err := l.store.ValidateIndex(l.ctx, c.Name, idx)
		if err == nil && len(p.Columns) > 0 && strings.EqualFold(p.Columns[0].Name, field) {
			return true
		}
	}
	return false
}

// isLarge reports whether c has at least largeTable records. It reads one
// row at that offset rather than counting, so its cost is bounded by the
// threshold, not the table.
func (l *ruleLinter) isLarge(c *core.Collection) bool {
	if v, ok := l.large[c.Id]; ok {
		return v
	}
	res, err := l.store.Query(l.ctx, &core.RecordQuery{Collection: c, PerPage: 1, Offset: l.largeTable - 1, Superuser: true})
	v := err == nil && len(res.Records) > 0
	l.large[c.Id] = v
	return v
}

// --- relations into superuser-only collections -----------------------------

type hiddenTarget struct {
	ident, target, which string
}

// hiddenTargets lists the relation paths (forward, back-relation
// "x_via_y", @collection.x) of e that read a collection whose list or
// view rule is null.
func (l *ruleLinter) hiddenTargets(c *core.Collection, e filter.Expr) []hiddenTarget {
	var out []hiddenTarget
	seen := map[string]bool{}
	note := func(id *filter.Identifier, t *core.Collection) {
		var which []string
		if t.ListRule == nil {
			which = append(which, "listRule")
		}
		if t.ViewRule == nil {
			which = append(which, "viewRule")
		}
		if len(which) == 0 || seen[id.Raw+"|"+t.Name] {
			return
		}
		seen[id.Raw+"|"+t.Name] = true
		out = append(out, hiddenTarget{ident: id.Raw, target: t.Name, which: strings.Join(which, " and ")})
	}
	for _, id := range filter.Identifiers(e) {
		coll, path := c, id.Path
		switch id.Kind {
		case filter.KindField:
		case filter.KindCollection:
			t := l.find(id.Collection)
			if t == nil || t.Id == c.Id {
				continue
			}
			note(id, t)
			coll = t
		default:
			continue
		}
		for i := 0; i+1 < len(path) && coll != nil; i++ {
			seg := path[i]
			var next *core.Collection
			if rf, ok := coll.Fields.GetByName(seg).(*core.RelationField); ok {
				next = l.find(rf.CollectionId)
			} else if name, _, ok := strings.Cut(seg, "_via_"); ok {
				next = l.find(name)
			}
			if next == nil {
				break
			}
			if next.Id != c.Id {
				note(id, next)
			}
			coll = next
		}
	}
	return out
}
