package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/hook"
)

// routeSite is where a route was registered.
type routeSite struct {
	source string
	custom bool
}

// routeKey identifies a route by method and shape: parameter names do not
// matter (/x/:a and /x/:b are the same route to the router).
func routeKey(method, echoPath string) string {
	parts := strings.Split(echoPath, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = ":"
		}
	}
	return method + " " + strings.Join(parts, "/")
}

// errDuplicateRoute starts the duplicate-route panic message.
var errDuplicateRoute = errors.New("duplicate route")

// checkRoute is echo's OnAddRoute hook, run only while New registers
// routes: it records each registration's place and panics when a custom
// route reuses a method and path, naming both places. Built-ins never
// collide with each other; they are ours and tested.
func (s *Server) checkRoute(r echo.Route) error {
	if r.Method == echo.RouteNotFound || r.Method == echo.RouteAny {
		return nil
	}
	key := routeKey(r.Method, r.Path)
	site := routeSite{source: builtinSource(), custom: false}
	if s.mounting != nil {
		site = routeSite{source: s.mounting.Source, custom: true}
	}
	if prev, ok := s.routeSites[key]; ok && (prev.custom || site.custom) {
		panic(fmt.Sprintf("%v: %s %s is registered at %s and again at %s", errDuplicateRoute,
			r.Method, r.Path, prev.source, site.source))
	}
	s.routeSites[key] = site
	return nil
}

// builtinSource is the file:line of the first caller outside echo: the
// register* function that added the route.
func builtinSource() string {
	pcs := make([]uintptr, 16)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "github.com/labstack/echo/") {
			dir, base := path.Split(f.File)
			return fmt.Sprintf("%s:%d (built-in)", path.Join(path.Base(dir), base), f.Line)
		}
		if !more {
			return "unknown (built-in)"
		}
	}
}

// mountRoutes adds the custom routes to echo. Each gets its own handler
// running its middleware chain; built-in routes do not pass through any
// of it.
func (s *Server) mountRoutes(r *core.Router) {
	for _, rc := range r.Routes() {
		s.mounting = rc
		s.echo.Add(rc.Method, toEchoPath(rc.Path), s.customHandler(rc))
	}
	s.mounting = nil
}

// customHandler runs one custom route. The documented outcomes:
//   - an error is answered in the error shape (core.Error codes keep their
//     status, other errors are a generic 400) and logged naming the route;
//   - a panic is recovered into a 500 in the error shape and logged with
//     the route and the stack;
//   - a middleware that returns nil without calling e.Next() stops the
//     chain: the response is what it wrote; if it wrote nothing, the client
//     gets a 500 in the error shape and the log names the middleware.
func (s *Server) customHandler(rc *core.RouteChain) echo.HandlerFunc {
	wildcard := wildcardName(rc.Path)
	return func(c *echo.Context) (err error) {
		req := c.Request()
		for _, pv := range c.PathValues() {
			name := pv.Name
			if name == "*" {
				name = wildcard
			}
			req.SetPathValue(name, pv.Value)
		}
		ev := &core.RequestEvent{App: s.app, Request: req, Response: c.Response(), Auth: authOf(c)}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.logger.ErrorContext(req.Context(), "custom route panicked", "route", rc.Name(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err = &core.Error{Code: core.CodeInternal, Message: core.MsgGenericBadRequest, Cause: fmt.Errorf("panic: %v", p)}
			}
		}()
		stoppedBy, err := rc.Run(ev)
		if pe := (*hook.PanicError)(nil); errors.As(err, &pe) {
			// The chain recovered it; log it as the panic it was.
			s.logger.Error("custom route panicked", "route", rc.Name(), "middleware", stoppedBy, "panic", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
			return &core.Error{Code: core.CodeInternal, Message: core.MsgGenericBadRequest, Cause: pe}
		}
		if err != nil {
			level := slog.LevelWarn
			if ce, ok := core.AsError(err); ok && ce.Code != core.CodeInternal && ce.Cause == nil {
				level = slog.LevelDebug // an intended 4xx answer, not a fault
			}
			s.logger.Log(req.Context(), level, "custom route returned an error", "route", rc.Name(), "middleware", stoppedBy, "err", err)
			return err
		}
		if stoppedBy != "" && !responded(c, ev) {
			s.logger.WarnContext(req.Context(), "custom route middleware returned without calling e.Next() and wrote no response",
				"route", rc.Name(), "middleware", stoppedBy)
			return core.NewInternalError(fmt.Errorf("middleware %s of %s stopped the chain without a response", stoppedBy, rc.Name()))
		}
		return nil
	}
}

// responded reports whether anything was sent for the request.
func responded(c *echo.Context, ev *core.RequestEvent) bool {
	if ev.Written() {
		return true
	}
	ur, err := echo.UnwrapResponse(c.Response())
	return err == nil && ur.Committed
}

// wildcardName is the name of a trailing {name...} parameter ("" if none).
func wildcardName(p string) string {
	last := p[strings.LastIndex(p, "/")+1:]
	if strings.HasPrefix(last, "{") && strings.HasSuffix(last, "...}") {
		return strings.TrimSuffix(strings.TrimPrefix(last, "{"), "...}")
	}
	return ""
}
