package api_test

import (
	"bytes"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/tests"
)

// TestMiddleware: the server-wide middlewares (security headers, CORS,
// panic recovery, body limit, token parsing, content types), as a
// scenario table of the public harness.
func TestMiddleware(t *testing.T) {
	app := tests.NewTestApp(t, tests.Options{OnOpen: func(app *core.App) error {
		app.OnServe().BindFunc(func(e *core.ServeEvent) error {
			e.Router.Add("GET", "/api/panic", func(*core.RequestEvent) error { panic("kaboom: secret internals") })
			return e.Next()
		})
		return nil
	}})
	su := app.CreateSuperuser("admin@example.com", "password123")
	jsonAs := map[string]string{"Content-Type": "application/json", "Authorization": su}

	tests.RunScenarios(t, app, []tests.ApiScenario{
		{Name: "security headers", URL: "/api/health", ExpectedStatus: 200,
			ExpectedHeaders: map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN", "X-XSS-Protection": "1; mode=block"}},
		{Name: "cors simple request", URL: "/api/health", Headers: map[string]string{"Origin": "http://foo.test"}, ExpectedStatus: 200,
			ExpectedHeaders: map[string]string{"Access-Control-Allow-Origin": "*"}},
		{Name: "cors preflight", Method: "OPTIONS", URL: "/api/collections/x/records",
			Headers:        map[string]string{"Origin": "http://foo.test", "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "authorization,content-type"},
			ExpectedStatus: 204, ExpectedHeaders: map[string]string{"Access-Control-Allow-Methods": "GET,HEAD,PUT,PATCH,POST,DELETE", "Access-Control-Allow-Headers": "authorization,content-type"}},
		{Name: "panic is a 500 without internals", URL: "/api/panic", ExpectedStatus: 500, ExpectedContent: []string{`"status":500`}, NotExpectedContent: []string{"kaboom"}},
		{Name: "server keeps serving after a panic", URL: "/api/health", ExpectedStatus: 200},
		{Name: "body over the limit", Method: "POST", URL: "/api/collections", Headers: jsonAs,
			Body: bytes.NewReader(bytes.Repeat([]byte(" "), 33<<20)), ExpectedStatus: 413, ExpectedContent: []string{"Request entity too large."},
			ExpectedEvents: map[string]int{"OnCollectionCreateRequest": 0}},
		{Name: "health shows details to superusers", URL: "/api/health", Headers: map[string]string{"Authorization": "Bearer " + su, "X-Forwarded-For": "1.2.3.4"},
			ExpectedStatus: 200, ExpectedContent: []string{`"possibleProxyHeader":"X-Forwarded-For"`}},
		{Name: "lowercase bearer accepted", URL: "/api/settings", Headers: map[string]string{"Authorization": "bearer " + su}, ExpectedStatus: 200},
		{Name: "other scheme is a guest", URL: "/api/settings", Headers: map[string]string{"Authorization": "Token " + su}, ExpectedStatus: 401},
		{Name: "garbage token is a guest", URL: "/api/health", Headers: map[string]string{"Authorization": "x.y.z"}, ExpectedStatus: 200, NotExpectedContent: []string{"realIP"}},
		{Name: "wrong method is generic 404", Method: "DELETE", URL: "/api/health", ExpectedStatus: 404, ExpectedContent: []string{"The requested resource wasn't found."}},
		{Name: "unsupported content type", Method: "POST", URL: "/api/collections/users/records", Headers: map[string]string{"Content-Type": "text/plain"},
			Body: bytes.NewReader([]byte("x")), ExpectedStatus: 400, ExpectedContent: []string{"Unsupported Content-Type."},
			ExpectedEvents: map[string]int{"OnRecordCreate": 0}},
		{Name: "json trailing garbage", Method: "POST", URL: "/api/collections/users/records", Headers: map[string]string{"Content-Type": "application/json"},
			Body: bytes.NewReader([]byte(`{"a":1} x`)), ExpectedStatus: 400, ExpectedEvents: map[string]int{"OnRecordCreate": 0}},
	})
}
