package api

import (
	"context"
	"strings"

	"github.com/basalthq/basalt/core/filter"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

type relationField interface {
	RelationCollectionId() string
}

// expandRecords applies ?expand= (spec §2.4): relation paths, nested with
// dots up to 6 levels, each related record filtered by its collection's
// viewRule for non-superusers. One query per path level, not per record.
func (s *Server) expandRecords(c *echo.Context, recs []*core.Record) {
	param := c.QueryParam("expand")
	if param == "" || len(recs) == 0 {
		return
	}
	// Over maxExpandPaths, queryLimits refused the request already.
	paths, _ := expandPaths(param)
	didAny := false
	for _, segs := range paths {
		if s.expandPath(c, recs, segs) {
			didAny = true
		}
	}
	if didAny {
		for _, r := range recs {
			r.EnsureExpand()
		}
	}
}

func (s *Server) expandPath(c *echo.Context, recs []*core.Record, segs []string) bool {
	if len(recs) == 0 || len(segs) == 0 {
		return true
	}
	col := recs[0].Collection()
	if strings.Contains(segs[0], "_via_") {
		return s.expandBackRelation(c, recs, segs)
	}
	f := col.Fields.GetByName(segs[0])
	rel, ok := f.(relationField)
	if !ok {
		return false
	}
	target, err := s.app.FindCollectionByNameOrId(rel.RelationCollectionId())
	if err != nil {
		return false
	}
	su := isSuperuser(c)
	if !su && target.ViewRule == nil {
		return false
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.GetStringSlice(segs[0])...)
	}
	if len(ids) == 0 {
		return true
	}
	q := &core.RecordQuery{Collection: target, Ids: ids, Request: s.requestInfo(c, nil), Superuser: su}
	q.Request.Context = core.ContextExpand
	if !su {
		rc, err := ruleClauses(target.ViewRule)
		if err != nil {
			return false
		}
		q.Filters = rc
	}
	res, err := s.app.Store().Query(c.Request().Context(), q)
	if err != nil {
		return false
	}
	prepareOutput(c, res.Records...)
	byId := map[string]*core.Record{}
	for _, r := range res.Records {
		byId[r.Id()] = r
	}
	if len(segs) > 1 {
		s.expandPath(c, res.Records, segs[1:])
	}
	multiple := false
	if mv, ok := f.(core.MultiValuer); ok {
		multiple = mv.IsMultiple()
	}
	for _, r := range recs {
		if multiple {
			var list []*core.Record
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
		r.EnsureExpand() // PocketBase's "expand":{} on records without a match
	}
	return true
}

// maxBackRelations caps a back-relation expand (spec §2.4).
const maxBackRelations = 1000

// expandBackRelation expands "<collection>_via_<relationField>": records
// of that collection whose relation points at each parent.
func (s *Server) expandBackRelation(c *echo.Context, recs []*core.Record, segs []string) bool {
	parts := strings.SplitN(segs[0], "_via_", 2)
	if len(parts) != 2 {
		return false
	}
	target, err := s.app.FindCollectionByNameOrId(parts[0])
	if err != nil {
		return false
	}
	f := target.Fields.GetByName(parts[1])
	rel, ok := f.(relationField)
	if !ok || rel.RelationCollectionId() != recs[0].Collection().Id {
		return false
	}
	su := isSuperuser(c)
	if !su && target.ViewRule == nil {
		return false
	}
	multiple := false
	if mv, ok := f.(core.MultiValuer); ok {
		multiple = mv.IsMultiple()
	}
	op := filter.OpEq
	ident := &filter.Identifier{Raw: parts[1], Kind: filter.KindField, Path: []string{parts[1]}}
	if multiple {
		op = filter.OpAnyEq
		ident = &filter.Identifier{Raw: parts[1] + ":each", Kind: filter.KindField, Path: []string{parts[1]}, Modifier: filter.ModEach}
	}
	var alts []filter.Expr
	for _, r := range recs {
		alts = append(alts, &filter.Comparison{Left: ident, Op: op, Right: &filter.Text{Value: r.Id()}})
	}
	var match filter.Expr = alts[0]
	if len(alts) > 1 {
		match = &filter.Logical{Op: filter.JoinOr, Exprs: alts}
	}
	q := &core.RecordQuery{Collection: target, Filters: []core.FilterClause{{Expr: match}}, PerPage: maxBackRelations, Page: 1,
		Request: s.requestInfo(c, nil), Superuser: su}
	q.Request.Context = core.ContextExpand
	if !su {
		rc, err := ruleClauses(target.ViewRule)
		if err != nil {
			return false
		}
		q.Filters = append(q.Filters, rc...)
	}
	res, err := s.app.Store().Query(c.Request().Context(), q)
	if err != nil {
		return false
	}
	prepareOutput(c, res.Records...)
	if len(segs) > 1 {
		s.expandPath(c, res.Records, segs[1:])
	}
	single := s.hasUniqueIndex(target, parts[1])
	byParent := map[string][]*core.Record{}
	for _, r2 := range res.Records {
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
	return true
}

// hasUniqueIndex reports a single-column UNIQUE index on field.
func (s *Server) hasUniqueIndex(c *core.Collection, field string) bool {
	for _, idx := range c.Indexes {
		p, err := s.app.Store().ValidateIndex(context.Background(), c.Name, idx)
		if err == nil && p.Unique && len(p.Columns) == 1 && p.Columns[0].Name == field {
			return true
		}
	}
	return false
}
