package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/testenv"
)

// TestAdminCSP: every response of the dashboard (/_/ and its assets and
// client routes) carries the strict Content-Security-Policy, and the API
// and pb_public responses do not (the policy is the dashboard's, not the
// operator site's).
func TestAdminCSP(t *testing.T) {
	// testenv's app, served by a handler of our own that has a dashboard
	// and a pb_public (testenv's has neither)
	app := testenv.StartServer(t).App
	adminFS := fstest.MapFS{
		"index.html":       {Data: []byte(`<!doctype html><script src="./theme.js"></script><div id="app"></div>`)},
		"theme.js":         {Data: []byte(`void 0`)},
		"assets/index.js":  {Data: []byte(`void 0`)},
		"assets/index.css": {Data: []byte(`body{}`)},
	}
	pub := t.TempDir()
	h, err := api.New(app, api.Config{AdminFS: adminFS, PublicDir: pub})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)

	// the directives the dashboard's safety rests on
	want := []string{
		"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
		"frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'",
	}
	for _, tc := range []struct {
		name, method, path string
		status             int
		csp                bool
	}{
		{"dashboard root", "GET", "/_/", 200, true},
		{"dashboard index", "GET", "/_/index.html", 200, true},
		{"client route falls back to index", "GET", "/_/collections/posts", 200, true},
		{"hashed asset", "GET", "/_/assets/index.js", 200, true},
		{"stylesheet", "GET", "/_/assets/index.css", 200, true},
		{"theme script", "GET", "/_/theme.js", 200, true},
		{"missing asset", "GET", "/_/assets/nope.js", 404, true},
		{"HEAD of the dashboard", "HEAD", "/_/", 200, true},
		{"API", "GET", "/api/health", 200, false},
		{"pb_public", "GET", "/", 404, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, nil)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			csp := res.Header.Get("Content-Security-Policy")
			if !tc.csp {
				if csp != "" {
					t.Fatalf("unexpected CSP %q", csp)
				}
				return
			}
			if csp == "" {
				t.Fatal("no Content-Security-Policy header")
			}
			for _, d := range want {
				if !strings.Contains(csp, d) {
					t.Errorf("CSP %q lacks %q", csp, d)
				}
			}
			for _, weak := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} {
				if strings.Contains(csp, weak) {
					t.Errorf("CSP %q allows %s", csp, weak)
				}
			}
			if got := res.Header.Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("X-Frame-Options %q, want DENY", got)
			}
		})
	}
}
