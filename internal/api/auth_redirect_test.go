package api_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/testenv"
)

// appleUser is the "user" form value Apple posts on a first sign-in.
const appleUser = `{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"ada@example.com"}`

// floodRedirects posts k OAuth2 redirects with made-up states and Apple
// names, as an unauthenticated flood would.
func floodRedirects(t *testing.T, s *testenv.Server, prefix string, k int) {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := range k {
		form := url.Values{"state": {"fake" + prefix + strconv.Itoa(i)}, "code": {prefix + strconv.Itoa(i)}, "user": {appleUser}}
		res, err := noRedirect.Post(s.URL+"/api/oauth2-redirect", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "oauth2-redirect-failure") {
			t.Fatalf("redirect %d: %d %s", i, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

// TestOAuth2RedirectFloodStoresNothing (issue #22, defect 10): redirects
// whose state matches no waiting client keep none of the names they
// carry, so a flood cannot grow the server's state.
func TestOAuth2RedirectFloodStoresNothing(t *testing.T) {
	s := testenv.StartServer(t)
	floodRedirects(t, s, "f", 300)
	if n := api.PendingAppleNames(s.API); n != 0 {
		t.Fatalf("after 300 redirects with made-up states: %d names kept, want 0", n)
	}
}

// TestOAuth2RedirectCostIndependentOfPending (issue #22, defect 10): the
// work of one redirect does not depend on how many names wait for their
// auth-with-oauth2 call (n vs 4n, counted in map items examined; the old
// handler walked every pending entry on each request).
func TestOAuth2RedirectCostIndependentOfPending(t *testing.T) {
	const k = 200
	perRequest := func(n int) float64 {
		s := testenv.StartServer(t)
		now := s.App.Now()
		for i := range n {
			api.RememberAppleName(s.API, "pending"+strconv.Itoa(i), "Name", now)
		}
		before := api.AppleNamesWork(s.API)
		floodRedirects(t, s, "x", k)
		if got := api.PendingAppleNames(s.API); got != n {
			t.Fatalf("pending names = %d, want the %d waiting ones", got, n)
		}
		return float64(api.AppleNamesWork(s.API)-before) / k
	}
	small, large := perRequest(2_000), perRequest(8_000)
	if large > small*1.5+1 {
		t.Fatalf("work per redirect grows with pending names: %.2f at n=2000, %.2f at n=8000", small, large)
	}
}
