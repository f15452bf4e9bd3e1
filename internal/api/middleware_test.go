package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

func TestMiddleware(t *testing.T) {
	register := func(app *core.App) error {
		app.OnServe().BindFunc(func(e *core.ServeEvent) error {
			e.Router.Add("GET", "/api/panic", func(*core.RequestEvent) error { panic("kaboom: secret internals") })
			return e.Next()
		})
		return nil
	}
	s := testenv.StartServer(t, register)
	su := s.Superuser("admin@example.com", "password123")

	do := func(method, path string, hdr map[string]string, body []byte) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	readAll := func(r *http.Response) string {
		var b bytes.Buffer
		_, _ = b.ReadFrom(r.Body)
		return b.String()
	}

	cases := []struct {
		name   string
		method string
		path   string
		hdr    map[string]string
		body   []byte
		status int
		header map[string]string
		inBody string
		notIn  string
	}{
		{name: "security headers", method: "GET", path: "/api/health", status: 200,
			header: map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN", "X-XSS-Protection": "1; mode=block"}},
		{name: "cors simple request", method: "GET", path: "/api/health", hdr: map[string]string{"Origin": "http://foo.test"}, status: 200,
			header: map[string]string{"Access-Control-Allow-Origin": "*"}},
		{name: "cors preflight", method: "OPTIONS", path: "/api/collections/x/records",
			hdr:    map[string]string{"Origin": "http://foo.test", "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "authorization,content-type"},
			status: 204, header: map[string]string{"Access-Control-Allow-Methods": "GET,HEAD,PUT,PATCH,POST,DELETE", "Access-Control-Allow-Headers": "authorization,content-type"}},
		{name: "panic is a 500 without internals", method: "GET", path: "/api/panic", status: 500, inBody: `"status":500`, notIn: "kaboom"},
		{name: "server keeps serving after a panic", method: "GET", path: "/api/health", status: 200},
		{name: "body over the limit", method: "POST", path: "/api/collections", hdr: map[string]string{"Content-Type": "application/json", "Authorization": su},
			body: bytes.Repeat([]byte(" "), 33<<20), status: 413, inBody: "Request entity too large."},
		{name: "health shows details to superusers", method: "GET", path: "/api/health", hdr: map[string]string{"Authorization": "Bearer " + su, "X-Forwarded-For": "1.2.3.4"},
			status: 200, inBody: `"possibleProxyHeader":"X-Forwarded-For"`},
		{name: "lowercase bearer accepted", method: "GET", path: "/api/settings", hdr: map[string]string{"Authorization": "bearer " + su}, status: 200},
		{name: "other scheme is a guest", method: "GET", path: "/api/settings", hdr: map[string]string{"Authorization": "Token " + su}, status: 401},
		{name: "garbage token is a guest", method: "GET", path: "/api/health", hdr: map[string]string{"Authorization": "x.y.z"}, status: 200, notIn: "realIP"},
		{name: "wrong method is generic 404", method: "DELETE", path: "/api/health", status: 404, inBody: "The requested resource wasn't found."},
		{name: "unsupported content type", method: "POST", path: "/api/collections/users/records", hdr: map[string]string{"Content-Type": "text/plain"}, body: []byte("x"), status: 400, inBody: "Unsupported Content-Type."},
		{name: "json trailing garbage", method: "POST", path: "/api/collections/users/records", hdr: map[string]string{"Content-Type": "application/json"}, body: []byte(`{"a":1} x`), status: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(tc.method, tc.path, tc.hdr, tc.body)
			body := readAll(resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tc.status, body)
			}
			for k, v := range tc.header {
				if got := resp.Header.Get(k); got != v {
					t.Fatalf("%s = %q, want %q", k, got, v)
				}
			}
			if tc.inBody != "" && !strings.Contains(body, tc.inBody) {
				t.Fatalf("body %s lacks %q", body, tc.inBody)
			}
			if tc.notIn != "" && strings.Contains(body, tc.notIn) {
				t.Fatalf("body %s leaks %q", body, tc.notIn)
			}
		})
	}
}
