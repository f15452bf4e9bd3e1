package api_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/testenv"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// mark is a middleware that appends name to the X-Order header and goes on.
func mark(name string) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		e.Response.Header().Add("X-Order", name)
		return e.Next()
	}
}

func okAction(e *core.RequestEvent) error { return e.JSON(200, map[string]any{"ok": true}) }

type bindTarget struct {
	Name string   `json:"name" form:"name"`
	Age  int      `json:"age" form:"age"`
	Tags []string `json:"tags" form:"tags"`
}

// customRoutes registers every route the router scenarios use.
func customRoutes(staticDir string) func(r *core.Router) {
	return func(r *core.Router) {
		r.GET("/r/open", okAction)
		r.Add("GET", "/r/add", okAction) // the first hooks' API keeps working
		r.GET("/r/p/{id}/{rest...}", func(e *core.RequestEvent) error {
			return e.String(200, e.PathValue("id")+"|"+e.PathValue("rest"))
		})
		r.GET("/r/auth", func(e *core.RequestEvent) error { return e.String(200, "auth:"+e.Auth.Collection().Name) }).
			Bind(core.RequireAuth())
		r.GET("/r/auth-users", okAction).Bind(core.RequireAuth("users"))
		r.GET("/r/super", okAction).Bind(core.RequireSuperuserAuth())
		r.GET("/r/guest", okAction).Bind(core.RequireGuestOnly())
		r.POST("/r/limit", func(e *core.RequestEvent) error {
			var m map[string]any
			if err := e.BindBody(&m); err != nil {
				return err
			}
			return e.JSON(200, m)
		}).Bind(core.BodyLimit(16))
		r.GET("/r/gzip", func(e *core.RequestEvent) error { return e.String(200, strings.Repeat("basalt ", 500)) }).
			Bind(core.Gzip())
		r.GET("/r/gzip-err", func(e *core.RequestEvent) error { return e.ForbiddenError("no gzip for you", nil) }).
			Bind(core.Gzip())
		r.POST("/r/bind", func(e *core.RequestEvent) error {
			var b bindTarget
			if err := e.BindBody(&b); err != nil {
				return err
			}
			return e.JSON(200, b)
		})
		r.POST("/r/info", func(e *core.RequestEvent) error {
			info, err := e.RequestInfo()
			if err != nil {
				return err
			}
			var b bindTarget // the body is still there after RequestInfo read it
			if err := e.BindBody(&b); err != nil {
				return err
			}
			return e.JSON(200, map[string]any{"query": info.Query["q"], "header": info.Headers["x_custom"],
				"body": info.Body["name"], "bound": b.Name, "method": info.Method, "guest": info.Auth == nil})
		})
		r.GET("/r/ip", func(e *core.RequestEvent) error { return e.String(200, "ip:"+e.RealIP()) })
		r.GET("/r/err/{kind}", func(e *core.RequestEvent) error {
			switch e.PathValue("kind") {
			case "bad":
				return e.BadRequestError("bad thing", core.ValidationErrors{"title": core.ErrRequired()})
			case "notfound":
				return e.NotFoundError("", nil)
			case "forbidden":
				return e.ForbiddenError("", errors.New("secret cause"))
			case "unauthorized":
				return e.UnauthorizedError("who are you", nil)
			default:
				return errors.New("secret internals")
			}
		})
		r.GET("/r/panic", func(*core.RequestEvent) error { panic("kaboom: secret internals") })

		// Priorities: lower first; equal priorities keep binding order.
		r.GET("/r/order", okAction).
			Bind(&core.Middleware{Id: "late", Priority: 10, Func: mark("late")}).
			BindFunc(mark("first0"), mark("second0")).
			Bind(&core.Middleware{Id: "early", Priority: -10, Func: mark("early")}).
			Bind(&core.Middleware{Id: "gone", Func: mark("gone")}).
			Unbind("gone")

		// A middleware that stops the chain: with and without a response.
		r.GET("/r/stop-writes", okAction).BindFunc(func(e *core.RequestEvent) error { return e.String(418, "cached") })
		r.GET("/r/stop-silent", okAction).Bind(&core.Middleware{Id: "forgetful", Func: func(*core.RequestEvent) error { return nil }})

		// Groups: prefixes, inherited middlewares, Unbind of an inherited one.
		g := r.Group("/g")
		g.Bind(&core.Middleware{Id: "gmw", Func: mark("group")})
		g.GET("/plain", okAction).BindFunc(mark("route"))
		g.GET("/unbound", okAction).Unbind("gmw")
		sub := g.Group("/sub").BindFunc(mark("sub"))
		sub.GET("/x", okAction)
		guarded := r.Group("/admin-only").Bind(core.RequireSuperuserAuth())
		guarded.GET("/a", okAction)
		guarded.GET("/open", okAction).Unbind(core.RequireSuperuserAuthMiddlewareId)

		if staticDir != "" {
			r.GET("/files/{path...}", core.Static(os.DirFS(staticDir), false))
			r.GET("/spa/{path...}", core.Static(os.DirFS(staticDir), true))
		}
	}
}

// routerEnv starts a server whose OnServe registers customRoutes, plus
// whatever extra holds when api.New runs (for the duplicate-route cases).
type routerEnv struct {
	*testenv.Server
	extra func(r *core.Router)
}

// staticFixture is the directory the static routes serve: a file and the
// index.html of the single-page fallback.
func staticFixture(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello static"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>spa index</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func newRouterEnv(t *testing.T) *routerEnv {
	t.Helper()
	dir := staticFixture(t)
	env := &routerEnv{}
	env.Server = testenv.StartServer(t, func(app *core.App) error {
		app.OnServe().BindFunc(func(se *core.ServeEvent) error {
			customRoutes(dir)(se.Router)
			if env.extra != nil {
				env.extra(se.Router)
			}
			return se.Next()
		})
		return nil
	})
	return env
}

// TestRouterLogsNameTheRoute: a panic, an unexpected error and a
// middleware that stops silently each leave a log line naming the route
// (method, path, file:line) and, for the stop, the middleware id.
func TestRouterLogsNameTheRoute(t *testing.T) {
	env := newRouterEnv(t)
	var logs syncBuffer
	h, err := api.New(env.App, api.Config{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	cases := []struct {
		name string
		path string
		want []string
	}{
		{name: "panic", path: "/r/panic", want: []string{"custom route panicked", `route="GET /r/panic (api/router_test.go:`, "kaboom"}},
		{name: "plain error", path: "/r/err/plain", want: []string{"custom route returned an error", `route="GET /r/err/{kind} (api/router_test.go:`, "secret internals"}},
		{name: "forgot e.Next()", path: "/r/stop-silent", want: []string{"without calling e.Next()", `route="GET /r/stop-silent (api/router_test.go:`, "middleware=forgetful"}},
		{name: "guard refusal names the middleware", path: "/r/super", want: []string{`route="GET /r/super`, "middleware=" + core.RequireSuperuserAuthMiddlewareId}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(ts.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var line string
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, tc.want[0]) && strings.Contains(l, tc.path[:6]) {
					line = l
				}
			}
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("log line %q lacks %q; all logs:\n%s", line, w, logs.String())
				}
			}
		})
	}
}

// thisLine is the caller's line, to name registration places in tests.
func thisLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

// TestRouterDuplicateRoutePanics: a custom route reusing a method and
// path (parameter names aside) of a built-in or another custom route
// panics at start, naming both registrations.
func TestRouterDuplicateRoutePanics(t *testing.T) {
	env := newRouterEnv(t)
	cases := []struct {
		name     string
		register func(r *core.Router) int // returns the line of the duplicate
		want     []string                 // "" means: no panic
	}{
		{name: "built-in route", register: func(r *core.Router) int {
			r.GET("/api/health", okAction)
			return thisLine() - 1
		}, want: []string{"GET /api/health", "api/health.go:", "(built-in)"}},
		{name: "built-in record route with other param names", register: func(r *core.Router) int {
			r.Group("/api/collections").GET("/{c}/records/{rid}", okAction)
			return thisLine() - 1
		}, want: []string{"GET /api/collections/:c/records/:rid", "api/records.go:"}},
		{name: "custom route of the same test", register: func(r *core.Router) int {
			r.GET("/r/p/{other}/{x...}", okAction)
			return thisLine() - 1
		}, want: []string{"GET /r/p/:other/*", "api/router_test.go:"}},
		{name: "custom route registered twice", register: func(r *core.Router) int {
			r.POST("/r/open", okAction) // another method is fine
			r.GET("/r/open", okAction)
			return thisLine() - 1
		}, want: []string{"GET /r/open"}},
		{name: "another method is no duplicate", register: func(r *core.Router) int {
			r.DELETE("/api/health", okAction)
			return 0
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var line int
			env.extra = func(r *core.Router) { line = tc.register(r) }
			defer func() { env.extra = nil }()
			var msg string
			func() {
				defer func() {
					if p := recover(); p != nil {
						msg = fmt.Sprint(p)
					}
				}()
				_, _ = api.New(env.App, api.Config{})
			}()
			t.Logf("panic: %s", msg)
			if len(tc.want) == 0 {
				if msg != "" {
					t.Fatalf("unexpected panic: %s", msg)
				}
				return
			}
			if msg == "" {
				t.Fatal("no panic for a duplicate route")
			}
			for _, w := range append(tc.want, fmt.Sprintf("router_test.go:%d", line)) {
				if !strings.Contains(msg, w) {
					t.Errorf("panic %q lacks %q", msg, w)
				}
			}
			if strings.Count(msg, " at ") < 2 && strings.Count(msg, ".go:") < 2 {
				t.Errorf("panic %q does not name two places", msg)
			}
		})
	}
}

// TestRouterCatchAllReplacesPublicDir: a custom GET /{path...} (e.g.
// core.Static) takes the place of the automatic pb_public route instead of
// colliding with it.
func TestRouterCatchAllReplacesPublicDir(t *testing.T) {
	env := newRouterEnv(t)
	pub := t.TempDir()
	if err := os.WriteFile(filepath.Join(pub, "index.html"), []byte("pb_public index"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		extra func(r *core.Router)
		want  string
	}{
		{name: "no catch-all: pb_public", want: "pb_public index"},
		{name: "custom catch-all wins", extra: func(r *core.Router) {
			r.GET("/{path...}", func(e *core.RequestEvent) error { return e.String(200, "custom:"+e.PathValue("path")) })
		}, want: "custom:some/page"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env.extra = tc.extra
			defer func() { env.extra = nil }()
			h, err := api.New(env.App, api.Config{PublicDir: pub})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(h)
			defer ts.Close()
			resp, err := http.Get(ts.URL + "/some/page")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || string(raw) != tc.want {
				t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, raw, tc.want)
			}
		})
	}
}
