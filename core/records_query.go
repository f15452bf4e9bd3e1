package core

import (
	"context"
	"strings"

	"github.com/basalthq/basalt/core/filter"
)

// RecordFilter is a filter expression in the API's ?filter= syntax
// ("status = {:status} && created > {:since}") whose {:name}
// placeholders take Params' values as literal values: a value never
// becomes filter syntax, whatever characters it holds.
type RecordFilter struct {
	Filter string
	Params map[string]any
}

// Filter returns a RecordFilter of expr with params bound.
func Filter(expr string, params map[string]any) RecordFilter {
	return RecordFilter{Filter: expr, Params: params}
}

// RecordQueryBuilder is a typed query over one collection's records
// (App.RecordQuery): filters are AND-ed, then sorted and paged. It runs
// as a superuser would (no API rule applies; check one with
// CanAccessRecord). Each method returns a new builder: a base query can
// be reused.
type RecordQueryBuilder struct {
	app        *App
	collection string
	filters    []RecordFilter
	sort       string
	limit      int
	offset     int
}

// RecordQuery starts a query over the records of collection (name or id).
func (app *App) RecordQuery(collection string) RecordQueryBuilder {
	return RecordQueryBuilder{app: app, collection: collection}
}

// Filter ANDs a filter expression with bound params into the query.
func (q RecordQueryBuilder) Filter(expr string, params map[string]any) RecordQueryBuilder {
	q.filters = append(q.filters[:len(q.filters):len(q.filters)], RecordFilter{Filter: expr, Params: params})
	return q
}

// Sort sets the order in the API's ?sort= syntax ("-created,title").
func (q RecordQueryBuilder) Sort(sort string) RecordQueryBuilder {
	q.sort = sort
	return q
}

// Limit caps the number of records (0: no limit).
func (q RecordQueryBuilder) Limit(n int) RecordQueryBuilder {
	q.limit = max(n, 0)
	return q
}

// Offset skips the first n matching records.
func (q RecordQueryBuilder) Offset(n int) RecordQueryBuilder {
	q.offset = max(n, 0)
	return q
}

// build resolves the collection and parses filters and sort.
func (q RecordQueryBuilder) build() (*RecordQuery, error) {
	c, err := q.app.FindCollectionByNameOrId(q.collection)
	if err != nil {
		return nil, err
	}
	rq := &RecordQuery{Collection: c, Superuser: true}
	rq.Filters, err = filterClauses(q.filters)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(q.sort) != "" {
		if rq.Sort, err = filter.ParseSort(q.sort); err != nil {
			return nil, NewBadRequestError("invalid sort: "+err.Error(), nil)
		}
	}
	switch {
	case q.limit > 0:
		rq.PerPage, rq.Offset = q.limit, q.offset
	case q.offset > 0:
		// No LIMIT but an OFFSET: SQLite wants a LIMIT, -1 is none.
		rq.PerPage, rq.Offset = int(^uint(0)>>1), q.offset
	}
	return rq, nil
}

// filterClauses parses fs, binding each one's params.
func filterClauses(fs []RecordFilter) ([]FilterClause, error) {
	var out []FilterClause
	for _, f := range fs {
		if strings.TrimSpace(f.Filter) == "" {
			continue
		}
		expr, err := filter.ParseParams(f.Filter, filterParams(f.Params))
		if err != nil {
			return nil, NewBadRequestError("invalid filter: "+err.Error(), nil)
		}
		out = append(out, FilterClause{Expr: expr})
	}
	return out, nil
}

// All returns the matching records.
func (q RecordQueryBuilder) All(ctx context.Context) ([]*Record, error) {
	rq, err := q.build()
	if err != nil {
		return nil, err
	}
	res, err := q.app.store.Query(ctx, rq)
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// One returns the first matching record, or a not-found *Error.
func (q RecordQueryBuilder) One(ctx context.Context) (*Record, error) {
	recs, err := q.Limit(1).All(ctx)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, NewNotFoundError("")
	}
	return recs[0], nil
}

// Count returns the number of matching records (Limit and Offset apply
// to All only).
func (q RecordQueryBuilder) Count(ctx context.Context) (int64, error) {
	rq, err := q.build()
	if err != nil {
		return 0, err
	}
	// A count alone: the store reads no rows when the page asked for
	// starts past the total.
	rq.Count, rq.Sort, rq.Offset, rq.PerPage, rq.Page = true, nil, 0, 1, 1<<30
	res, err := q.app.store.Query(ctx, rq)
	if err != nil {
		return 0, err
	}
	return int64(res.Total), nil
}

// FindAllRecords returns every record of collection (name or id)
// matching all of filters.
func (app *App) FindAllRecords(ctx context.Context, collection string, filters ...RecordFilter) ([]*Record, error) {
	q := app.RecordQuery(collection)
	q.filters = filters
	return q.All(ctx)
}

// CountRecords returns how many records of collection match all of
// filters.
func (app *App) CountRecords(ctx context.Context, collection string, filters ...RecordFilter) (int64, error) {
	q := app.RecordQuery(collection)
	q.filters = filters
	return q.Count(ctx)
}

// FindFirstRecordByData returns the first record of collection (name or
// id) whose field equals value, or a not-found *Error.
func (app *App) FindFirstRecordByData(ctx context.Context, collection, field string, value any) (*Record, error) {
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	return app.FindFirstRecordByField(ctx, c, field, value)
}

// CanAccessRecord reports whether the request may access record under
// rule (one of its collection's API rules): a superuser always may, a nil
// rule admits only superusers, an empty one everybody; otherwise the rule
// is evaluated, with @request.* from requestInfo, against the stored
// record with record's id (as the API evaluates list and view rules).
func (app *App) CanAccessRecord(ctx context.Context, record *Record, requestInfo *RequestInfo, rule *string) (bool, error) {
	if requestInfo.IsSuperuser() {
		return true, nil
	}
	if rule == nil {
		return false, nil
	}
	if strings.TrimSpace(*rule) == "" {
		return true, nil
	}
	expr, err := ParseRule(*rule)
	if err != nil {
		return false, err
	}
	if requestInfo == nil {
		requestInfo = &RequestInfo{Method: "GET", Context: ContextDefault}
	}
	res, err := app.store.Query(ctx, &RecordQuery{
		Collection: record.Collection(),
		Ids:        []string{record.Id()},
		Filters:    []FilterClause{{Expr: expr}},
		Request:    requestInfo,
		Count:      true,
		PerPage:    1,
		Page:       2, // count only: no row is read
	})
	if err != nil {
		return false, err
	}
	return res.Total > 0, nil
}
