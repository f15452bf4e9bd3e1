package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/filter"
)

func (s *Server) registerCollections() {
	g := s.echo.Group("/api/collections", requireSuperuser)
	g.GET("", s.listCollections)
	g.POST("", s.createCollection)
	g.PUT("/import", s.importCollections)
	g.GET("/meta/scaffolds", s.scaffolds)
	g.GET("/:collection", func(c *echo.Context) error {
		col, err := s.app.FindCollectionByNameOrId(c.Param("collection"))
		if err != nil {
			return notFound()
		}
		ev := &core.CollectionRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col}
		return s.app.TriggerCollectionRequest(core.CollectionRequestView, ev, func(e *core.CollectionRequestEvent) error {
			return respond(c, http.StatusOK, e.Collection)
		})
	})
	g.PATCH("/:collection", s.updateCollection)
	g.DELETE("/:collection", func(c *echo.Context) error {
		col, err := s.app.FindCollectionByNameOrId(c.Param("collection"))
		if err != nil {
			return notFound()
		}
		ev := &core.CollectionRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col}
		return s.app.TriggerCollectionRequest(core.CollectionRequestDelete, ev, func(e *core.CollectionRequestEvent) error {
			if err := s.app.DeleteCollection(c.Request().Context(), e.Collection); err != nil {
				return err
			}
			return c.NoContent(http.StatusNoContent)
		})
	})
	g.DELETE("/:collection/truncate", func(c *echo.Context) error {
		col, err := s.app.FindCollectionByNameOrId(c.Param("collection"))
		if err != nil {
			return notFound()
		}
		if err := s.app.TruncateCollection(c.Request().Context(), col); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
}

// readBody reads the whole request body. A non-empty body without a
// Content-Type is refused as PocketBase refuses it (spec §1.0.3: 400
// "Unsupported Content-Type."), rather than guessed to be JSON; a body-less
// request (auth-refresh, a bare POST) needs no Content-Type.
func readBody(c *echo.Context) ([]byte, error) {
	req := c.Request()
	b, err := io.ReadAll(req.Body)
	if errors.Is(err, errBodyTooLarge) {
		return nil, core.NewError(core.CodeTooLarge, "Request entity too large.", nil)
	}
	if err == nil && len(b) > 0 && req.Header.Get("Content-Type") == "" {
		return nil, badRequest("Unsupported Content-Type.", nil)
	}
	return b, err
}

func (s *Server) createCollection(c *echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var head struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return core.ErrInvalidCollectionData
	}
	col := core.NewCollectionOfType(head.Type, head.Name)
	if err := col.ApplyJSON(body); err != nil {
		return err
	}
	if col.Id != "" {
		// A create never saves over another collection (saving by an
		// existing id would update, and rename, that one).
		if other, err := s.app.FindCollectionByNameOrId(col.Id); err == nil && other.Id == col.Id {
			return badRequest("Failed to create collection.", core.ValidationErrors{
				"id": core.NewFieldError("validation_invalid_or_existing_id", "The model id is invalid or already exists.", nil)})
		}
	}
	// As in PocketBase a superuser may create a system collection (it
	// then cannot be deleted or renamed); the flag never changes later.
	ev := &core.CollectionRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col}
	return s.app.TriggerCollectionRequest(core.CollectionRequestCreate, ev, func(e *core.CollectionRequestEvent) error {
		if err := s.app.SaveCollection(c.Request().Context(), e.Collection); err != nil {
			return wrapCollectionErr(err, "Failed to create collection.")
		}
		saved, _ := s.app.FindCollectionByNameOrId(e.Collection.Id)
		return respond(c, http.StatusOK, saved)
	})
}

func wrapCollectionErr(err error, msg string) error {
	if _, ok := core.AsError(err); ok {
		return err
	}
	var verrs core.ValidationErrors
	if errors.As(err, &verrs) {
		return badRequest(msg, verrs)
	}
	return badRequest(msg+" Raw error: \n"+err.Error()+".", nil)
}

func (s *Server) updateCollection(c *echo.Context) error {
	existing, err := s.app.FindCollectionByNameOrId(c.Param("collection"))
	if err != nil {
		return notFound()
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	col := existing.Clone()
	if err := col.ApplyJSON(body); err != nil {
		return err
	}
	if col.Id != existing.Id {
		// The id is the collection's identity: PocketBase refuses a
		// change (it would otherwise save a second collection).
		return badRequest("Failed to update collection.", core.ValidationErrors{
			"id": core.NewFieldError("validation_values_mismatch", "Values don't match.", nil)})
	}
	ev := &core.CollectionRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col}
	return s.app.TriggerCollectionRequest(core.CollectionRequestUpdate, ev, func(e *core.CollectionRequestEvent) error {
		if err := s.app.SaveCollection(c.Request().Context(), e.Collection); err != nil {
			return wrapCollectionErr(err, "Failed to update collection.")
		}
		saved, _ := s.app.FindCollectionByNameOrId(e.Collection.Id)
		return respond(c, http.StatusOK, saved)
	})
}

func (s *Server) scaffolds(c *echo.Context) error {
	out := map[string]any{}
	for _, typ := range []string{core.CollectionTypeAuth, core.CollectionTypeBase, core.CollectionTypeView} {
		// The type's system fields only, as PocketBase's scaffolds: the
		// created/updated autodate fields are added by the dashboard form.
		col := core.NewCollectionOfType(typ, "")
		for _, f := range col.Fields {
			if f.GetId() == "" {
				f.SetId(core.DefaultFieldId(f.Type(), f.GetName()))
			}
		}
		if col.IsAuth() {
			// Index definitions with a random suffix and no table name yet,
			// as the dashboard's new-collection form expects (spec C8).
			suffix := core.RandomId()[:10]
			col.Indexes = []string{
				"CREATE UNIQUE INDEX `idx_tokenKey_" + suffix + "` ON `` (`tokenKey`)",
				"CREATE UNIQUE INDEX `idx_email_" + suffix + "` ON `` (`email`) WHERE `email` != ''",
			}
		}
		out[typ] = col
	}
	return respond(c, http.StatusOK, out)
}

func (s *Server) importCollections(c *echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req struct {
		Collections   []json.RawMessage `json:"collections"`
		DeleteMissing bool              `json:"deleteMissing"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest("An error occurred while loading the submitted data.", nil)
	}
	if len(req.Collections) == 0 {
		return badRequest("An error occurred while validating the submitted data.", core.ValidationErrors{"collections": core.ErrRequired()})
	}
	if err := s.app.ImportCollections(c.Request().Context(), req.Collections, req.DeleteMissing); err != nil {
		if ce, ok := core.AsError(err); ok {
			return ce
		}
		return badRequest("Failed to import collections.", core.ValidationErrors{"collections": core.NewFieldError("validation_collections_import_failure", "Failed to import the collections configuration. Raw error:\n"+err.Error(), nil)})
	}
	return c.NoContent(http.StatusNoContent)
}

// listParams are the parsed list query parameters (spec §2.1).
type listParams struct {
	page, perPage int
	skipTotal     bool
	sort          []filter.SortItem
	filter        filter.Expr
}

func parseListParams(c *echo.Context) (*listParams, error) {
	p := &listParams{page: 1, perPage: 30}
	q := c.QueryParams()
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, badRequest("", nil)
		}
		if n > 0 {
			p.page = n
		}
	}
	if v := q.Get("perPage"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, badRequest("", nil)
		}
		if n > 0 {
			p.perPage = min(n, 1000)
		}
	}
	if v := q.Get("skipTotal"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, badRequest("", nil)
		}
		p.skipTotal = b
	}
	if v := q.Get("sort"); v != "" {
		items, err := filter.ParseSort(v)
		if err != nil {
			return nil, badRequest("", nil)
		}
		p.sort = items
	}
	if q.Has("filter") && q.Get("filter") != "" {
		expr, err := core.ParseClientFilter(q.Get("filter"))
		if err != nil {
			return nil, badRequest("", nil)
		}
		p.filter = expr
	}
	return p, nil
}

func envelope(p *listParams, total int, items any) *core.ListResult {
	res := &core.ListResult{Page: p.page, PerPage: p.perPage, TotalItems: -1, TotalPages: -1, Items: items}
	if !p.skipTotal {
		res.TotalItems = total
		res.TotalPages = (total + p.perPage - 1) / p.perPage
	}
	return res
}

// collection list: filter/sort over id, created, updated, name, system,
// type only (spec C1), evaluated in memory over the cached collections.
func (s *Server) listCollections(c *echo.Context) error {
	p, err := parseListParams(c)
	if err != nil {
		return err
	}
	allowed := map[string]bool{"id": true, "created": true, "updated": true, "name": true, "system": true, "type": true}
	get := func(col *core.Collection, f string) any {
		switch f {
		case "id":
			return col.Id
		case "created":
			return col.Created
		case "updated":
			return col.Updated
		case "name":
			return col.Name
		case "system":
			return col.System
		case "type":
			return col.Type
		}
		return nil
	}
	matched := []*core.Collection{}
	for _, col := range s.app.Collections() {
		if p.filter != nil {
			ok, err := evalMemory(p.filter, func(name string) (any, bool) {
				if !allowed[name] {
					return nil, false
				}
				return get(col, name), true
			})
			if err != nil {
				return badRequest("", nil)
			}
			if !ok {
				continue
			}
		}
		matched = append(matched, col)
	}
	for _, si := range p.sort {
		if len(si.Ident.Path) != 1 || !allowed[si.Ident.Path[0]] {
			return badRequest("", nil)
		}
	}
	if len(p.sort) > 0 {
		sort.SliceStable(matched, func(i, j int) bool {
			for _, si := range p.sort {
				a, b := core.ToString(get(matched[i], si.Ident.Path[0])), core.ToString(get(matched[j], si.Ident.Path[0]))
				if a == b {
					continue
				}
				if si.Desc {
					return a > b
				}
				return a < b
			}
			return false
		})
	}
	total := len(matched)
	start := min((p.page-1)*p.perPage, total)
	end := min(start+p.perPage, total)
	ev := &core.CollectionsListRequestEvent{RequestEvent: *s.requestEvent(c), Collections: matched[start:end]}
	ev.Result = envelope(p, total, ev.Collections)
	return s.app.TriggerCollectionsListRequest(ev, func(e *core.CollectionsListRequestEvent) error {
		e.Result.Items = e.Collections
		return respond(c, http.StatusOK, e.Result)
	})
}

// evalMemory evaluates simple comparisons over scalar values (used for
// collection listing, where no SQL table exists to translate to).
func evalMemory(e filter.Expr, lookup func(string) (any, bool)) (bool, error) {
	switch x := e.(type) {
	case *filter.Logical:
		for _, sub := range x.Exprs {
			ok, err := evalMemory(sub, lookup)
			if err != nil {
				return false, err
			}
			if x.Op == filter.JoinAnd && !ok {
				return false, nil
			}
			if x.Op == filter.JoinOr && ok {
				return true, nil
			}
		}
		return x.Op == filter.JoinAnd, nil
	case *filter.Comparison:
		operand := func(o filter.Operand) (string, error) {
			switch v := o.(type) {
			case *filter.Text:
				return v.Value, nil
			case *filter.Number:
				return core.ToString(v.Value), nil
			case *filter.Identifier:
				if lit, ok := v.Literal(); ok {
					if val, found := lookup(v.Raw); found {
						return core.ToString(val), nil
					}
					return core.ToString(lit), nil
				}
				if v.Kind != filter.KindField || len(v.Path) != 1 {
					return "", errors.New("unsupported identifier")
				}
				val, ok := lookup(v.Path[0])
				if !ok {
					return "", errors.New("unknown field " + v.Path[0])
				}
				return core.ToString(val), nil
			}
			return "", errors.New("unsupported operand")
		}
		a, err := operand(x.Left)
		if err != nil {
			return false, err
		}
		b, err := operand(x.Right)
		if err != nil {
			return false, err
		}
		switch x.Op.Base() {
		case filter.OpEq:
			return a == b, nil
		case filter.OpNeq:
			return a != b, nil
		case filter.OpGt:
			return a > b, nil
		case filter.OpGte:
			return a >= b, nil
		case filter.OpLt:
			return a < b, nil
		case filter.OpLte:
			return a <= b, nil
		case filter.OpLike:
			return strings.Contains(strings.ToLower(a), strings.ToLower(strings.Trim(b, "%"))), nil
		case filter.OpNotLike:
			return !strings.Contains(strings.ToLower(a), strings.ToLower(strings.Trim(b, "%"))), nil
		}
	}
	return false, errors.New("unsupported expression")
}
