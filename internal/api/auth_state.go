package api

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
)

// authState is the in-memory state of the auth endpoints of one Server:
// rate-limit windows, OTP attempt counters, mail resend guards, single-use
// claims, Apple's remembered names and the OAuth2 redirect sink.
// Nothing here points back at the Server.
type authState struct {
	limiter *rateLimiter

	mu         sync.Mutex
	attempts   map[string][]time.Time // OTP attempts per record
	resent     map[string]time.Time   // last verification/reset mail per kind+record
	claimed    map[string]bool        // in-flight single-use operations
	appleNames map[string]appleName   // by authorization code
	oauth2Sink func(state string, data map[string]string) bool
}

type appleName struct {
	name    string
	expires time.Time
}

func (s *Server) auth() *authState {
	s.authOnce.Do(func() {
		s.authVal = &authState{
			limiter:    newRateLimiter(),
			attempts:   map[string][]time.Time{},
			resent:     map[string]time.Time{},
			claimed:    map[string]bool{},
			appleNames: map[string]appleName{},
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

// attempt records one attempt for key at now and reports whether it is
// within max attempts per window.
func (st *authState) attempt(key string, now time.Time, max int, window time.Duration) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	list := st.attempts[key][:0:0]
	for _, t := range st.attempts[key] {
		if now.Sub(t) < window {
			list = append(list, t)
		}
	}
	list = append(list, now)
	st.attempts[key] = list
	if len(st.attempts) > 10000 {
		for k, l := range st.attempts {
			if len(l) == 0 || now.Sub(l[len(l)-1]) >= window {
				delete(st.attempts, k)
			}
		}
	}
	return len(list) <= max
}

// resendAllowed reports whether a mail of kind may be sent to record key
// now (spec A7/A9: a 2-minute resend guard), and records it when so.
func (st *authState) resendAllowed(key string, now time.Time, guard time.Duration) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if last, ok := st.resent[key]; ok && now.Sub(last) < guard {
		return false
	}
	st.resent[key] = now
	if len(st.resent) > 10000 {
		for k, t := range st.resent {
			if now.Sub(t) >= guard {
				delete(st.resent, k)
			}
		}
	}
	return true
}

// rememberAppleName keeps the name Apple posts to the redirect endpoint
// for a minute, keyed by the authorization code (spec A14).
func (st *authState) rememberAppleName(code, name string, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for k, v := range st.appleNames {
		if now.After(v.expires) {
			delete(st.appleNames, k)
		}
	}
	st.appleNames[code] = appleName{name: name, expires: now.Add(time.Minute)}
}

func (st *authState) appleName(code string, now time.Time) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	v, ok := st.appleNames[code]
	if !ok || now.After(v.expires) {
		return ""
	}
	delete(st.appleNames, code)
	return v.name
}

// SetOAuth2RedirectSink installs the function /api/oauth2-redirect uses to
// hand the authorization code to the realtime client whose id is state
// (spec A14). It reports whether such a client, subscribed to "@oauth2",
// received the message. The realtime layer calls it; without one every
// redirect ends on the failure page.
func (s *Server) SetOAuth2RedirectSink(fn func(state string, data map[string]string) bool) {
	st := s.auth()
	st.mu.Lock()
	st.oauth2Sink = fn
	st.mu.Unlock()
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
