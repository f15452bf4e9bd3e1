// Package api is Basalt's HTTP layer: the PocketBase-compatible REST API
// on echo/v5 (the only package that imports echo), its middleware, error
// mapping, static pb_public and the admin UI at /_/.
package api

import (
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/telemetry"
)

// Config configures the HTTP layer. Zero values mean the defaults.
type Config struct {
	// Origins are the allowed CORS origins (default ["*"]).
	Origins []string
	// PublicDir is served at "/" when it exists.
	PublicDir string
	// AdminFS is the built admin UI served at /_/ (nil = none).
	AdminFS fs.FS
	// Logger receives request errors.
	Logger *slog.Logger
	// TempDir receives the temp files multipart parts past the in-memory
	// budget are spooled to, each removed when its request ends (default
	// os.TempDir()).
	TempDir string
	// RealtimeWriteTimeout bounds each write to a realtime stream
	// (default 60 s); see core.RealtimeConnectRequestEvent.WriteTimeout.
	RealtimeWriteTimeout time.Duration
	// RealtimeMaxLifetime, when positive, closes every stream after this
	// long regardless of traffic (the SDK reconnects and re-subscribes).
	// The spec sets no such limit, so it is off by default.
	RealtimeMaxLifetime time.Duration
	// MapTileOrigins are origins (scheme://host[:port], see
	// ParseTileOrigins) the dashboard may load map tiles from: they join
	// img-src in its Content-Security-Policy. Empty: none.
	MapTileOrigins []string
	// Version is the build's version, written in the OpenAPI document.
	Version string
	// TracerProvider, when set, traces every request: one span per request
	// named after its route template, continuing an incoming W3C
	// traceparent, with the spans of the work below it (nil: traces off,
	// which costs a context lookup per instrumented call).
	TracerProvider trace.TracerProvider
}

// Server is the HTTP handler of an App.
type Server struct {
	app    *core.App
	cfg    Config
	echo   *echo.Echo
	logger *slog.Logger

	// adminCSP is the dashboard's policy with the map tile origins.
	adminCSP   []string
	metrics    *telemetry.Metrics
	tracer     trace.Tracer // nil when traces are off
	propagator propagation.TextMapPropagator

	authOnce sync.Once
	authVal  *authState

	// routeSites maps "METHOD path" to where it was registered, for the
	// duplicate-route check (routes.go); used only while New runs.
	routeSites map[string]routeSite
	mounting   *core.RouteChain // the custom route being mounted

	openapi openapiCache // GET /api/openapi.json (openapi.go)
}

// New builds the handler with every route registered. Custom routes come
// from OnServe handlers, which run here.
func New(app *core.App, cfg Config) (*Server, error) {
	if len(cfg.Origins) == 0 {
		cfg.Origins = []string{"*"}
	}
	if cfg.Logger == nil {
		cfg.Logger = app.Logger()
	}
	tiles, err := ParseTileOrigins(strings.Join(cfg.MapTileOrigins, ","))
	if err != nil {
		return nil, err
	}
	s := &Server{app: app, cfg: cfg, echo: echo.New(), logger: cfg.Logger, adminCSP: adminCSPWith(tiles),
		metrics: app.Metrics(), propagator: propagation.TraceContext{}}
	if cfg.TracerProvider != nil {
		s.tracer = cfg.TracerProvider.Tracer(telemetry.ScopeName)
	}
	e := s.echo
	e.HTTPErrorHandler = s.errorHandler
	core.SetTokenIssuer(tokenIssuer{s}) // Record.NewAuthToken & co. (record_tokens.go)
	s.routeSites = map[string]routeSite{}
	e.OnAddRoute = s.checkRoute

	e.Use(s.observe)
	e.Use(s.cors)
	e.Use(s.recoverPanics)
	if app.Clustered() {
		e.Use(s.followCluster)
	}
	e.Use(s.loadAuth)
	e.Use(securityHeaders)
	e.Use(s.bodyLimit)
	e.Use(queryLimits)

	s.registerHealth()
	s.registerSettings()
	s.registerCollections()
	s.registerRecords()
	s.registerAuth()
	s.registerAuthFlows()
	s.registerFiles()
	s.registerRealtime()
	s.registerBatch()
	s.registerLogs()
	s.registerCrons()
	s.registerBackups()
	s.registerRulesWorkbench()
	s.registerOpenAPI()
	s.registerMetrics()

	// OnServe: user routes through the neutral core.Router, mounted once
	// every handler ran (a duplicate of any route panics here).
	se := &core.ServeEvent{App: app, Router: core.NewRouter()}
	if err := app.OnServe().Trigger(se); err != nil {
		return nil, err
	}
	s.mountRoutes(se.Router)

	s.registerStatic()
	e.RouteNotFound("/*", unmatched)
	s.routeSites = nil
	e.OnAddRoute = nil
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		// Every GET route answers HEAD, as with net/http's ServeMux (and
		// PocketBase). The router only sees GET; net/http, which still
		// holds the HEAD request, drops the body and keeps the headers.
		get := *r
		get.Method = http.MethodGet
		r = &get
	}
	s.echo.ServeHTTP(w, r)
}

func (s *Server) registerStatic() {
	if s.cfg.AdminFS != nil {
		admin := s.cfg.AdminFS
		s.echo.GET("/_", func(c *echo.Context) error {
			return c.Redirect(http.StatusMovedPermanently, "/_/")
		})
		s.echo.GET("/_/*", func(c *echo.Context) error {
			h := c.Response().Header()
			h["Content-Security-Policy"] = s.adminCSP
			h["X-Frame-Options"] = frameDeny
			h["Referrer-Policy"] = noReferrer
			return serveSPA(c, admin, c.Param("*"))
		}, middleware.Gzip())
	}
	// A custom catch-all GET route (e.g. core.Static on "/{path...}")
	// takes the place of pb_public.
	if _, custom := s.routeSites[routeKey(http.MethodGet, "/*")]; s.cfg.PublicDir != "" && !custom {
		if st, err := os.Stat(s.cfg.PublicDir); err == nil && st.IsDir() {
			pub := os.DirFS(s.cfg.PublicDir)
			s.echo.GET("/*", func(c *echo.Context) error { return serveSPA(c, pub, c.Param("*")) })
		}
	}
}

// serveSPA serves a static file, falling back to index.html for client
// routes; hashed assets are cached long, index.html never.
func serveSPA(c *echo.Context, fsys fs.FS, name string) error {
	name = strings.TrimPrefix(name, "/")
	if name == "" {
		name = "index.html"
	}
	if st, err := fs.Stat(fsys, name); err != nil || st.IsDir() {
		if err == nil && st.IsDir() {
			if _, ierr := fs.Stat(fsys, strings.TrimSuffix(name, "/")+"/index.html"); ierr == nil {
				name = strings.TrimSuffix(name, "/") + "/index.html"
			} else {
				name = "index.html"
			}
		} else if strings.Contains(name, ".") && !strings.HasSuffix(name, ".html") {
			return notFound()
		} else {
			name = "index.html"
		}
	}
	if _, err := fs.Stat(fsys, name); err != nil {
		return notFound()
	}
	if strings.HasSuffix(name, ".html") {
		c.Response().Header().Set("Cache-Control", "no-cache")
	} else if strings.HasPrefix(name, "assets/") {
		c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	return c.FileFS(name, fsys)
}

// toEchoPath converts {name} and {name...} to echo's :name and *.
func toEchoPath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, "{") && strings.HasSuffix(part, "}") {
			name := strings.TrimSuffix(strings.TrimPrefix(part, "{"), "}")
			if strings.HasSuffix(name, "...") {
				parts[i] = "*"
			} else {
				parts[i] = ":" + name
			}
		}
	}
	return strings.Join(parts, "/")
}

func (s *Server) requestEvent(c *echo.Context) *core.RequestEvent {
	return &core.RequestEvent{App: s.app, Request: c.Request(), Response: c.Response(), Auth: authOf(c)}
}
