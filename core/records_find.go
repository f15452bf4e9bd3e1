package core

import (
	"context"
	"errors"

	"github.com/basalthq/basalt/core/filter"
)

// FindRecordById returns the record of the collection (name or id) with id.
func (app *App) FindRecordById(ctx context.Context, collection, id string) (*Record, error) {
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	recs, err := app.store.FindRecords(ctx, c, []string{id})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, NewNotFoundError("")
	}
	return recs[0], nil
}

// FindFirstRecordByField returns the first record whose field equals value.
func (app *App) FindFirstRecordByField(ctx context.Context, c *Collection, field string, value any) (*Record, error) {
	expr := &filter.Comparison{
		Left:  &filter.Identifier{Raw: field, Kind: filter.KindField, Path: []string{field}},
		Op:    filter.OpEq,
		Right: &filter.Text{Value: ToString(value)},
	}
	res, err := app.store.Query(ctx, &RecordQuery{Collection: c, Filters: []FilterClause{{Expr: expr}}, PerPage: 1, Superuser: true})
	if err != nil {
		return nil, err
	}
	if len(res.Records) == 0 {
		return nil, NewNotFoundError("")
	}
	return res.Records[0], nil
}

// FindRecordsByFilter returns records of the collection matching a filter
// whose {:name} placeholders are bound from params as literal values (see
// filter.ParseParams): a value is data whatever characters it holds.
func (app *App) FindRecordsByFilter(ctx context.Context, collection, rawFilter, sort string, limit, offset int, params map[string]any) ([]*Record, error) {
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	q := &RecordQuery{Collection: c, Superuser: true}
	if rawFilter != "" {
		expr, err := filter.ParseParams(rawFilter, filterParams(params))
		if err != nil {
			return nil, err
		}
		q.Filters = []FilterClause{{Expr: expr}}
	}
	if sort != "" {
		items, err := filter.ParseSort(sort)
		if err != nil {
			return nil, err
		}
		q.Sort = items
	}
	if limit > 0 {
		q.PerPage = limit
		q.Page = offset/limit + 1
	}
	res, err := app.store.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// FindFirstRecordByFilter returns the first record matching the filter.
func (app *App) FindFirstRecordByFilter(ctx context.Context, collection, rawFilter string, params map[string]any) (*Record, error) {
	recs, err := app.FindRecordsByFilter(ctx, collection, rawFilter, "", 1, 0, params)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, NewNotFoundError("")
	}
	return recs[0], nil
}

// ErrWriteOutsideTransaction is returned by a write made inside a write
// transaction (RunInTransaction's callback, a hook of a save) with a
// context that does not carry that transaction. Such a write would wait
// for the single writer, which is busy running the very transaction that
// waits for it; it fails instead (after a short wait, see store.waitJob).
var ErrWriteOutsideTransaction = errors.New("core: a write inside a transaction must use the context the transaction handed over (RunInTransaction's callback ctx, the hook event's Context)")

// RunInTransaction runs fn in one write transaction. Every read and
// write inside fn must use the ctx fn receives: it carries the
// transaction. A write with another context (the outer one) fails with
// ErrWriteOutsideTransaction.
func (app *App) RunInTransaction(ctx context.Context, fn func(ctx context.Context) error) error {
	return app.store.RunInTx(ctx, fn)
}

// filterParams converts FindRecordsByFilter's params to the values
// filter.ParseParams binds: nil, bools, strings and numbers stay typed (as
// PocketBase pastes them unquoted or quoted), anything else becomes its
// string form. The values enter the tree as literal nodes: never as filter
// text, so no value can end a quote or add syntax (issue #22, defect 3).
func filterParams(params map[string]any) map[string]any {
	if len(params) == 0 {
		return nil
	}
	out := make(map[string]any, len(params))
	for k, v := range params {
		switch v.(type) {
		case nil, bool, string, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
			out[k] = v
		default:
			out[k] = ToString(v)
		}
	}
	return out
}
