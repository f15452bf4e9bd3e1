package api

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/telemetry"
)

// RequestIdHeader carries a request's id, in both directions.
const RequestIdHeader = "X-Request-Id"

// maxRequestIdLen bounds an incoming request id: it is copied into every
// log line of the request and into its _logs row.
const maxRequestIdLen = 128

// validRequestId reports whether an incoming id is kept: 1 to 128
// characters of letters, digits and -_.:/+= (UUIDs, hex and base64 ids,
// the usual proxy formats). Anything else is replaced, so a client cannot
// put control characters or JSON into the logs through it.
func validRequestId(id string) bool {
	if id == "" || len(id) > maxRequestIdLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ':', c == '/', c == '+', c == '=':
		default:
			return false
		}
	}
	return true
}

// newRequestId returns 32 random hex digits. math/rand/v2's generator is
// a ChaCha8 stream: ids are unpredictable enough to correlate logs (they
// grant nothing) and cost no system call.
func newRequestId() string {
	const digits = "0123456789abcdef"
	var buf [32]byte
	a, b := rand.Uint64(), rand.Uint64()
	for i := 0; i < 16; i++ {
		buf[i], buf[16+i] = digits[a>>(4*i)&15], digits[b>>(4*i)&15]
	}
	return string(buf[:]) // the only allocation
}

// routeLabel is the route template of the request for metrics and span
// names: a registered path, or telemetry.OtherRoute for requests that
// matched none (the not-found handler clears the path). Never the raw
// URL, so record ids never become label values.
func routeLabel(c *echo.Context) string {
	if p := c.Path(); p != "" {
		return p
	}
	return telemetry.OtherRoute
}

// unmatched is the not-found handler: it marks the request as matching no
// route before answering 404.
func unmatched(c *echo.Context) error {
	c.SetPath("")
	return notFound()
}

// observe is the outermost middleware: the request id (X-Request-Id, an
// incoming valid one kept), the request's span when traces are on (an
// incoming W3C traceparent continued), the request metrics, the request
// log entry (_logs, spec §10.8) and its log line.
func (s *Server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		start := time.Now()
		req := c.Request()
		id := req.Header.Get(RequestIdHeader)
		if !validRequestId(id) {
			id = newRequestId()
		}
		ctx, hv := telemetry.WithRequestIdHeader(req.Context(), id)
		c.Response().Header()[RequestIdHeader] = hv
		var span trace.Span
		if s.tracer != nil {
			ctx = s.propagator.Extract(ctx, propagation.HeaderCarrier(req.Header))
			ctx, span = s.tracer.Start(ctx, req.Method+" "+routeLabel(c), trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.String("http.request.method", req.Method),
					attribute.String("url.path", req.URL.Path)))
			// A panic that gets past recoverPanics (http.ErrAbortHandler)
			// still ends the span, so the trace is not left open.
			defer func() {
				if r := recover(); r != nil {
					span.SetStatus(codes.Error, fmt.Sprint(r))
					span.End()
					panic(r)
				}
			}()
		}
		req = req.WithContext(ctx)
		c.SetRequest(req)

		err := next(c)

		status := http.StatusOK
		errText := ""
		if err != nil {
			body, _ := toAPIError(err)
			status = body.Status
			errText = body.Message
		} else if r, uerr := echo.UnwrapResponse(c.Response()); uerr == nil && r.Status != 0 {
			status = r.Status
		}
		took := time.Since(start)
		route := routeLabel(c)
		s.metrics.ObserveHTTP(route, req.Method, status, took.Seconds())
		if span != nil {
			span.SetName(req.Method + " " + route)
			span.SetAttributes(attribute.String("http.route", route), attribute.Int("http.response.status_code", status),
				attribute.String("basalt.request_id", id))
			if status >= 500 {
				span.SetStatus(codes.Error, errText)
			}
			span.End()
		}
		s.logRequest(c, req, id, status, errText, took)
		return err
	}
}

// logRequest records the request in _logs (asynchronously, see
// core.App.LogRequest), except the successful ones spec §10.8 skips, and
// writes the same fields as a log line when the logger wants one:
// failures (status ≥ 500) at error level, the rest at debug (--dev).
func (s *Server) logRequest(c *echo.Context, req *http.Request, id string, status int, errText string, took time.Duration) {
	path := req.URL.Path
	ok := status < 400
	switch {
	case ok && path == "/api/realtime" && req.Method == http.MethodGet,
		ok && strings.HasPrefix(path, "/api/logs"),
		ok && path == "/api/metrics",
		ok && req.Method == http.MethodOptions, // CORS preflights (answered by cors, never logged)
		ok && path == "/api/oauth2-redirect",
		ok && !strings.HasPrefix(path, "/api/"):
		return
	}
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelError
	}
	ctx := req.Context()
	toLog := s.logger.Enabled(ctx, level)
	if !toLog && s.app.Settings().Logs.MaxDays <= 0 {
		return
	}
	settings := s.app.Settings().Logs
	rl := core.RequestLog{Method: req.Method, URL: truncate(req.URL.RequestURI(), 3000), Status: status,
		ExecTime: float64(took.Microseconds()) / 1000, Referer: req.Referer(), UserAgent: req.UserAgent(), RequestId: id}
	if me := authOf(c); me != nil {
		rl.Auth = me.Collection().Name
		if settings.LogAuthId {
			rl.AuthId = me.Id()
		}
	}
	if settings.LogIP {
		rl.UserIP = s.realIP(req)
		rl.RemoteIP = remoteHost(req.RemoteAddr)
	}
	dbLevel := core.LogLevelInfo
	if !ok {
		dbLevel = core.LogLevelError
		rl.Error = errText
	}
	msg := logMessage(req.Method, req.URL.RequestURI())
	s.app.LogHTTPRequest(msg, dbLevel, &rl)
	if toLog {
		s.logger.LogAttrs(ctx, level, msg, rl.LogAttrs()...)
	}
}

// registerMetrics serves the app's Prometheus registry at /api/metrics.
func (s *Server) registerMetrics() {
	h := s.app.Metrics().Handler()
	s.echo.GET("/api/metrics", func(c *echo.Context) error {
		if err := s.metricsAccess(c); err != nil {
			return err
		}
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	})
}

// metricsAccess lets superusers in, and a scraper presenting
// settings.metrics.token as a bearer token (compared in constant time).
// A signed-in non-superuser gets 403, anyone else 401.
func (s *Server) metricsAccess(c *echo.Context) error {
	if isSuperuser(c) {
		return nil
	}
	if want := s.app.Settings().Metrics.Token; want != "" {
		got := c.Request().Header.Get("Authorization")
		if len(got) > 7 && strings.EqualFold(got[:7], "bearer ") {
			got = got[7:]
		}
		if got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
			return nil
		}
	}
	if authOf(c) != nil {
		return core.NewForbiddenError("The authorized record is not allowed to perform this action.")
	}
	return core.NewUnauthorizedError("The request requires a superuser or the metrics token.")
}
