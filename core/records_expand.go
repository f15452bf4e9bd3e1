package core

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/basalthq/basalt/core/filter"
)

// maxExpandDepth is how many relation levels one expand path may follow
// (spec §2.4); maxBackRelationExpand caps a back-relation expand.
const (
	maxExpandDepth        = 6
	maxBackRelationExpand = 1000
)

// ExpandRecord is ExpandRecords for one record.
func (app *App) ExpandRecord(ctx context.Context, record *Record, expands []string, requestInfo *RequestInfo) map[string]error {
	return app.ExpandRecords(ctx, []*Record{record}, expands, requestInfo)
}

// ExpandRecords loads the relations named by expands ("author",
// "author.team", "comments_via_post") into each record's Expand, with one
// query per path level, not per record. records must belong to one
// collection. With a nil or superuser requestInfo every related record is
// loaded; otherwise only those the request may view (their collection's
// viewRule). It returns the paths that failed, by path; a path whose
// related records are merely absent or hidden is no failure.
func (app *App) ExpandRecords(ctx context.Context, records []*Record, expands []string, requestInfo *RequestInfo) map[string]error {
	failed := map[string]error{}
	if len(records) == 0 {
		return failed
	}
	x := expander{app: app, ri: requestInfo, su: requestInfo == nil || requestInfo.IsSuperuser()}
	if requestInfo != nil {
		ri := *requestInfo
		ri.Context = ContextExpand
		x.ri = &ri
	}
	for _, path := range expands {
		path = strings.Trim(strings.ReplaceAll(path, " ", ""), ".")
		if path == "" {
			continue
		}
		segs := strings.Split(path, ".")
		if err := x.path(ctx, records, segs[:min(len(segs), maxExpandDepth)]); err != nil {
			failed[path] = err
		}
	}
	for _, r := range records {
		r.EnsureExpand()
	}
	return failed
}

type expander struct {
	app *App
	ri  *RequestInfo
	su  bool
}

// query runs q with the expander's request and the target's view rule.
func (x expander) query(ctx context.Context, q *RecordQuery) ([]*Record, error) {
	q.Superuser = x.su
	if !x.su {
		if q.Collection.ViewRule == nil {
			return nil, nil // superusers only: nothing to show
		}
		q.Request = x.ri
		if strings.TrimSpace(*q.Collection.ViewRule) != "" {
			expr, err := ParseRule(*q.Collection.ViewRule)
			if err != nil {
				return nil, err
			}
			q.Filters = append(q.Filters, FilterClause{Expr: expr})
		}
	}
	res, err := x.app.store.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

func (x expander) path(ctx context.Context, recs []*Record, segs []string) error {
	if len(recs) == 0 || len(segs) == 0 {
		return nil
	}
	if strings.Contains(segs[0], "_via_") {
		return x.backRelation(ctx, recs, segs)
	}
	f := recs[0].Collection().Fields.GetByName(segs[0])
	rel, ok := f.(interface{ RelationCollectionId() string })
	if !ok {
		return fmt.Errorf("%q is not a relation field", segs[0])
	}
	target, err := x.app.FindCollectionByNameOrId(rel.RelationCollectionId())
	if err != nil {
		return err
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.GetStringSlice(segs[0])...)
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := x.query(ctx, &RecordQuery{Collection: target, Ids: ids})
	if err != nil {
		return err
	}
	if err := x.path(ctx, found, segs[1:]); err != nil {
		return err
	}
	byId := make(map[string]*Record, len(found))
	for _, r := range found {
		byId[r.Id()] = r
	}
	multiple := false
	if mv, ok := f.(MultiValuer); ok {
		multiple = mv.IsMultiple()
	}
	for _, r := range recs {
		if multiple {
			var list []*Record
			for _, id := range r.GetStringSlice(segs[0]) {
				if t, ok := byId[id]; ok {
					list = append(list, t)
				}
			}
			if len(list) > 0 {
				r.ExpandRelation(segs[0], list)
			}
		} else if t, ok := byId[r.GetString(segs[0])]; ok {
			r.ExpandRelation(segs[0], t)
		}
		r.EnsureExpand()
	}
	return nil
}

// backRelation expands "<collection>_via_<relationField>": the records of
// that collection whose relation points at each parent.
func (x expander) backRelation(ctx context.Context, recs []*Record, segs []string) error {
	parts := strings.SplitN(segs[0], "_via_", 2)
	target, err := x.app.FindCollectionByNameOrId(parts[0])
	if err != nil {
		return err
	}
	f := target.Fields.GetByName(parts[1])
	rel, ok := f.(interface{ RelationCollectionId() string })
	if !ok || rel.RelationCollectionId() != recs[0].Collection().Id {
		return errors.New("no relation " + parts[1] + " of " + parts[0] + " to " + recs[0].Collection().Name)
	}
	multiple := false
	if mv, ok := f.(MultiValuer); ok {
		multiple = mv.IsMultiple()
	}
	op := filter.OpEq
	ident := &filter.Identifier{Raw: parts[1], Kind: filter.KindField, Path: []string{parts[1]}}
	if multiple {
		op = filter.OpAnyEq
		ident = &filter.Identifier{Raw: parts[1] + ":each", Kind: filter.KindField, Path: []string{parts[1]}, Modifier: filter.ModEach}
	}
	alts := make([]filter.Expr, 0, len(recs))
	for _, r := range recs {
		alts = append(alts, &filter.Comparison{Left: ident, Op: op, Right: &filter.Text{Value: r.Id()}})
	}
	var match filter.Expr = alts[0]
	if len(alts) > 1 {
		match = &filter.Logical{Op: filter.JoinOr, Exprs: alts}
	}
	found, err := x.query(ctx, &RecordQuery{Collection: target, Filters: []FilterClause{{Expr: match}},
		PerPage: maxBackRelationExpand, Page: 1})
	if err != nil {
		return err
	}
	if err := x.path(ctx, found, segs[1:]); err != nil {
		return err
	}
	single := x.uniqueIndex(ctx, target, parts[1])
	byParent := map[string][]*Record{}
	for _, r2 := range found {
		for _, id := range r2.GetStringSlice(parts[1]) {
			byParent[id] = append(byParent[id], r2)
		}
	}
	for _, r := range recs {
		if list := byParent[r.Id()]; len(list) > 0 {
			if single {
				r.ExpandRelation(segs[0], list[0])
			} else {
				r.ExpandRelation(segs[0], list)
			}
		}
		r.EnsureExpand()
	}
	return nil
}

// uniqueIndex reports a single-column UNIQUE index on field (a
// back-relation through it expands to one record, not a list).
func (x expander) uniqueIndex(ctx context.Context, c *Collection, field string) bool {
	for _, idx := range c.Indexes {
		p, err := x.app.store.ValidateIndex(ctx, c.Name, idx)
		if err == nil && p.Unique && len(p.Columns) == 1 && p.Columns[0].Name == field {
			return true
		}
	}
	return false
}
