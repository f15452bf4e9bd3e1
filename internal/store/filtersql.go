package store

// Filter → SQL translation (spec §2.3, §3, §4). This file holds the entry
// points, the expression walk and ORDER BY; identifier resolution and joins
// live in filtersql_ident.go, operators, modifiers and functions in
// filtersql_ops.go. Every engine-specific piece of SQL comes from s.d
// (DESIGN §4); values are always bound as {:pN} parameters.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pocketbase/dbx"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/filter"
)

// translator holds the state of one RecordQuery translation.
type translator struct {
	s     *Store
	main  *core.Collection
	req   *core.RequestInfo
	now   time.Time
	parts *sqlParts

	// superuser disables hidden-field refusal, e-mail visibility guards and
	// cross-collection list-rule propagation.
	superuser bool
	// aliases maps a join key to its alias in the main query.
	aliases map[string]string
	// used holds every alias handed out (main query and subqueries), so
	// two different paths never share one.
	used map[string]bool
	// enforced holds the aliases whose collection listRule was already
	// AND-ed in (spec §2.3 step 5).
	enforced map[string]bool
	// authAliases holds the aliases of the caller's own auth record joined
	// for @request.auth.*: a client filter may read its fields unguarded,
	// not those of the records it points to.
	authAliases map[string]bool

	// mainFrom is the quoted source of the main row when it is not its
	// table: the candidate CTE when a rule is checked against a would-be
	// record (see candidateTable). All-match subqueries re-read the main
	// row from it; every join reads the real tables.
	mainFrom string

	nparam int
	nsub   int
	b      strings.Builder
}

// scope is where identifiers resolve: a row of coll reachable as base,
// with joins collected either into the main query or into a subquery.
type scope struct {
	coll *core.Collection
	// base is the unquoted alias of the row of coll.
	base string
	// joins receives "LEFT JOIN ..." clauses; aliases dedupes them.
	joins   *[]string
	aliases map[string]string
	// outer is set when joins land in the main query: they make it
	// DISTINCT and may trigger list-rule propagation.
	outer bool
	// client marks a user-supplied filter or sort by a non-superuser:
	// hidden fields are refused, auth e-mails guarded and list rules of
	// traversed collections enforced (spec §3.3, §2.3), in the main query
	// and in every subquery.
	client bool
	// from is the quoted source of the base row when it is not coll's
	// table (the candidate CTE for the main row of a write rule).
	from string
	// where receives the list-rule conditions of the collections joined in
	// this scope: the main query's WHERE, or a subquery's own.
	where *[]string
}

// translate turns q into SQL parts over the main table (see Store.Query).
// Errors are 400-class: unknown fields, hidden fields, bad modifiers.
func (s *Store) translate(q *core.RecordQuery) (*sqlParts, error) {
	parts, err := s.translateQuery(q)
	if err != nil {
		return nil, core.NewBadRequestError("", nil).WithCause(err)
	}
	return parts, nil
}

// CheckRule validates a rule for c (which may not be saved yet) by
// translating it; the error names the offending identifier. It makes
// Store a core.RuleChecker.
func (s *Store) CheckRule(ctx context.Context, c *core.Collection, expr filter.Expr) error {
	if c == nil || expr == nil {
		return errors.New("missing collection or rule")
	}
	_, err := s.translateQuery(&core.RecordQuery{
		Collection: c,
		Filters:    []core.FilterClause{{Expr: expr}},
	})
	return err
}

var _ core.RuleChecker = (*Store)(nil)

func (s *Store) translateQuery(q *core.RecordQuery) (*sqlParts, error) {
	if q == nil || q.Collection == nil {
		return nil, errors.New("missing collection")
	}
	t := &translator{
		s:         s,
		main:      q.Collection,
		req:       q.Request,
		now:       now().UTC(),
		parts:     &sqlParts{params: dbx.Params{}},
		superuser: q.Superuser || q.Request.IsSuperuser(),
		aliases:   map[string]string{},
		used:      map[string]bool{q.Collection.Name: true},
		enforced:  map[string]bool{},
	}
	if q.Candidate != nil {
		t.mainFrom = s.q(candidateTable)
	}
	for _, f := range q.Filters {
		if f.Expr == nil {
			continue
		}
		sc := t.mainScope(f.Client)
		cond, err := t.expr(sc, f.Expr)
		if err != nil {
			return nil, err
		}
		t.parts.where = append(t.parts.where, cond)
	}
	for _, it := range q.Sort {
		term, err := t.sortTerm(t.mainScope(q.ClientSort), it)
		if err != nil {
			return nil, err
		}
		t.parts.orderBy = append(t.parts.orderBy, term)
	}
	return t.parts, nil
}

func (t *translator) mainScope(client bool) *scope {
	return &scope{
		coll:    t.main,
		base:    t.main.Name,
		joins:   &t.parts.joins,
		aliases: t.aliases,
		outer:   true,
		client:  client && !t.superuser,
		from:    t.mainFrom,
		where:   &t.parts.where,
	}
}

// q quotes an identifier.
func (t *translator) q(name string) string { return t.s.d.QuoteIdent(name) }

// col is the quoted "alias"."column".
func (t *translator) col(alias, column string) string {
	return t.s.d.QuoteIdent(alias) + "." + t.s.d.QuoteIdent(column)
}

// bind adds a parameter and returns its placeholder.
func (t *translator) bind(v any) string {
	if s, ok := v.(string); ok && t.s.d.Caps().TextIsUTF8 {
		v = engineText(s)
	}
	name := "p" + strconv.Itoa(t.nparam)
	t.nparam++
	t.parts.params[name] = v
	return "{:" + name + "}"
}

// engineText is s for an engine that stores only valid UTF-8 without NUL
// bytes: invalid bytes and NULs become U+FFFD. No stored value can hold
// them, so only a stored U+FFFD could match where the original would
// not have, and the query never fails on the value.
func engineText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// expr renders a filter expression. Logical children that are themselves
// groups get parentheses; the tree already encodes precedence.
func (t *translator) expr(sc *scope, e filter.Expr) (string, error) {
	switch e := e.(type) {
	case *filter.Comparison:
		return t.comparison(sc, e)
	case *filter.Logical:
		sep := " AND "
		if e.Op == filter.JoinOr {
			sep = " OR "
		}
		out := make([]string, len(e.Exprs))
		for i, child := range e.Exprs {
			s, err := t.expr(sc, child)
			if err != nil {
				return "", err
			}
			out[i] = s
		}
		return "(" + strings.Join(out, sep) + ")", nil
	}
	return "", fmt.Errorf("unsupported expression %T", e)
}

// comparison renders one "left op right", adding the all-match
// constraint of spec §3.6 when a side is multi-valued and op is plain.
func (t *translator) comparison(sc *scope, c *filter.Comparison) (string, error) {
	l, err := t.operand(sc, c.Left)
	if err != nil {
		return "", fmt.Errorf("invalid left operand %q - %w", c.Left.String(), err)
	}
	r, err := t.operand(sc, c.Right)
	if err != nil {
		return "", fmt.Errorf("invalid right operand %q - %w", c.Right.String(), err)
	}
	op := c.Op.Base()
	cond := t.compare(op, l, r)
	if l.guard != "" || r.guard != "" {
		cond = "(" + cond + guardSQL(l.guard) + guardSQL(r.guard) + ")"
	}
	if c.Op.IsAny() || (!l.multi && !r.multi) {
		return cond, nil
	}

	// All-match: no value of the multi-valued side(s) may fail the
	// condition. Each multi side is re-resolved in a subquery that lists
	// its values for the current row.
	t.b.Reset()
	t.b.WriteString("((")
	t.b.WriteString(cond)
	t.b.WriteString(") AND NOT EXISTS (SELECT 1 FROM ")
	lv, rv := l, r
	n := 0
	for i, side := range [2]*operand{l, r} {
		if !side.multi {
			continue
		}
		src := c.Left
		if i == 1 {
			src = c.Right
		}
		sub, guarded, err := t.multiSubquery(sc, src)
		if err != nil {
			return "", err
		}
		alias := t.q("__sm" + strconv.Itoa(t.nsub))
		t.nsub++
		if n > 0 {
			t.b.WriteString(" LEFT JOIN ")
		}
		t.b.WriteString("(")
		t.b.WriteString(sub)
		t.b.WriteString(") ")
		t.b.WriteString(alias)
		if n > 0 {
			t.b.WriteString(" ON 1=1")
		}
		n++
		v := &operand{sql: alias + "." + t.q("multiMatchValue"), json: side.json, typ: side.typ, column: side.column}
		if guarded {
			v.guard = alias + "." + t.q("multiMatchGuard")
		}
		if i == 0 {
			lv = v
		} else {
			rv = v
		}
	}
	// compare may bind LIKE patterns; render it before reading t.b back.
	// A value whose e-mail guard fails never satisfies the condition, as
	// in the main query: it is a counterexample, whatever its value.
	neg := t.compare(op, lv, rv) + guardSQL(lv.guard) + guardSQL(rv.guard)
	t.b.WriteString(" WHERE NOT (")
	t.b.WriteString(neg)
	t.b.WriteString(")))")
	return t.b.String(), nil
}

func guardSQL(g string) string {
	if g == "" {
		return ""
	}
	return " AND " + g
}

// multiSubquery lists the values of src for the row sc.base, resolved
// afresh (from sc.from, or else sc.coll's table) under a private alias, e.g.
// SELECT "__mm0_cats"."name" AS "multiMatchValue" FROM "posts" "__mm0" ... WHERE "__mm0"."id" = "posts"."id".
//
// For a client filter the subquery is guarded like the main query (issue
// #22): the list rules of the collections it joins are AND-ed into its
// WHERE, so a related record the caller cannot list is neither a witness
// nor a counterexample, and an auth e-mail's visibility comes back as a
// second column, "multiMatchGuard" (guarded reports it), which the caller
// ANDs to the condition. Without this, `multi.title != "x"` answered
// whether a hidden related record's title was "x".
func (t *translator) multiSubquery(sc *scope, src filter.Operand) (sql string, guarded bool, err error) {
	base := t.newAlias("__mm" + strconv.Itoa(t.nsub))
	t.nsub++
	var joins, where []string
	sub := &scope{coll: sc.coll, base: base, joins: &joins, aliases: map[string]string{},
		client: sc.client, from: sc.from, where: &where}
	v, err := t.operand(sub, src)
	if err != nil {
		return "", false, err
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(t.sqlOf(v))
	b.WriteString(" AS ")
	b.WriteString(t.q("multiMatchValue"))
	if v.guard != "" {
		b.WriteString(", (")
		b.WriteString(v.guard)
		b.WriteString(") AS ")
		b.WriteString(t.q("multiMatchGuard"))
	}
	b.WriteString(" FROM ")
	if sc.from != "" {
		b.WriteString(sc.from)
	} else {
		b.WriteString(t.q(sc.coll.Name))
	}
	b.WriteByte(' ')
	b.WriteString(t.q(base))
	for _, j := range joins {
		b.WriteByte(' ')
		b.WriteString(j)
	}
	b.WriteString(" WHERE ")
	b.WriteString(t.col(base, core.FieldId))
	b.WriteString(" = ")
	b.WriteString(t.col(sc.base, core.FieldId))
	for _, w := range where {
		b.WriteString(" AND ")
		b.WriteString(w)
	}
	return b.String(), v.guard != "", nil
}

// sortTerm renders one ORDER BY term (spec §2.1).
func (t *translator) sortTerm(sc *scope, it filter.SortItem) (string, error) {
	id := it.Ident
	if id == nil {
		return "", errors.New("empty sort field")
	}
	dir := " ASC"
	if it.Desc {
		dir = " DESC"
	}
	if t.s.d.Caps().NullsLast {
		// SQLite's order: NULLs before every value.
		if it.Desc {
			dir += " NULLS LAST"
		} else {
			dir += " NULLS FIRST"
		}
	}
	switch id.Kind {
	case filter.KindRandom:
		return t.s.d.Random(), nil
	case filter.KindRowID:
		return t.q(sc.base) + "." + t.s.d.RowId() + dir, nil
	case filter.KindLiteral, filter.KindMacro:
		if id.Kind == filter.KindLiteral && sc.coll.Fields.GetByName(id.Raw) != nil {
			break
		}
		return "", fmt.Errorf("invalid sort field %q - literal values cannot be sorted by", id.Raw)
	}
	if sc.client && (id.Kind.IsRequest() || id.Kind == filter.KindCollection) {
		return "", fmt.Errorf("invalid sort field %q - only superusers can sort by %s identifiers", id.Raw, id.Kind)
	}
	v, err := t.operand(sc, id)
	if err != nil {
		return "", fmt.Errorf("invalid sort field %q - %w", id.Raw, err)
	}
	if v.kind != valExpr {
		return "", fmt.Errorf("invalid sort field %q - it resolves to a literal value", id.Raw)
	}
	if v.guard != "" {
		// A private e-mail sorts as if absent: its order would reveal it
		// (issue #22) as surely as a comparison would.
		return "CASE WHEN " + v.guard + " THEN " + v.sql + " END" + dir, nil
	}
	return v.sql + dir, nil
}

// ruleCache keeps parsed list rules used by cross-collection propagation,
// keyed by their source; rules are few and change rarely.
var ruleCache sync.Map

func parseRuleCached(src string) (filter.Expr, error) {
	if e, ok := ruleCache.Load(src); ok {
		return e.(filter.Expr), nil
	}
	e, err := filter.Parse(src)
	if err != nil {
		return nil, err
	}
	ruleCache.Store(src, e)
	return e, nil
}

// listGuard is the condition under which a row of coll, joined as alias by
// a client filter or sort through a back-relation or @collection, is
// visible to the caller: its listRule ("" when there is nothing to check).
// It goes into the join's ON clause, not the WHERE, so a record the caller
// cannot list is simply not joined: a back-relation whose only rows are
// hidden reads as one with none, and no main row is dropped because of
// rows the caller does not know exist (issue #22). The rule's own joins
// (an @collection or @request.auth join) cannot precede the row they
// qualify, so such a rule is checked in an EXISTS over them.
func (t *translator) listGuard(sc *scope, coll *core.Collection, alias string) (string, error) {
	if !sc.client {
		return "", nil
	}
	if coll.ListRule == nil {
		return "", fmt.Errorf("only superusers can filter or sort by fields of collection %q", coll.Name)
	}
	if strings.TrimSpace(*coll.ListRule) == "" {
		return "", nil
	}
	expr, err := parseRuleCached(*coll.ListRule)
	if err != nil {
		return "", fmt.Errorf("invalid listRule of collection %q: %w", coll.Name, err)
	}
	var joins, where []string
	rs := &scope{coll: coll, base: alias, joins: &joins, aliases: map[string]string{}, where: &where}
	cond, err := t.expr(rs, expr)
	if err != nil {
		return "", fmt.Errorf("invalid listRule of collection %q: %w", coll.Name, err)
	}
	if len(joins) == 0 {
		return cond, nil
	}
	one := t.q(t.newAlias("__one"))
	return "EXISTS (SELECT 1 FROM (SELECT 1) " + one + " " + strings.Join(joins, " ") + " WHERE " + cond + ")", nil
}

// enforceListRule ANDs the listRule of coll, joined as alias, into the
// scope's WHERE (the main query's, or a subquery's) when a client filter
// or sort traverses a forward relation into it (spec §2.3 step 5): rows
// stay when the relation is empty or the related row is listable by the
// caller. The related ids are part of the visible record, so dropping a
// combination depends on nothing hidden; back-relations and @collection
// use listGuard instead.
func (t *translator) enforceListRule(sc *scope, coll *core.Collection, alias string) error {
	if !sc.client || t.enforced[alias] {
		return nil
	}
	t.enforced[alias] = true
	if coll.ListRule == nil {
		return fmt.Errorf("only superusers can filter or sort by fields of collection %q", coll.Name)
	}
	if strings.TrimSpace(*coll.ListRule) == "" {
		return nil
	}
	expr, err := parseRuleCached(*coll.ListRule)
	if err != nil {
		return fmt.Errorf("invalid listRule of collection %q: %w", coll.Name, err)
	}
	rs := &scope{coll: coll, base: alias, joins: sc.joins, aliases: sc.aliases, outer: sc.outer, where: sc.where}
	cond, err := t.expr(rs, expr)
	if err != nil {
		return fmt.Errorf("invalid listRule of collection %q: %w", coll.Name, err)
	}
	id := t.col(alias, core.FieldId)
	*sc.where = append(*sc.where, "("+id+" = '' OR "+id+" IS NULL OR "+cond+")")
	return nil
}
