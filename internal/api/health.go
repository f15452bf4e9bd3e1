package api

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

func (s *Server) registerHealth() {
	h := func(c *echo.Context) error {
		data := map[string]any{}
		if isSuperuser(c) {
			data["canBackup"] = !s.app.BackupRunning()
			data["realIP"] = s.realIP(c.Request())
			data["possibleProxyHeader"] = possibleProxyHeader(c.Request(), s.app.Settings().TrustedProxy.Headers)
		}
		return respond(c, http.StatusOK, map[string]any{"message": "API is healthy.", "code": 200, "data": data})
	}
	s.echo.GET("/api/health", h)
}

func possibleProxyHeader(r *http.Request, trusted []string) string {
	for _, h := range append(append([]string{}, trusted...), "CF-Connecting-IP", "Fly-Client-IP", "X-Forwarded-For") {
		if r.Header.Get(h) != "" {
			return h
		}
	}
	return ""
}

// realIP resolves the client IP with the trusted-proxy settings (spec §10.4).
func (s *Server) realIP(r *http.Request) string {
	return core.RealIP(r, s.app.Settings().TrustedProxy)
}
