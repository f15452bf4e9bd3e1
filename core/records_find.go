package core

import (
	"context"
	"errors"

	"github.com/basalthq/basalt/internal/filter"
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
// whose {:name} placeholders are bound from params as text literals.
func (app *App) FindRecordsByFilter(ctx context.Context, collection, rawFilter, sort string, limit, offset int, params map[string]any) ([]*Record, error) {
	c, err := app.FindCollectionByNameOrId(collection)
	if err != nil {
		return nil, err
	}
	q := &RecordQuery{Collection: c, Superuser: true}
	if rawFilter != "" {
		expr, err := filter.Parse(bindParams(rawFilter, params))
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

// bindParams replaces {:name} with a quoted text literal of params[name];
// quotes inside values are escaped, so values stay data.
func bindParams(raw string, params map[string]any) string {
	if len(params) == 0 {
		return raw
	}
	out := []byte{}
	for i := 0; i < len(raw); i++ {
		if raw[i] == '{' && i+1 < len(raw) && raw[i+1] == ':' {
			end := i + 2
			for end < len(raw) && raw[end] != '}' {
				end++
			}
			if end < len(raw) {
				name := raw[i+2 : end]
				if v, ok := params[name]; ok {
					s := ToString(v)
					quoted := make([]byte, 0, len(s)+2)
					quoted = append(quoted, '"')
					for j := 0; j < len(s); j++ {
						if s[j] == '"' {
							quoted = append(quoted, '\\')
						}
						quoted = append(quoted, s[j])
					}
					quoted = append(quoted, '"')
					out = append(out, quoted...)
					i = end
					continue
				}
			}
		}
		out = append(out, raw[i])
	}
	return string(out)
}
