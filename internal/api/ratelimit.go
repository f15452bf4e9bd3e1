package api

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// Rate limiting (spec §10.1): fixed windows per matched rule and client
// IP, configured by settings.rateLimits, superusers exempt. Every counter
// is dropped when the settings change.

// errTooManyRequests is the 429 envelope of spec §8.4.
func errTooManyRequests() error {
	return core.NewError(core.CodeTooManyRequests, "Too Many Requests.", nil)
}

type limiterConfig struct {
	enabled      bool
	rules        []core.RateLimitRule
	proxyHeaders []string
	leftmost     bool
	// windows holds one counter per (rule, client) key, each living for
	// the longest rule's duration after it was opened. It belongs to the
	// settings it was built from: a settings change starts over.
	windows *auth.ExpiringMap[*window]
}

// maxWindows bounds the counters held at once. A flood from more distinct
// addresses than this (IPv6 makes that cheap) evicts the oldest windows —
// those clients start a new window early — instead of growing memory or
// walking every window per request, as a sweep of the whole map did
// (issue #22: O(n) under the limiter's lock once 50,000 windows existed).
const maxWindows = 100_000

type window struct {
	start time.Time
	left  int
}

type rateLimiter struct {
	mu  sync.Mutex
	cfg *limiterConfig // nil: reload from settings
}

func newRateLimiter() *rateLimiter { return &rateLimiter{} }

// config returns the limiter's view of the settings, rebuilt when they
// change (reset).
func (l *rateLimiter) config(app *core.App) *limiterConfig {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cfg == nil {
		st := app.Settings()
		longest := time.Second
		for _, r := range st.RateLimits.Rules {
			longest = max(longest, time.Duration(r.Duration)*time.Second)
		}
		l.cfg = &limiterConfig{
			enabled: st.RateLimits.Enabled, rules: st.RateLimits.Rules,
			proxyHeaders: st.TrustedProxy.Headers, leftmost: st.TrustedProxy.UseLeftmostIP,
			windows: auth.NewExpiringMap[*window](longest, maxWindows),
		}
	}
	return l.cfg
}

// reset forgets the settings and every window.
func (l *rateLimiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cfg = nil
}

// allow takes one request from the window of key, in O(1) amortised
// whatever the number of windows held.
func (cfg *limiterConfig) allow(key string, rule core.RateLimitRule, now time.Time) bool {
	dur := time.Duration(rule.Duration) * time.Second
	ok := false
	cfg.windows.Update(key, now, func(w *window, found bool) (*window, bool) {
		opened := !found || now.Sub(w.start) >= dur
		if opened {
			w = &window{start: now, left: rule.MaxRequests}
		}
		if w.left > 0 {
			w.left--
			ok = true
		}
		// Only a new window is stored (restarting the entry's lifetime);
		// a count taken from a live one changes it in place.
		return w, opened
	})
	return ok
}

// findRule returns the first rule matching one of the candidate labels in
// order (exact label first, then "/"-suffixed prefix rules) whose audience
// fits.
func findRule(rules []core.RateLimitRule, candidates []string, authed bool) (core.RateLimitRule, bool) {
	fits := func(r core.RateLimitRule) bool {
		switch r.Audience {
		case "@guest":
			return !authed
		case "@auth":
			return authed
		}
		return true
	}
	for _, cand := range candidates {
		for _, r := range rules {
			if r.Label == cand && fits(r) {
				return r, true
			}
		}
		var best core.RateLimitRule
		found := false
		for _, r := range rules {
			if strings.HasSuffix(r.Label, "/") && strings.HasPrefix(cand, r.Label) && fits(r) {
				if !found || len(r.Label) > len(best.Label) {
					best, found = r, true
				}
			}
		}
		if found {
			return best, true
		}
	}
	return core.RateLimitRule{}, false
}

// collectionRouteTags maps a collection route (echo path pattern and
// method) to its rate-limit tags (spec §10.1).
func collectionRouteTags(method, pattern string) []string {
	const base = "/api/collections/:collection/"
	if strings.HasPrefix(pattern, "/api/files/:collection/") {
		return []string{"file"}
	}
	rest, ok := strings.CutPrefix(pattern, base)
	if !ok {
		return nil
	}
	switch {
	case rest == "records":
		if method == http.MethodPost {
			return []string{"create"}
		}
		return []string{"list"}
	case rest == "records/:id":
		switch method {
		case http.MethodPatch:
			return []string{"update"}
		case http.MethodDelete:
			return []string{"delete"}
		}
		return []string{"view"}
	}
	tags := map[string][]string{
		"auth-methods":           {"listAuthMethods"},
		"auth-refresh":           {"authRefresh"},
		"auth-with-password":     {"authWithPassword", "auth"},
		"auth-with-oauth2":       {"authWithOAuth2", "auth"},
		"request-otp":            {"requestOTP"},
		"auth-with-otp":          {"authWithOTP", "auth"},
		"request-password-reset": {"requestPasswordReset"},
		"confirm-password-reset": {"confirmPasswordReset"},
		"request-verification":   {"requestVerification"},
		"confirm-verification":   {"confirmVerification"},
		"request-email-change":   {"requestEmailChange"},
		"confirm-email-change":   {"confirmEmailChange"},
	}
	return tags[rest]
}

// rateLimit is the global middleware. It derives the collection tags of
// collection routes (records CRUD, auth endpoints, files) from the matched
// route, so those routes need no per-route wiring.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if cfg := s.auth().limiter.config(s.app); !cfg.enabled || len(cfg.rules) == 0 {
			return next(c) // the common case: no per-request work
		}
		var col *core.Collection
		tags := collectionRouteTags(c.Request().Method, c.Path())
		if len(tags) > 0 {
			col, _ = s.app.FindCollectionByNameOrId(c.Param("collection"))
		}
		if err := s.checkRateLimit(c, col, tags...); err != nil {
			return err
		}
		return next(c)
	}
}

// checkRateLimit applies spec §10.1 to the current request: with col and
// tags it tries "<col>:<tag>" and "*:<tag>" labels first, then
// "METHOD /path" and "/path". It returns the 429 error when the matched
// rule's window is exhausted. The global middleware calls it for every
// route; batch sub-requests can call it per sub-request.
func (s *Server) checkRateLimit(c *echo.Context, col *core.Collection, tags ...string) error {
	cfg := s.auth().limiter.config(s.app)
	if !cfg.enabled || len(cfg.rules) == 0 || isSuperuser(c) {
		return nil
	}
	req := c.Request()
	candidates := make([]string, 0, 2*len(tags)+2)
	if col != nil {
		for _, t := range tags {
			candidates = append(candidates, col.Name+":"+t)
		}
		for _, t := range tags {
			candidates = append(candidates, "*:"+t)
		}
	}
	candidates = append(candidates, req.Method+" "+req.URL.Path, req.URL.Path)
	rule, ok := findRule(cfg.rules, candidates, authOf(c) != nil)
	if !ok {
		return nil
	}
	key := rule.Label + "\x00" + rule.Audience + "\x00" + s.realIP(c.Request())
	if strings.Contains(rule.Label, ":") && col != nil {
		key += "\x00" + col.Id + "\x00" + c.Path()
	}
	if !cfg.allow(key, rule, s.app.Now()) {
		return errTooManyRequests()
	}
	return nil
}

// registerRateLimit installs the middleware and resets the limiter when
// the settings change.
func (s *Server) registerRateLimit() {
	l := s.auth().limiter
	s.app.OnSettingsUpdate().BindFunc(func(e *core.SettingsUpdateEvent) error {
		err := e.Next()
		l.reset()
		return err
	})
	s.echo.Use(s.rateLimit)
}
