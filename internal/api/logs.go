package api

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

// registerLogs registers the request logger and the logs routes (spec
// §1.10, §10.8).
func (s *Server) registerLogs() {
	g := s.echo.Group("/api/logs", requireSuperuser)
	g.GET("", s.listLogs)
	g.GET("/stats", s.logStats)
	g.GET("/:id", s.viewLog)
}

// logMessage is PocketBase's request-log message: the method and the
// path-unescaped request URI, query string included (the raw URI when it
// does not unescape). data.url keeps the raw form.
func logMessage(method, requestURI string) string {
	if escaped, err := url.PathUnescape(requestURI); err == nil {
		requestURI = escaped
	}
	return strings.ToUpper(method) + " " + truncate(requestURI, 3000)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func remoteHost(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		return strings.Trim(addr[:i], "[]")
	}
	return addr
}

func (s *Server) logQuery(p *listParams) *core.RecordQuery {
	return &core.RecordQuery{Collection: core.LogsCollection(), Sort: p.sort, Page: p.page, PerPage: p.perPage,
		Count: !p.skipTotal, Superuser: true}
}

func (s *Server) logStore() (core.LogStore, error) {
	ls, ok := s.app.Store().(core.LogStore)
	if !ok {
		return nil, core.NewNotFoundError("")
	}
	return ls, nil
}

func (s *Server) listLogs(c *echo.Context) error {
	ls, err := s.logStore()
	if err != nil {
		return err
	}
	p, err := parseListParams(c)
	if err != nil {
		return err
	}
	q := s.logQuery(p)
	if p.filter != nil {
		q.Filters = []core.FilterClause{{Expr: p.filter}}
	}
	res, err := ls.QueryLogs(c.Request().Context(), q)
	if err != nil {
		return badRequest("", nil).(*core.Error).WithCause(err)
	}
	items := make([]map[string]any, len(res.Records))
	for i, r := range res.Records {
		items[i] = logJSON(r)
	}
	return respond(c, http.StatusOK, envelope(p, res.Total, items))
}

func (s *Server) viewLog(c *echo.Context) error {
	ls, err := s.logStore()
	if err != nil {
		return err
	}
	res, err := ls.QueryLogs(c.Request().Context(), &core.RecordQuery{Collection: core.LogsCollection(), Ids: []string{c.Param("id")}, Superuser: true})
	if err != nil || len(res.Records) == 0 {
		return notFound()
	}
	return respond(c, http.StatusOK, logJSON(res.Records[0]))
}

// logJSON drops the record envelope keys: logs are not records.
func logJSON(r *core.Record) map[string]any {
	return map[string]any{"id": r.Id(), "created": r.GetString("created"), "level": r.GetFloat("level"),
		"message": r.GetString("message"), "data": r.Get("data")}
}

// logStats returns an hourly histogram of the matching logs (spec L2).
func (s *Server) logStats(c *echo.Context) error {
	ls, err := s.logStore()
	if err != nil {
		return err
	}
	q := &core.RecordQuery{Collection: core.LogsCollection(), Superuser: true}
	if raw := c.QueryParam("filter"); raw != "" {
		expr, err := core.ParseRule(raw)
		if err != nil {
			return badRequest("Invalid filter format.", nil)
		}
		q.Filters = []core.FilterClause{{Expr: expr}}
	}
	res, err := ls.QueryLogs(c.Request().Context(), q)
	if err != nil {
		return badRequest("Invalid filter format.", nil)
	}
	counts := map[string]int{}
	for _, r := range res.Records {
		created := r.GetString("created")
		if len(created) >= 13 {
			counts[created[:13]+":00:00.000Z"]++
		}
	}
	out := make([]map[string]any, 0, len(counts))
	for date, n := range counts {
		out = append(out, map[string]any{"date": date, "total": n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["date"].(string) < out[j]["date"].(string) })
	return respond(c, http.StatusOK, out)
}
