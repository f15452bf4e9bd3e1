package api

import (
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"
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
	tp := s.app.Settings().TrustedProxy
	for _, h := range tp.Headers {
		values := r.Header.Values(h)
		if len(values) == 0 {
			continue
		}
		parts := strings.Split(values[len(values)-1], ",")
		if tp.UseLeftmostIP {
			for _, p := range parts {
				if ip := net.ParseIP(strings.TrimSpace(p)); ip != nil {
					return ip.String()
				}
			}
		} else {
			for i := len(parts) - 1; i >= 0; i-- {
				if ip := net.ParseIP(strings.TrimSpace(parts[i])); ip != nil {
					return ip.String()
				}
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
