package api

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// authState is the in-memory state of the auth endpoints of one Server:
// rate-limit windows, OTP attempt counters, mail resend guards, single-use
// claims, Apple's remembered names and the OAuth2 redirect sink.
// Nothing here points back at the Server.
//
// The expiring state lives in auth.ExpiringMap values, each with its own
// lock and O(1) cost per request: an unauthenticated flood of one
// endpoint (the OAuth2 redirect) once walked a shared map under the lock
// every OTP login also took (issue #22).
type authState struct {
	limiter *rateLimiter

	attempts   *auth.ExpiringMap[[]time.Time] // OTP attempts per record (one entry per record with an OTP)
	resent     *auth.ExpiringMap[struct{}]    // verification/reset mails per kind+record, for resendGuard
	appleNames *auth.ExpiringMap[string]      // names Apple posted, by authorization code

	// oauth2Sink is read by every redirect without a lock.
	oauth2Sink atomic.Pointer[oauth2SinkFunc]

	mu      sync.Mutex
	claimed map[string]bool // in-flight single-use operations
}

type oauth2SinkFunc = func(state string, data map[string]string) bool

// Bounds of the auth state. appleNameTTL is how long a name Apple posts
// to the redirect waits for its auth-with-oauth2 call (spec A14).
const (
	appleNameTTL    = time.Minute
	maxAppleNames   = 10_000
	maxResendGuards = 100_000
)

func (s *Server) auth() *authState {
	s.authOnce.Do(func() {
		s.authVal = &authState{
			limiter:    newRateLimiter(),
			attempts:   auth.NewExpiringMap[[]time.Time](otpAttemptWindow, 0),
			resent:     auth.NewExpiringMap[struct{}](resendGuard, maxResendGuards),
			appleNames: auth.NewExpiringMap[string](appleNameTTL, maxAppleNames),
			claimed:    map[string]bool{},
		}
	})
	return s.authVal
}

// claim marks key as in use and reports whether it was free; release
// frees it. It makes single-use operations (an OTP, a reset token) safe
// against two concurrent requests racing past the same check.
func (st *authState) claim(key string) (release func(), ok bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.claimed[key] {
		return nil, false
	}
	st.claimed[key] = true
	return func() {
		st.mu.Lock()
		delete(st.claimed, key)
		st.mu.Unlock()
	}, true
}

// attempt records one OTP attempt for key at now and reports whether it
// is within otpMaxAttempts per otpAttemptWindow. The entry's lifetime
// restarts with each attempt, so the window always covers the list.
func (st *authState) attempt(key string, now time.Time) bool {
	allowed := false
	st.attempts.Update(key, now, func(list []time.Time, _ bool) ([]time.Time, bool) {
		kept := list[:0:0]
		for _, t := range list {
			if now.Sub(t) < otpAttemptWindow {
				kept = append(kept, t)
			}
		}
		kept = append(kept, now)
		allowed = len(kept) <= otpMaxAttempts
		return kept, true
	})
	return allowed
}

// resendAllowed reports whether a mail of kind may be sent to record key
// now (spec A7/A9: a 2-minute resend guard), and records it when so.
func (st *authState) resendAllowed(key string, now time.Time) bool {
	allowed := false
	st.resent.Update(key, now, func(_ struct{}, found bool) (struct{}, bool) {
		allowed = !found
		return struct{}{}, allowed
	})
	return allowed
}

// rememberAppleName keeps the name Apple posts to the redirect endpoint
// for appleNameTTL, keyed by the authorization code (spec A14).
func (st *authState) rememberAppleName(code, name string, now time.Time) {
	st.appleNames.Put(code, name, now)
}

// appleName returns the name remembered for code, once.
func (st *authState) appleName(code string, now time.Time) string {
	name, _ := st.appleNames.Take(code, now)
	return name
}

// SetOAuth2RedirectSink installs the function /api/oauth2-redirect uses to
// hand the authorization code to the realtime client whose id is state
// (spec A14). It reports whether such a client, subscribed to "@oauth2",
// received the message. The realtime layer calls it; without one every
// redirect ends on the failure page.
func (s *Server) SetOAuth2RedirectSink(fn func(state string, data map[string]string) bool) {
	s.auth().oauth2Sink.Store(&fn)
}

// decodeAuthBody decodes a JSON, urlencoded or multipart body into dst.
// Form values are taken as strings (never inferred as numbers, so a
// numeric password stays a string). An undecodable body is 400 with
// PocketBase's "loading" message.
func decodeAuthBody(c *echo.Context, dst any) error {
	req := c.Request()
	if req.ContentLength == 0 {
		return nil
	}
	loadErr := badRequest("An error occurred while loading the submitted data.", nil)
	ct, _ := mediaType(req)
	var raw []byte
	switch ct {
	case "application/json", "":
		b, err := readBody(c)
		if err != nil {
			return err
		}
		raw = b
	case "application/x-www-form-urlencoded", "multipart/form-data":
		var vals url.Values
		if ct == "multipart/form-data" {
			if err := req.ParseMultipartForm(1 << 20); err != nil {
				return loadErr
			}
			// Files past 1 MB went to temp files: gone with the request.
			defer req.MultipartForm.RemoveAll()
			vals = req.MultipartForm.Value
		} else {
			b, err := readBody(c)
			if err != nil {
				return err
			}
			v, err := url.ParseQuery(string(b))
			if err != nil {
				return loadErr
			}
			vals = v
		}
		m := map[string]any{}
		for k, v := range vals {
			if len(v) > 0 {
				m[k] = v[0]
			}
		}
		if p, ok := m["@jsonPayload"].(string); ok {
			delete(m, "@jsonPayload")
			var extra map[string]any
			if json.Unmarshal([]byte(p), &extra) == nil {
				for k, v := range extra {
					m[k] = v
				}
			}
		}
		raw, _ = json.Marshal(m)
	default:
		return badRequest("Unsupported Content-Type.", nil)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return loadErr
	}
	return nil
}

// validationErr is the 400 "validating" error with field details.
func validationErr(errs core.ValidationErrors) error {
	return badRequest("An error occurred while validating the submitted data.", errs)
}

func fieldErr(field, code, msg string) error {
	return validationErr(core.ValidationErrors{field: core.NewFieldError(code, msg, nil)})
}
