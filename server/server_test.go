package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWWWRedirect(t *testing.T) {
	h := wwwRedirect([]string{"example.com"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(299)
	}))
	cases := []struct {
		name     string
		host     string
		status   int
		location string
	}{
		{"www goes to the bare domain", "www.example.com", http.StatusTemporaryRedirect, "https://example.com/api/health?x=1"},
		{"www with port", "www.example.com:443", http.StatusTemporaryRedirect, "https://example.com/api/health?x=1"},
		{"bare domain served", "example.com", 299, ""},
		{"other host served", "other.test", 299, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "http://"+tc.host+"/api/health?x=1", nil)
			req.Host = tc.host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status || rec.Header().Get("Location") != tc.location {
				t.Fatalf("got %d %q", rec.Code, rec.Header().Get("Location"))
			}
		})
	}
}

func TestCertManagerAllowsDomainsAndWWW(t *testing.T) {
	m := certManager(t.TempDir(), []string{"example.com"})
	for _, host := range []string{"example.com", "www.example.com"} {
		if err := m.HostPolicy(t.Context(), host); err != nil {
			t.Errorf("%s refused: %v", host, err)
		}
	}
	if err := m.HostPolicy(t.Context(), "evil.test"); err == nil {
		t.Error("unlisted host accepted")
	}
}
