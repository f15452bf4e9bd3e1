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
			checkNoWeakSource(t, csp)
			if got := res.Header.Get("X-Frame-Options"); got != "DENY" {
				t.Errorf("X-Frame-Options %q, want DENY", got)
			}
		})
	}
}

// checkNoWeakSource fails when a source expression of csp lets in more
// than named hosts: unsafe-inline/eval, "*", a bare scheme ("https:"), or a
// wildcard host other than CSP's "*." subdomain form.
func checkNoWeakSource(t *testing.T, csp string) {
	t.Helper()
	for _, dir := range strings.Split(csp, ";") {
		for _, src := range strings.Fields(dir)[1:] {
			switch {
			case src == "'unsafe-inline'" || src == "'unsafe-eval'" || src == "*":
				t.Errorf("CSP %q allows %s", csp, src)
			case strings.HasSuffix(src, ":") && !strings.Contains(src, "/") && src != "data:" && src != "blob:":
				t.Errorf("CSP %q allows the whole scheme %s", csp, src)
			case strings.Contains(strings.TrimPrefix(hostOf(src), "*."), "*"):
				t.Errorf("CSP %q has a wildcard source %s", csp, src)
			}
		}
	}
}

// hostOf is the part of a source expression after its scheme.
func hostOf(src string) string {
	if _, host, ok := strings.Cut(src, "://"); ok {
		return host
	}
	return src
}

// TestAdminCSPMapTiles: the configured map tile origins join img-src of
// the dashboard's policy (and nothing else), and bad origins are refused
// when the server is built.
func TestAdminCSPMapTiles(t *testing.T) {
	app := testenv.StartServer(t).App
	adminFS := fstest.MapFS{"index.html": {Data: []byte(`<!doctype html><div id="app"></div>`)}}
	h, err := api.New(app, api.Config{AdminFS: adminFS, MapTileOrigins: []string{"https://tile.openstreetmap.org", "http://127.0.0.1:8081"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	res, err := http.Get(ts.URL + "/_/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "img-src 'self' data: blob: https://tile.openstreetmap.org http://127.0.0.1:8081;") {
		t.Fatalf("img-src lacks the tile origins: %q", csp)
	}
	if !strings.Contains(csp, "connect-src 'self';") || !strings.Contains(csp, "script-src 'self';") {
		t.Fatalf("the tile origins leaked into other directives: %q", csp)
	}
	checkNoWeakSource(t, csp)

	if _, err := api.New(app, api.Config{MapTileOrigins: []string{"https://x.test; script-src *"}}); err == nil {
		t.Fatal("an origin carrying another directive was accepted")
	}
}

func TestParseTileOrigins(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
		bad      bool
	}{
		{"empty", "", nil, false},
		{"one", "https://tile.openstreetmap.org", []string{"https://tile.openstreetmap.org"}, false},
		{"list with spaces and a trailing slash", " https://a.test/ , http://127.0.0.1:8081", []string{"https://a.test", "http://127.0.0.1:8081"}, false},
		{"subdomain wildcard", "https://*.tiles.test", []string{"https://*.tiles.test"}, false},
		{"bare scheme", "https:", nil, true},
		{"star", "*", nil, true},
		{"wildcard inside a label", "https://a*.test", nil, true},
		{"path", "https://a.test/tiles/{z}", nil, true},
		{"query", "https://a.test?x=1", nil, true},
		{"other scheme", "ftp://a.test", nil, true},
		{"javascript", "javascript:alert(1)", nil, true},
		{"directive injection", "https://a.test;script-src *", nil, true},
		{"quote", "'unsafe-inline'", nil, true},
		{"credentials", "https://u:p@a.test", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := api.ParseTileOrigins(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("accepted %q as %v", tc.in, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
