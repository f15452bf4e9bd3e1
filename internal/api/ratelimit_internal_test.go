package api

import (
	"strconv"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// TestRateLimitWindowsCostIndependentOfCount floods the limiter with
// distinct clients (one new window each) and counts the windows examined
// per request: the same at n and 4n, and never more windows held than
// the bound (issue #22: a full sweep per new window once 50,000 existed).
func TestRateLimitWindowsCostIndependentOfCount(t *testing.T) {
	rule := core.RateLimitRule{Label: "*:auth", Duration: 60, MaxRequests: 2}
	perRequest := func(n, bound int) (float64, int) {
		cfg := &limiterConfig{windows: auth.NewExpiringMap[*window](time.Minute, bound)}
		now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
		for i := range n {
			if !cfg.allow("ip"+strconv.Itoa(i), rule, now) {
				t.Fatalf("first request of a new client refused")
			}
			now = now.Add(time.Microsecond)
		}
		before := cfg.windows.Work()
		for i := range n {
			cfg.allow("new"+strconv.Itoa(i), rule, now)
		}
		return float64(cfg.windows.Work()-before) / float64(n), cfg.windows.Len()
	}
	const n = 5_000
	small, heldSmall := perRequest(n, n)
	large, heldLarge := perRequest(4*n, 4*n)
	if heldSmall > n || heldLarge > 4*n {
		t.Fatalf("windows held %d / %d, bound %d / %d", heldSmall, heldLarge, n, 4*n)
	}
	if large > 2*small+1 {
		t.Fatalf("windows examined per request: %.2f at n=%d, %.2f at 4n: cost grows with the number of windows", small, n, large)
	}
}

// TestRateLimitWindow checks the counting itself: a window allows its
// maximum, refuses after, and reopens once its duration has passed.
func TestRateLimitWindow(t *testing.T) {
	rule := core.RateLimitRule{Label: "x", Duration: 10, MaxRequests: 2}
	cfg := &limiterConfig{windows: auth.NewExpiringMap[*window](10*time.Second, 10)}
	t0 := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		name string
		at   time.Duration
		key  string
		want bool
	}{
		{"first", 0, "a", true},
		{"second", time.Second, "a", true},
		{"third refused", 2 * time.Second, "a", false},
		{"other client", 2 * time.Second, "b", true},
		{"still refused before the end", 9 * time.Second, "a", false},
		{"new window after the duration", 10 * time.Second, "a", true},
	}
	for _, s := range steps {
		if got := cfg.allow(s.key, rule, t0.Add(s.at)); got != s.want {
			t.Fatalf("%s: allow = %v, want %v", s.name, got, s.want)
		}
	}
}
