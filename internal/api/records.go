package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/telemetry"
)

func (s *Server) registerRecords() {
	g := s.echo.Group("/api/collections/:collection/records")
	g.GET("", s.listRecords)
	g.POST("", s.createRecord)
	g.GET("/:id", s.viewRecord)
	g.PATCH("/:id", s.updateRecord)
	g.DELETE("/:id", s.deleteRecord)
}

func (s *Server) recordCollection(c *echo.Context) (*core.Collection, error) {
	col, err := s.app.FindCollectionByNameOrId(c.Param("collection"))
	if err != nil {
		return nil, core.NewNotFoundError("Missing collection context.")
	}
	return col, nil
}

// snakeHeader normalises a header name for @request.headers (spec §3.3):
// lower case, runs of other characters become one "_", trimmed.
func snakeHeader(k string) string {
	b := make([]byte, 0, len(k))
	pending := false
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if pending && len(b) > 0 {
				b = append(b, '_')
			}
			pending = false
			b = append(b, c)
			continue
		}
		pending = true
	}
	return string(b)
}

// requestInfo builds the @request.* context of a request.
func (s *Server) requestInfo(c *echo.Context, body map[string]any) *core.RequestInfo {
	ri := &core.RequestInfo{
		Auth: authOf(c), Method: c.Request().Method, Context: core.ContextDefault,
		Query: map[string]string{}, Headers: map[string]string{}, Body: body,
	}
	if isBatchRequest(c.Request().Context()) {
		ri.Context = core.ContextBatch
	}
	for k, v := range c.QueryParams() {
		if len(v) > 0 {
			ri.Query[k] = v[0]
		}
	}
	for k, v := range c.Request().Header {
		if len(v) > 0 {
			ri.Headers[snakeHeader(k)] = v[0]
		}
	}
	return ri
}

func ruleClauses(rule *string) ([]core.FilterClause, error) {
	if rule == nil || strings.TrimSpace(*rule) == "" {
		return nil, nil
	}
	expr, err := core.ParseRule(*rule)
	if err != nil {
		return nil, err
	}
	return []core.FilterClause{{Expr: expr}}, nil
}

// prepareOutput sets the serialisation flags for the caller (spec §5.8).
func prepareOutput(c *echo.Context, recs ...*core.Record) {
	su := isSuperuser(c)
	me := authOf(c)
	for _, r := range recs {
		r.Unhide(su)
		if su || (me != nil && me.Collection().Id == r.Collection().Id && me.Id() == r.Id()) {
			r.ShowEmail(true)
		}
	}
}

func (s *Server) listRecords(c *echo.Context) error {
	col, err := s.recordCollection(c)
	if err != nil {
		return err
	}
	su := isSuperuser(c)
	if !su && col.ListRule == nil {
		return core.NewForbiddenError(core.MsgSuperusersOnly)
	}
	if !su {
		for _, p := range []string{"filter", "sort"} {
			v := c.QueryParam(p)
			if strings.Contains(v, "@collection.") {
				return core.NewForbiddenError("Only superusers can filter by @collection.")
			}
			if strings.Contains(v, "@request.") {
				return core.NewForbiddenError("Only superusers can filter by @request.")
			}
		}
	}
	p, err := parseListParams(c)
	if err != nil {
		return err
	}
	q := &core.RecordQuery{Collection: col, Sort: p.sort, ClientSort: true, Page: p.page, PerPage: p.perPage,
		Count: !p.skipTotal, Request: s.requestInfo(c, nil), Superuser: su}
	if !su {
		rc, err := ruleClauses(col.ListRule)
		if err != nil {
			return badRequest("", nil)
		}
		q.Filters = append(q.Filters, rc...)
	}
	if p.filter != nil {
		q.Filters = append(q.Filters, core.FilterClause{Expr: p.filter, Client: true})
	}
	res, err := s.app.Store().Query(c.Request().Context(), q)
	if err != nil {
		return badRequest("", nil).(*core.Error).WithCause(err)
	}
	prepareOutput(c, res.Records...)
	s.showManagedEmails(c, col, res.Records)
	s.expandRecords(c, res.Records)
	items := res.Records
	if items == nil {
		items = []*core.Record{}
	}
	ev := &core.RecordsListRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Records: items,
		Result: envelope(p, res.Total, items)}
	return s.app.TriggerRecordsListRequest(ev, func(e *core.RecordsListRequestEvent) error {
		s.enrich(c, e.Records...)
		return respond(c, http.StatusOK, e.Result)
	})
}

// findWithRule loads one record, applying rule for non-superusers.
func (s *Server) findWithRule(c *echo.Context, col *core.Collection, id string, rule *string, body map[string]any) (*core.Record, error) {
	q := &core.RecordQuery{Collection: col, Ids: []string{id}, Superuser: isSuperuser(c)}
	if !q.Superuser {
		rc, err := ruleClauses(rule)
		if err != nil {
			return nil, notFound()
		}
		q.Filters = rc
	}
	if len(q.Filters) > 0 {
		// Only rules read @request.*; building it costs maps per request.
		q.Request = s.requestInfo(c, body)
	}
	ctx, span := ruleSpan(c.Request().Context(), col, len(q.Filters) > 0)
	res, err := s.app.Store().Query(ctx, q)
	telemetry.End(span, err)
	if err != nil || len(res.Records) == 0 {
		return nil, notFound()
	}
	return res.Records[0], nil
}

// ruleSpan starts the span of a rule evaluation when the request is
// traced and a rule applies (a superuser's or an empty rule's read is a
// plain read).
func ruleSpan(ctx context.Context, col *core.Collection, rule bool) (context.Context, trace.Span) {
	if !rule || !telemetry.Recording(ctx) {
		return ctx, trace.SpanFromContext(ctx)
	}
	return telemetry.Start(ctx, "rule.eval", trace.WithAttributes(attribute.String("basalt.collection", col.Name)))
}

func (s *Server) viewRecord(c *echo.Context) error {
	col, err := s.recordCollection(c)
	if err != nil {
		return err
	}
	if !isSuperuser(c) && col.ViewRule == nil {
		return core.NewForbiddenError(core.MsgSuperusersOnly)
	}
	rec, err := s.findWithRule(c, col, c.Param("id"), col.ViewRule, nil)
	if err != nil {
		return err
	}
	prepareOutput(c, rec)
	s.showManagedEmails(c, col, []*core.Record{rec})
	s.expandRecords(c, []*core.Record{rec})
	ev := &core.RecordRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: rec}
	return s.app.TriggerRecordRequest(core.RequestView, ev, func(e *core.RecordRequestEvent) error {
		s.enrich(c, e.Record)
		return respond(c, http.StatusOK, e.Record)
	})
}

// isManager reports whether the caller satisfies the auth collection's
// manageRule for r (spec §4.6): managers may set email and verified and
// change passwords without the old one. New records are checked as
// would-be rows, like create rules.
func (s *Server) isManager(c *echo.Context, col *core.Collection, r *core.Record, data map[string]any) bool {
	if !col.IsAuth() || col.Auth == nil || col.Auth.ManageRule == nil || authOf(c) == nil {
		return false
	}
	rc, err := ruleClauses(col.Auth.ManageRule)
	if err != nil || len(rc) == 0 {
		return false
	}
	q := &core.RecordQuery{Collection: col, Filters: rc, Request: s.requestInfo(c, resolvedBody(r, data)), Count: true}
	if r.IsNew() {
		cand := r.Clone()
		if cand.Id() == "" {
			cand.SetCanonical(core.FieldId, "__pb_create__")
		}
		q.Candidate = cand
	} else {
		q.Ids = []string{r.Id()}
	}
	res, err := s.app.Store().Query(c.Request().Context(), q)
	return err == nil && res.Total > 0
}

// showManagedEmails reveals the e-mail of records the caller manages
// (spec §4.5), with one query for the whole page.
func (s *Server) showManagedEmails(c *echo.Context, col *core.Collection, recs []*core.Record) {
	if len(recs) == 0 || isSuperuser(c) || !col.IsAuth() || col.Auth == nil || col.Auth.ManageRule == nil || authOf(c) == nil {
		return
	}
	rc, err := ruleClauses(col.Auth.ManageRule)
	if err != nil || len(rc) == 0 {
		return
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.Id()
	}
	res, err := s.app.Store().Query(c.Request().Context(), &core.RecordQuery{Collection: col, Ids: ids, Filters: rc, Request: s.requestInfo(c, nil)})
	if err != nil {
		return
	}
	managed := make(map[string]bool, len(res.Records))
	for _, r := range res.Records {
		managed[r.Id()] = true
	}
	for _, r := range recs {
		if managed[r.Id()] {
			r.ShowEmail(true)
		}
	}
}

// resolvedBody is @request.body for rules: the submitted keys with their
// modifiers resolved to the record's final values (spec §4.3), e.g.
// "views+" becomes "views" holding the new total. Rules only run for
// non-superusers, so the hidden fields they cannot write are dropped (but
// an auth collection's password), like PocketBase: the record still holds
// the stored value there, so a rule "@request.body.secret = secret" passed
// for anyone who sent the key, and :isset was true (issue #22, defect 6).
func resolvedBody(r *core.Record, data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	c := r.Collection()
	for key, v := range data {
		name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(key, ":autogenerate"), "+"), "+"), "-")
		f := c.Fields.GetByName(name)
		if f == nil {
			out[key] = v // unknown keys stay visible to rules as sent
			continue
		}
		if f.GetHidden() && !(c.IsAuth() && name == core.FieldPassword) {
			continue
		}
		if pv, ok := r.Get(name).(core.PasswordValue); ok {
			out[name] = pv.Plain
			continue
		}
		out[name] = r.Get(name)
	}
	return out
}

func saveError(err error, msg string) error {
	if ce, ok := core.AsError(err); ok {
		return ce
	}
	var verrs core.ValidationErrors
	if errors.As(err, &verrs) {
		return badRequest(msg, verrs)
	}
	return badRequest(msg, nil).(*core.Error).WithCause(err)
}

// authFormChecks applies spec §5.5 to auth-collection writes; manager is
// true for superusers (and manageRule matches).
func authFormChecks(r *core.Record, data map[string]any, manager bool) error {
	if !r.Collection().IsAuth() {
		return nil
	}
	errs := core.ValidationErrors{}
	pwd, hasPwd := data[core.FieldPassword]
	confirm, hasConfirm := data["passwordConfirm"]
	if r.IsNew() {
		if !hasPwd || core.ToString(pwd) == "" {
			errs[core.FieldPassword] = core.ErrRequired()
		}
	}
	if hasPwd || hasConfirm {
		if !hasConfirm || core.ToString(confirm) == "" {
			errs["passwordConfirm"] = core.ErrRequired()
		} else if core.ToString(confirm) != core.ToString(pwd) {
			errs["passwordConfirm"] = core.NewFieldError("validation_values_mismatch", "Values don't match.", nil)
		}
	}
	if !r.IsNew() && !manager {
		if hasPwd {
			old := core.ToString(data["oldPassword"])
			orig, _ := r.Original(core.FieldPassword).(core.PasswordValue)
			if old == "" {
				errs["oldPassword"] = core.ErrRequired()
			} else if !checkPassword(orig.Hash, old) {
				errs["oldPassword"] = core.NewFieldError("validation_invalid_old_password", "Missing or invalid old password.", nil)
			}
		}
		if v, ok := data[core.FieldEmail]; ok && core.ToString(v) != core.ToString(r.Original(core.FieldEmail)) {
			errs[core.FieldEmail] = core.NewFieldError("validation_values_mismatch", "Values don't match.", nil)
		}
	}
	if v, ok := data[core.FieldVerified]; ok && !manager {
		want := r.IsNew() && false || (!r.IsNew() && core.ToBool(r.Original(core.FieldVerified)))
		if core.ToBool(v) != want {
			errs[core.FieldVerified] = core.NewFieldError("validation_values_mismatch", "Values don't match.", nil)
		}
	}
	return errs.Filter()
}

func (s *Server) createRecord(c *echo.Context) error {
	col, err := s.recordCollection(c)
	if err != nil {
		return err
	}
	if col.IsView() {
		return badRequest("Unsupported collection type.", nil)
	}
	data, err := s.readRecordBody(c)
	if err != nil {
		return err
	}
	su := isSuperuser(c)
	if !su && col.CreateRule == nil {
		return core.NewForbiddenError(core.MsgSuperusersOnly)
	}
	rec := core.NewRecord(col)
	if err := applyRecordData(s.app, rec, data, su); err != nil {
		return err
	}
	if col.IsAuth() && !su {
		rec.SetCanonical(core.FieldVerified, false)
	}
	if !su {
		rc, err := ruleClauses(col.CreateRule)
		if err != nil {
			return badRequest("Failed to create record.", nil)
		}
		if len(rc) > 0 {
			cand := rec.Clone()
			if cand.Id() == "" {
				cand.SetCanonical(core.FieldId, "__pb_create__")
			}
			ctx, span := ruleSpan(c.Request().Context(), col, true)
			res, err := s.app.Store().Query(ctx, &core.RecordQuery{
				Collection: col, Filters: rc, Candidate: cand, Request: s.requestInfo(c, resolvedBody(rec, data)), Count: true,
			})
			telemetry.End(span, err)
			if err != nil || res.Total == 0 {
				return badRequest("Failed to create record.", nil)
			}
		}
	}
	manager := su || s.isManager(c, col, rec, data)
	if err := authFormChecks(rec, data, manager); err != nil {
		return badRequest("Failed to create record.", err)
	}
	if v, ok := data[core.FieldVerified]; ok && manager && !su && col.IsAuth() {
		// The rules saw verified forced false (spec R3 step 6); a manager
		// may set it (spec §4.6).
		rec.Set(core.FieldVerified, core.ToBool(v))
	}
	return s.saveAndRespond(c, core.RequestCreate, col, rec, manager, "Failed to create record.")
}

func (s *Server) updateRecord(c *echo.Context) error {
	col, err := s.recordCollection(c)
	if err != nil {
		return err
	}
	if col.IsView() {
		return badRequest("Unsupported collection type.", nil)
	}
	data, err := s.readRecordBody(c)
	if err != nil {
		return err
	}
	su := isSuperuser(c)
	if !su && col.UpdateRule == nil {
		return core.NewForbiddenError(core.MsgSuperusersOnly)
	}
	rec, err := s.findWithRule(c, col, c.Param("id"), nil, nil)
	if err != nil {
		return err
	}
	if err := applyRecordData(s.app, rec, data, su); err != nil {
		return err
	}
	if !su {
		if _, err := s.findWithRule(c, col, c.Param("id"), col.UpdateRule, resolvedBody(rec, data)); err != nil {
			return err
		}
	}
	manager := su || s.isManager(c, col, rec, data)
	if err := authFormChecks(rec, data, manager); err != nil {
		return badRequest("Failed to update record.", err)
	}
	if v, ok := data[core.FieldId]; ok && core.ToString(v) != rec.Id() {
		return badRequest("Failed to update record.", core.ValidationErrors{"id": core.NewFieldError("validation_pk_change", "The record primary key cannot be changed.", nil)})
	}
	return s.saveAndRespond(c, core.RequestUpdate, col, rec, manager, "Failed to update record.")
}

// saveAndRespond runs the create/update request hook chain whose default
// handler saves rec and writes it back with the caller's visibility.
func (s *Server) saveAndRespond(c *echo.Context, kind string, col *core.Collection, rec *core.Record, manager bool, failMsg string) error {
	ev := &core.RecordRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: rec}
	return s.app.TriggerRecordRequest(kind, ev, func(e *core.RecordRequestEvent) error {
		if err := s.app.Save(c.Request().Context(), e.Record); err != nil {
			return saveError(err, failMsg)
		}
		prepareOutput(c, e.Record)
		if manager {
			e.Record.ShowEmail(true)
		}
		s.expandRecords(c, []*core.Record{e.Record})
		s.enrich(c, e.Record)
		return respond(c, http.StatusOK, e.Record)
	})
}

func (s *Server) deleteRecord(c *echo.Context) error {
	col, err := s.recordCollection(c)
	if err != nil {
		return err
	}
	if col.IsView() {
		return badRequest("Unsupported collection type.", nil)
	}
	if !isSuperuser(c) && col.DeleteRule == nil {
		return core.NewForbiddenError(core.MsgSuperusersOnly)
	}
	rec, err := s.findWithRule(c, col, c.Param("id"), col.DeleteRule, nil)
	if err != nil {
		return err
	}
	ev := &core.RecordRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: rec}
	return s.app.TriggerRecordRequest(core.RequestDelete, ev, func(e *core.RecordRequestEvent) error {
		if err := s.app.Delete(c.Request().Context(), e.Record); err != nil {
			if ce, ok := core.AsError(err); ok {
				return ce
			}
			return badRequest("Failed to delete record. Make sure that the record is not part of a required relation reference.", nil).(*core.Error).WithCause(err)
		}
		return c.NoContent(http.StatusNoContent)
	})
}
