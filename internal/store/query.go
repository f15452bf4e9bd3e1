package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"

	"github.com/basalthq/basalt/core"
)

// sqlParts is the SQL a RecordQuery translates to (see filtersql.go):
// joins and conditions over the main table aliased as its own name.
type sqlParts struct {
	// joins are complete "LEFT JOIN ... ON ..." clauses, in order.
	joins []string
	// where are conditions AND-ed together.
	where []string
	// orderBy are ORDER BY terms ("expr ASC").
	orderBy []string
	// params bind the {:name} placeholders used above.
	params dbx.Params
	// distinct is set when a join may multiply rows.
	distinct bool
}

// Query runs q: filter, sort, paging and optional count.
func (s *Store) Query(ctx context.Context, q *core.RecordQuery) (*core.RecordQueryResult, error) {
	return s.queryOn(ctx, s.db, q)
}

// queryOn runs q against db (data.db for records, auxiliary.db for logs),
// through the record cache when q only names records by id (see
// recordCache).
func (s *Store) queryOn(ctx context.Context, db *DB, q *core.RecordQuery) (*core.RecordQueryResult, error) {
	if recs, ok, err := s.cachedByIds(ctx, db, q); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return &core.RecordQueryResult{Total: -1, Records: recs}, nil
	}
	return s.queryDB(ctx, db, q)
}

// queryDB is queryOn without the record cache.
func (s *Store) queryDB(ctx context.Context, db *DB, q *core.RecordQuery) (*core.RecordQueryResult, error) {
	c := q.Collection
	if len(q.Ids) == 1 && idsOnly(q) {
		// One record by id with nothing to check (a public or superuser
		// view): the statement text is built once per collection version.
		recs, err := s.findById(ctx, db, c, q.Ids[0])
		if err != nil {
			return nil, err
		}
		return &core.RecordQueryResult{Total: -1, Records: recs}, nil
	}
	var parts *sqlParts
	if len(q.Filters) == 0 && len(q.Sort) == 0 {
		// Nothing to translate (views by id, superuser lists): skip the
		// translator and its allocations.
		parts = &sqlParts{params: dbx.Params{}}
	} else {
		var err error
		if parts, err = s.translate(q); err != nil {
			return nil, err
		}
	}
	alias := s.q(c.Name)
	from := alias
	prefix := ""
	if q.Candidate != nil {
		// The candidate row is the main row, aliased as the collection;
		// the table itself stays visible to every join (see candidateTable).
		cte, cteFrom, cteParams := s.candidateCTE(q.Candidate)
		prefix = cte + " "
		from = cteFrom
		for k, v := range cteParams {
			parts.params[k] = v
		}
	}
	if len(q.Ids) > 0 {
		parts.where = append(parts.where, alias+"."+s.q("id")+" IN ("+bindIds(parts.params, "__id", q.Ids)+")")
	} else if q.Ids != nil {
		return &core.RecordQueryResult{Total: 0}, nil
	}

	var body strings.Builder
	body.WriteString(" FROM ")
	body.WriteString(from)
	for _, j := range parts.joins {
		body.WriteByte(' ')
		body.WriteString(j)
	}
	if len(parts.where) > 0 {
		body.WriteString(" WHERE ")
		for i, w := range parts.where {
			if i > 0 {
				body.WriteString(" AND ")
			}
			body.WriteString("(" + w + ")")
		}
	}

	res := &core.RecordQueryResult{Total: -1}
	// A rule checked against one candidate only counts.
	countOnly := q.Candidate != nil
	query := db.queryRows
	if (len(q.Ids) > 0 && len(q.Ids) <= pointReadMax) || countOnly {
		// One record by id, or a candidate: the point pool, whose cache is
		// not a file mapping torn down after every commit.
		query = db.queryPoint
	}

	if q.Count || countOnly {
		countExpr := "COUNT(*)"
		if parts.distinct {
			countExpr = "COUNT(DISTINCT " + alias + "." + s.q("id") + ")"
		}
		var total int
		rows, err := query(ctx, prefix+"SELECT "+countExpr+body.String(), parts.params)
		if err != nil {
			return nil, err
		}
		if rows.Next() {
			err = rows.Scan(&total)
		}
		rows.Close()
		if err != nil {
			return nil, err
		}
		res.Total = total
		if countOnly || q.PerPage > 0 && total <= queryOffset(q) {
			return res, nil
		}
	}

	sel := "SELECT "
	orderBy := parts.orderBy
	grouped := parts.distinct && !c.IsView() && s.d.Caps().DistinctByGroup
	if parts.distinct && !grouped {
		sel += "DISTINCT "
	}
	sel += s.selectColumns(c, c.Name)
	stmt := prefix + sel + body.String()
	if grouped {
		// One row per main record (its other columns depend on its id);
		// a term over joined rows sorts by their least (greatest when
		// descending) value, one of the values SQLite's DISTINCT would
		// have kept.
		stmt += " GROUP BY " + alias + "." + s.q("id")
		orderBy = s.aggregateOrder(orderBy)
	}
	if len(orderBy) > 0 {
		stmt += " ORDER BY " + strings.Join(orderBy, ", ")
	}
	if q.PerPage > 0 {
		stmt += fmt.Sprintf(" LIMIT %d OFFSET %d", q.PerPage, queryOffset(q))
	}
	rows, err := query(ctx, stmt, parts.params)
	if err != nil {
		return nil, err
	}
	recs, err := scanRecords(c, rows)
	if err != nil {
		return nil, err
	}
	res.Records = recs
	return res, nil
}

// aggregateOrder sorts a grouped query by the least (ascending) or
// greatest (descending) non-NULL value of each term over the group's
// joined rows (NULL when there is none); random stays as is.
func (s *Store) aggregateOrder(terms []string) []string {
	out := make([]string, len(terms))
	for i, term := range terms {
		if term == s.d.Random() {
			out[i] = term
			continue
		}
		expr, dir := term, ""
		for _, suffix := range []string{" ASC NULLS FIRST", " DESC NULLS LAST", " ASC", " DESC"} {
			if strings.HasSuffix(term, suffix) {
				expr, dir = strings.TrimSuffix(term, suffix), suffix
				break
			}
		}
		out[i] = s.d.GroupOrder(expr, strings.HasPrefix(dir, " DESC"), dir)
	}
	return out
}

// pointReadMax is the most ids a query may name to count as a point read.
const pointReadMax = 16

// candidateTable names the one-row CTE holding a rule's candidate record
// (a would-be record for create and manage rules, a deleted record's
// snapshot for realtime). The hyphen keeps it out of reach of every rule:
// collection names and filter identifiers are \w only, so no
// @collection, relation, back-relation or @request.auth join can name it,
// and all of them read the real tables (issue #22: a CTE named like the
// collection hid the table from the whole statement, so "only existing
// members may add members" compared the newcomer with itself).
const candidateTable = "__basalt-candidate"

// candidateCTE renders the one-row CTE (named candidateTable) holding the
// would-be record, so the rule's own field names read the submitted values
// (spec §4.3), and the FROM item reading it under the collection's name.
// Their text and parameter names are built once per collection version:
// every create under a rule comes here.
func (s *Store) candidateCTE(r *core.Record) (cte, from string, params dbx.Params) {
	c := r.Collection()
	v := cachedSQL(s, &s.cteCache, 1024, c, func() candidateSQL {
		v := candidateSQL{keys: make([]string, len(c.Fields))}
		cols := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			v.keys[i] = "__c" + strconv.Itoa(i)
			cols[i] = s.d.Param("{:"+v.keys[i]+"}", columnType(f)) + " AS " + s.q(f.GetName())
		}
		v.sql = "WITH " + s.q(candidateTable) + " AS (SELECT " + strings.Join(cols, ", ") + ")"
		v.from = s.q(candidateTable) + " " + s.q(c.Name)
		return v
	})
	params = make(dbx.Params, len(c.Fields))
	for i, f := range c.Fields {
		params[v.keys[i]] = f.ToDB(r.Get(f.GetName()))
	}
	return v.sql, v.from, params
}

// candidateSQL is a collection's candidate CTE, the FROM item reading it
// as the main row, and its parameter names, in field order.
type candidateSQL struct {
	sql  string
	from string
	keys []string
}

// queryOffset is the number of rows q skips: its Offset when set, else
// the rows of the pages before q.Page.
func queryOffset(q *core.RecordQuery) int {
	if q.Offset > 0 {
		return q.Offset
	}
	return (max(q.Page, 1) - 1) * q.PerPage
}
