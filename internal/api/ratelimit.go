package api

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
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
}

type window struct {
	start time.Time
	left  int
}

type rateLimiter struct {
	mu      sync.Mutex
	cfg     *limiterConfig // nil: reload from settings
	windows map[string]*window
}

func newRateLimiter() *rateLimiter { return &rateLimiter{windows: map[string]*window{}} }

// config returns the limiter's view of the settings, rebuilt when they
// change (reset).
func (l *rateLimiter) config(app *core.App) *limiterConfig {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cfg == nil {
		st := app.Settings()
		l.cfg = &limiterConfig{
			enabled: st.RateLimits.Enabled, rules: st.RateLimits.Rules,
			proxyHeaders: st.TrustedProxy.Headers, leftmost: st.TrustedProxy.UseLeftmostIP,
		}
	}
	return l.cfg
}

// reset forgets the settings and every window.
func (l *rateLimiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cfg = nil
	l.windows = map[string]*window{}
}

// allow takes one request from the window of key.
func (l *rateLimiter) allow(key string, rule core.RateLimitRule, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	dur := time.Duration(rule.Duration) * time.Second
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= dur {
		if len(l.windows) > 50000 {
			l.sweepLocked(now)
		}
		w = &window{start: now, left: rule.MaxRequests}
		l.windows[key] = w
	}
	if w.left <= 0 {
		return false
	}
	w.left--
	return true
}

// sweepLocked drops windows older than the longest rule duration.
func (l *rateLimiter) sweepLocked(now time.Time) {
	longest := time.Second
	if l.cfg != nil {
		for _, r := range l.cfg.rules {
			if d := time.Duration(r.Duration) * time.Second; d > longest {
				longest = d
			}
		}
	}
	for k, w := range l.windows {
		if now.Sub(w.start) >= longest {
			delete(l.windows, k)
		}
	}
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
	l := s.auth().limiter
	cfg := l.config(s.app)
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
	if !l.allow(key, rule, s.app.Now()) {
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
