package api_test

import (
	"bytes"
	"compress/gzip"
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

func newRouterEnv(t *testing.T) *routerEnv {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello static"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>spa index</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
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

func (env *routerEnv) raw(t *testing.T, method, path string, hdr map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, env.URL+path, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func TestRouterScenarios(t *testing.T) {
	env := newRouterEnv(t)
	su := env.Superuser("admin@example.com", "password123")
	status, body := env.Do("POST", "/api/collections/users/records", su, map[string]any{
		"email": "u@example.com", "password": "password123", "passwordConfirm": "password123"})
	if status != 200 {
		t.Fatalf("create user: %d %v", status, body)
	}
	status, body = env.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": "u@example.com", "password": "password123"})
	if status != 200 {
		t.Fatalf("login: %d %v", status, body)
	}
	user := body["token"].(string)
	js := map[string]string{"Content-Type": "application/json"}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}

	cases := []struct {
		name   string
		method string
		path   string
		hdr    map[string]string
		body   string
		status int
		inBody []string
		notIn  []string
		header map[string]string
		vary   string
	}{
		{name: "plain route", method: "GET", path: "/r/open", status: 200, inBody: []string{`"ok":true`}},
		{name: "Router.Add still works", method: "GET", path: "/r/add", status: 200, inBody: []string{`"ok":true`}},
		{name: "path params and wildcard", method: "GET", path: "/r/p/abc/x/y.txt", status: 200, inBody: []string{"abc|x/y.txt"}},
		{name: "head on a custom GET", method: "HEAD", path: "/r/open", status: 200},
		{name: "unknown custom path is the 404 shape", method: "GET", path: "/r/nope", status: 404, inBody: []string{`"status":404`}},

		{name: "RequireAuth guest", method: "GET", path: "/r/auth", status: 401, inBody: []string{`"status":401`, "record authorization token"}},
		{name: "RequireAuth user", method: "GET", path: "/r/auth", hdr: map[string]string{"Authorization": user}, status: 200, inBody: []string{"auth:users"}},
		{name: "RequireAuth superuser", method: "GET", path: "/r/auth", hdr: map[string]string{"Authorization": su}, status: 200, inBody: []string{"auth:_superusers"}},
		{name: "RequireAuth bad token is a guest", method: "GET", path: "/r/auth", hdr: map[string]string{"Authorization": "nope"}, status: 401},
		{name: "RequireAuth(users) user", method: "GET", path: "/r/auth-users", hdr: map[string]string{"Authorization": user}, status: 200},
		{name: "RequireAuth(users) superuser", method: "GET", path: "/r/auth-users", hdr: map[string]string{"Authorization": su}, status: 403, inBody: []string{`"status":403`}},
		{name: "RequireAuth(users) guest", method: "GET", path: "/r/auth-users", status: 401},
		{name: "RequireSuperuserAuth guest", method: "GET", path: "/r/super", status: 401, inBody: []string{"superuser authorization token"}},
		{name: "RequireSuperuserAuth user", method: "GET", path: "/r/super", hdr: map[string]string{"Authorization": user}, status: 401},
		{name: "RequireSuperuserAuth superuser", method: "GET", path: "/r/super", hdr: map[string]string{"Authorization": su}, status: 200},
		{name: "RequireGuestOnly guest", method: "GET", path: "/r/guest", status: 200},
		{name: "RequireGuestOnly user", method: "GET", path: "/r/guest", hdr: map[string]string{"Authorization": user}, status: 400, inBody: []string{"only by guests"}},

		{name: "BodyLimit under", method: "POST", path: "/r/limit", hdr: js, body: `{"a":1}`, status: 200, inBody: []string{`"a":1`}},
		{name: "BodyLimit over by Content-Length", method: "POST", path: "/r/limit", hdr: js, body: `{"a":"0123456789abcdef"}`, status: 413, inBody: []string{`"status":413`}},

		{name: "Gzip accepted", method: "GET", path: "/r/gzip", hdr: map[string]string{"Accept-Encoding": "gzip"}, status: 200,
			header: map[string]string{"Content-Encoding": "gzip"}, vary: "Accept-Encoding"},
		{name: "Gzip not accepted", method: "GET", path: "/r/gzip", status: 200, inBody: []string{"basalt basalt"}, header: map[string]string{"Content-Encoding": ""}},
		{name: "Gzip error stays plain JSON", method: "GET", path: "/r/gzip-err", hdr: map[string]string{"Accept-Encoding": "gzip"}, status: 403,
			inBody: []string{"No gzip for you."}, header: map[string]string{"Content-Encoding": ""}},

		{name: "BindBody json", method: "POST", path: "/r/bind", hdr: js, body: `{"name":"ann","age":7,"tags":["a","b"]}`, status: 200,
			inBody: []string{`"name":"ann"`, `"age":7`, `"tags":["a","b"]`}},
		{name: "BindBody form", method: "POST", path: "/r/bind", hdr: form, body: `name=bo&age=9&tags=x&tags=y`, status: 200,
			inBody: []string{`"name":"bo"`, `"age":9`, `"tags":["x","y"]`}},
		{name: "BindBody malformed json", method: "POST", path: "/r/bind", hdr: js, body: `{"name":`, status: 400,
			inBody: []string{`"status":400`, "invalid formatting"}, notIn: []string{"unexpected"}},
		{name: "BindBody form wrong kind", method: "POST", path: "/r/bind", hdr: form, body: `age=old`, status: 400,
			inBody: []string{`"age":{"code":"validation_invalid_value"`}},
		{name: "RequestInfo", method: "POST", path: "/r/info?q=search", hdr: map[string]string{"Content-Type": "application/json", "X-Custom": "hv"},
			body: `{"name":"cy"}`, status: 200, inBody: []string{`"query":"search"`, `"header":"hv"`, `"body":"cy"`, `"bound":"cy"`, `"method":"POST"`, `"guest":true`}},
		{name: "RealIP", method: "GET", path: "/r/ip", status: 200, inBody: []string{"ip:127.0.0.1"}},

		{name: "BadRequestError with field data", method: "GET", path: "/r/err/bad", status: 400,
			inBody: []string{`"message":"Bad thing."`, `"title":{"code":"validation_required"`}},
		{name: "NotFoundError generic", method: "GET", path: "/r/err/notfound", status: 404, inBody: []string{"wasn't found"}},
		{name: "ForbiddenError hides cause", method: "GET", path: "/r/err/forbidden", status: 403, notIn: []string{"secret"}},
		{name: "UnauthorizedError", method: "GET", path: "/r/err/unauthorized", status: 401, inBody: []string{"Who are you."}},
		{name: "plain error is a generic 400", method: "GET", path: "/r/err/plain", status: 400,
			inBody: []string{"Something went wrong"}, notIn: []string{"secret"}},
		{name: "panic is a 500 in the error shape", method: "GET", path: "/r/panic", status: 500,
			inBody: []string{`"status":500`}, notIn: []string{"kaboom", "secret"}},

		{name: "priority order", method: "GET", path: "/r/order", status: 200},
		{name: "middleware stops with a response", method: "GET", path: "/r/stop-writes", status: 418, inBody: []string{"cached"}, notIn: []string{"ok"}},
		{name: "middleware stops silently", method: "GET", path: "/r/stop-silent", status: 500, inBody: []string{`"status":500`}, notIn: []string{"forgetful"}},

		{name: "group prefix and middlewares", method: "GET", path: "/g/plain", status: 200},
		{name: "group middleware unbound on a route", method: "GET", path: "/g/unbound", status: 200},
		{name: "nested group", method: "GET", path: "/g/sub/x", status: 200},
		{name: "group without prefix match", method: "GET", path: "/plain", status: 404},
		{name: "group guard applies", method: "GET", path: "/admin-only/a", status: 401},
		{name: "group guard as superuser", method: "GET", path: "/admin-only/a", hdr: map[string]string{"Authorization": su}, status: 200},
		{name: "group guard unbound by its id", method: "GET", path: "/admin-only/open", status: 200},

		{name: "static file", method: "GET", path: "/files/hello.txt", status: 200, inBody: []string{"hello static"}},
		{name: "static missing", method: "GET", path: "/files/missing.txt", status: 404, inBody: []string{`"status":404`}},
		{name: "static traversal stays inside", method: "GET", path: "/files/..%2f..%2fetc%2fpasswd", status: 404},
		{name: "static spa fallback", method: "GET", path: "/spa/some/client/route", status: 200, inBody: []string{"spa index"}},
	}
	orders := map[string]string{
		"/r/order":       "early,first0,second0,late",
		"/g/plain":       "group,route",
		"/g/unbound":     "",
		"/g/sub/x":       "group,sub",
		"/r/stop-silent": "",
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := env.raw(t, tc.method, tc.path, tc.hdr, tc.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tc.status, body)
			}
			for _, s := range tc.inBody {
				if !strings.Contains(body, s) {
					t.Errorf("body %q lacks %q", body, s)
				}
			}
			for _, s := range tc.notIn {
				if strings.Contains(body, s) {
					t.Errorf("body %q contains %q", body, s)
				}
			}
			for k, v := range tc.header {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tc.vary != "" && !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), tc.vary) {
				t.Errorf("Vary %v lacks %s", resp.Header.Values("Vary"), tc.vary)
			}
			if want, ok := orders[tc.path]; ok {
				if got := strings.Join(resp.Header.Values("X-Order"), ","); got != want {
					t.Errorf("middleware order %q, want %q", got, want)
				}
			}
			if resp.Header.Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				plain, err := io.ReadAll(zr)
				if err != nil || !strings.HasPrefix(string(plain), "basalt basalt") || len(plain) != 3500 {
					t.Errorf("gunzipped body %d bytes (%v)", len(plain), err)
				}
			}
		})
	}
}

// TestRouterBodyLimitWhileStreaming: a chunked body (no Content-Length)
// past the limit fails BindBody with 413.
func TestRouterBodyLimitWhileStreaming(t *testing.T) {
	env := newRouterEnv(t)
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte(`{"a":"` + strings.Repeat("x", 100) + `"}`))
		_ = pw.Close()
	}()
	req, _ := http.NewRequest("POST", env.URL+"/r/limit", pr)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.Contains(string(raw), `"status":413`) {
		t.Fatalf("status %d body %s", resp.StatusCode, raw)
	}
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
