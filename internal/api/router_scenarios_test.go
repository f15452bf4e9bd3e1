package api_test

import (
	"compress/gzip"
	"io"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/tests"
)

// routerApp serves customRoutes through the public test harness.
func routerApp(t testing.TB) *tests.TestApp {
	dir := staticFixture(t)
	return tests.NewTestApp(t, tests.Options{OnOpen: func(app *core.App) error {
		app.OnServe().BindFunc(func(se *core.ServeEvent) error {
			customRoutes(dir)(se.Router)
			return se.Next()
		})
		return nil
	}})
}

// body is a request body for a scenario table.
func body(s string) io.Reader { return strings.NewReader(s) }

// TestRouterScenarios: every router middleware and request/error helper,
// priorities, Unbind, groups, static serving, panics and stopped chains,
// through the real server, as scenario tables of the public harness.
func TestRouterScenarios(t *testing.T) {
	app := routerApp(t)
	su := app.CreateSuperuser("admin@example.com", "password123")
	_, user := app.CreateAuthRecord("users", "u@example.com", "password123")
	auth := func(token string) map[string]string { return map[string]string{"Authorization": token} }
	js := map[string]string{"Content-Type": "application/json"}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	varyHas := func(want string) func(t testing.TB, _ *tests.TestApp, res *tests.Response) {
		return func(t testing.TB, _ *tests.TestApp, res *tests.Response) {
			if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), want) {
				t.Errorf("Vary %v lacks %s", res.Header.Values("Vary"), want)
			}
		}
	}
	gunzips := func(t testing.TB, app *tests.TestApp, res *tests.Response) {
		varyHas("Accept-Encoding")(t, app, res)
		zr, err := gzip.NewReader(strings.NewReader(string(res.Body)))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !strings.HasPrefix(string(plain), "basalt basalt") || len(plain) != 3500 {
			t.Errorf("gunzipped body %d bytes (%v)", len(plain), err)
		}
	}
	// Handlers of custom routes are no hooks: a plain route fires none
	// (OnServe ran at start, before the counts).
	noHooks := map[string]int{tests.AnyOtherEvent: 0}

	tests.RunScenarios(t, app, []tests.ApiScenario{
		{Name: "plain route", URL: "/r/open", ExpectedStatus: 200, ExpectedContent: []string{`"ok":true`}, ExpectedEvents: noHooks},
		{Name: "Router.Add still works", URL: "/r/add", ExpectedStatus: 200, ExpectedContent: []string{`"ok":true`}},
		{Name: "path params and wildcard", URL: "/r/p/abc/x/y.txt", ExpectedStatus: 200, ExpectedContent: []string{"abc|x/y.txt"}},
		{Name: "head on a custom GET", Method: "HEAD", URL: "/r/open", ExpectedStatus: 200},
		{Name: "unknown custom path is the 404 shape", URL: "/r/nope", ExpectedStatus: 404, ExpectedContent: []string{`"status":404`}},

		{Name: "RequireAuth guest", URL: "/r/auth", ExpectedStatus: 401, ExpectedContent: []string{`"status":401`, "record authorization token"}},
		{Name: "RequireAuth user", URL: "/r/auth", Headers: auth(user), ExpectedStatus: 200, ExpectedContent: []string{"auth:users"}},
		{Name: "RequireAuth superuser", URL: "/r/auth", Headers: auth(su), ExpectedStatus: 200, ExpectedContent: []string{"auth:_superusers"}},
		{Name: "RequireAuth bad token is a guest", URL: "/r/auth", Headers: auth("nope"), ExpectedStatus: 401},
		{Name: "RequireAuth(users) user", URL: "/r/auth-users", Headers: auth(user), ExpectedStatus: 200},
		{Name: "RequireAuth(users) superuser", URL: "/r/auth-users", Headers: auth(su), ExpectedStatus: 403, ExpectedContent: []string{`"status":403`}},
		{Name: "RequireAuth(users) guest", URL: "/r/auth-users", ExpectedStatus: 401},
		{Name: "RequireSuperuserAuth guest", URL: "/r/super", ExpectedStatus: 401, ExpectedContent: []string{"superuser authorization token"}},
		{Name: "RequireSuperuserAuth user", URL: "/r/super", Headers: auth(user), ExpectedStatus: 401},
		{Name: "RequireSuperuserAuth superuser", URL: "/r/super", Headers: auth(su), ExpectedStatus: 200},
		{Name: "RequireGuestOnly guest", URL: "/r/guest", ExpectedStatus: 200},
		{Name: "RequireGuestOnly user", URL: "/r/guest", Headers: auth(user), ExpectedStatus: 400, ExpectedContent: []string{"only by guests"}},

		{Name: "BodyLimit under", Method: "POST", URL: "/r/limit", Headers: js, Body: body(`{"a":1}`), ExpectedStatus: 200, ExpectedContent: []string{`"a":1`}},
		{Name: "BodyLimit over by Content-Length", Method: "POST", URL: "/r/limit", Headers: js, Body: body(`{"a":"0123456789abcdef"}`),
			ExpectedStatus: 413, ExpectedContent: []string{`"status":413`}},
		// A reader of unknown length is sent chunked: the limit bites
		// while BindBody reads.
		{Name: "BodyLimit over while streaming", Method: "POST", URL: "/r/limit", Headers: js,
			Body: io.MultiReader(body(`{"a":"` + strings.Repeat("x", 100) + `"}`)), ExpectedStatus: 413, ExpectedContent: []string{`"status":413`}},

		{Name: "Gzip accepted", URL: "/r/gzip", Headers: map[string]string{"Accept-Encoding": "gzip"}, ExpectedStatus: 200,
			ExpectedHeaders: map[string]string{"Content-Encoding": "gzip"}, AfterTestFunc: gunzips},
		{Name: "Gzip not accepted", URL: "/r/gzip", ExpectedStatus: 200, ExpectedContent: []string{"basalt basalt"},
			ExpectedHeaders: map[string]string{"Content-Encoding": ""}},
		{Name: "Gzip error stays plain JSON", URL: "/r/gzip-err", Headers: map[string]string{"Accept-Encoding": "gzip"}, ExpectedStatus: 403,
			ExpectedContent: []string{"No gzip for you."}, ExpectedHeaders: map[string]string{"Content-Encoding": ""}},

		{Name: "BindBody json", Method: "POST", URL: "/r/bind", Headers: js, Body: body(`{"name":"ann","age":7,"tags":["a","b"]}`), ExpectedStatus: 200,
			ExpectedContent: []string{`"name":"ann"`, `"age":7`, `"tags":["a","b"]`}},
		{Name: "BindBody form", Method: "POST", URL: "/r/bind", Headers: form, Body: body(`name=bo&age=9&tags=x&tags=y`), ExpectedStatus: 200,
			ExpectedContent: []string{`"name":"bo"`, `"age":9`, `"tags":["x","y"]`}},
		{Name: "BindBody malformed json", Method: "POST", URL: "/r/bind", Headers: js, Body: body(`{"name":`), ExpectedStatus: 400,
			ExpectedContent: []string{`"status":400`, "invalid formatting"}, NotExpectedContent: []string{"unexpected"}},
		{Name: "BindBody form wrong kind", Method: "POST", URL: "/r/bind", Headers: form, Body: body(`age=old`), ExpectedStatus: 400,
			ExpectedContent: []string{`"age":{"code":"validation_invalid_value"`}},
		{Name: "RequestInfo", Method: "POST", URL: "/r/info?q=search", Headers: map[string]string{"Content-Type": "application/json", "X-Custom": "hv"},
			Body: body(`{"name":"cy"}`), ExpectedStatus: 200,
			ExpectedContent: []string{`"query":"search"`, `"header":"hv"`, `"body":"cy"`, `"bound":"cy"`, `"method":"POST"`, `"guest":true`}},
		{Name: "RealIP", URL: "/r/ip", ExpectedStatus: 200, ExpectedContent: []string{"ip:127.0.0.1"}},

		{Name: "BadRequestError with field data", URL: "/r/err/bad", ExpectedStatus: 400,
			ExpectedContent: []string{`"message":"Bad thing."`, `"title":{"code":"validation_required"`}},
		{Name: "NotFoundError generic", URL: "/r/err/notfound", ExpectedStatus: 404, ExpectedContent: []string{"wasn't found"}},
		{Name: "ForbiddenError hides cause", URL: "/r/err/forbidden", ExpectedStatus: 403, NotExpectedContent: []string{"secret"}},
		{Name: "UnauthorizedError", URL: "/r/err/unauthorized", ExpectedStatus: 401, ExpectedContent: []string{"Who are you."}},
		{Name: "plain error is a generic 400", URL: "/r/err/plain", ExpectedStatus: 400,
			ExpectedContent: []string{"Something went wrong"}, NotExpectedContent: []string{"secret"}},
		{Name: "panic is a 500 in the error shape", URL: "/r/panic", ExpectedStatus: 500,
			ExpectedContent: []string{`"status":500`}, NotExpectedContent: []string{"kaboom", "secret"}},

		{Name: "priority order", URL: "/r/order", ExpectedStatus: 200, ExpectedHeaders: map[string]string{"X-Order": "early,first0,second0,late"}},
		{Name: "middleware stops with a response", URL: "/r/stop-writes", ExpectedStatus: 418, ExpectedContent: []string{"cached"}, NotExpectedContent: []string{"ok"}},
		{Name: "middleware stops silently", URL: "/r/stop-silent", ExpectedStatus: 500, ExpectedContent: []string{`"status":500`},
			NotExpectedContent: []string{"forgetful"}, ExpectedHeaders: map[string]string{"X-Order": ""}},

		{Name: "group prefix and middlewares", URL: "/g/plain", ExpectedStatus: 200, ExpectedHeaders: map[string]string{"X-Order": "group,route"}},
		{Name: "group middleware unbound on a route", URL: "/g/unbound", ExpectedStatus: 200, ExpectedHeaders: map[string]string{"X-Order": ""}},
		{Name: "nested group", URL: "/g/sub/x", ExpectedStatus: 200, ExpectedHeaders: map[string]string{"X-Order": "group,sub"}},
		{Name: "group without prefix match", URL: "/plain", ExpectedStatus: 404},
		{Name: "group guard applies", URL: "/admin-only/a", ExpectedStatus: 401},
		{Name: "group guard as superuser", URL: "/admin-only/a", Headers: auth(su), ExpectedStatus: 200},
		{Name: "group guard unbound by its id", URL: "/admin-only/open", ExpectedStatus: 200},

		{Name: "static file", URL: "/files/hello.txt", ExpectedStatus: 200, ExpectedContent: []string{"hello static"}},
		{Name: "static missing", URL: "/files/missing.txt", ExpectedStatus: 404, ExpectedContent: []string{`"status":404`}},
		{Name: "static traversal stays inside", URL: "/files/..%2f..%2fetc%2fpasswd", ExpectedStatus: 404},
		{Name: "static spa fallback", URL: "/spa/some/client/route", ExpectedStatus: 200, ExpectedContent: []string{"spa index"}},
	})
}
