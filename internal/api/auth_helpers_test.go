package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// authEnv is a test server with a capture mailer, a superuser and helpers
// for the auth endpoint tests.
type authEnv struct {
	*testenv.Server
	t    *testing.T
	mail *testenv.MailCapture
	su   string
	hits *authHits
}

// authHits counts hook invocations by name.
type authHits struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *authHits) inc(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n[name]++
}

func (h *authHits) get(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[name]
}

func newAuthEnv(t *testing.T) *authEnv {
	t.Helper()
	hits := &authHits{n: map[string]int{}}
	s, capture := testenv.StartServerWithMail(t, func(app *core.App) error {
		app.OnRecordAuthRequest().BindFunc(func(e *core.RecordAuthRequestEvent) error { hits.inc("auth:" + e.AuthMethod); return e.Next() })
		app.OnRecordAuthWithPasswordRequest().BindFunc(func(e *core.RecordAuthWithPasswordRequestEvent) error { hits.inc("password"); return e.Next() })
		app.OnRecordAuthWithOTPRequest().BindFunc(func(e *core.RecordAuthWithOTPRequestEvent) error { hits.inc("otp"); return e.Next() })
		app.OnRecordRequestOTPRequest().BindFunc(func(e *core.RecordCreateOTPRequestEvent) error { hits.inc("requestOTP"); return e.Next() })
		app.OnRecordAuthWithOAuth2Request().BindFunc(func(e *core.RecordAuthWithOAuth2RequestEvent) error { hits.inc("oauth2"); return e.Next() })
		app.OnRecordAuthRefreshRequest().BindFunc(func(e *core.RecordAuthRefreshRequestEvent) error { hits.inc("refresh"); return e.Next() })
		app.OnRecordRequestVerificationRequest().BindFunc(func(e *core.RecordFlowRequestEvent) error { hits.inc("requestVerification"); return e.Next() })
		app.OnRecordConfirmVerificationRequest().BindFunc(func(e *core.RecordFlowRequestEvent) error { hits.inc("confirmVerification"); return e.Next() })
		app.OnRecordRequestPasswordResetRequest().BindFunc(func(e *core.RecordFlowRequestEvent) error { hits.inc("requestPasswordReset"); return e.Next() })
		app.OnRecordConfirmPasswordResetRequest().BindFunc(func(e *core.RecordFlowRequestEvent) error { hits.inc("confirmPasswordReset"); return e.Next() })
		app.OnRecordRequestEmailChangeRequest().BindFunc(func(e *core.RecordFlowRequestEvent) error { hits.inc("requestEmailChange"); return e.Next() })
		app.OnRecordConfirmEmailChangeRequest().BindFunc(func(e *core.RecordFlowRequestEvent) error { hits.inc("confirmEmailChange"); return e.Next() })
		app.OnMailerSend().BindFunc(func(e *core.MailerEvent) error { hits.inc("mail"); return e.Next() })
		app.OnMailerRecordVerificationSend().BindFunc(func(e *core.MailerRecordEvent) error { hits.inc("mail:verification"); return e.Next() })
		app.OnMailerRecordPasswordResetSend().BindFunc(func(e *core.MailerRecordEvent) error { hits.inc("mail:passwordReset"); return e.Next() })
		app.OnMailerRecordEmailChangeSend().BindFunc(func(e *core.MailerRecordEvent) error { hits.inc("mail:emailChange"); return e.Next() })
		app.OnMailerRecordOTPSend().BindFunc(func(e *core.MailerRecordEvent) error { hits.inc("mail:otp"); return e.Next() })
		app.OnMailerRecordAuthAlertSend().BindFunc(func(e *core.MailerRecordEvent) error { hits.inc("mail:authAlert"); return e.Next() })
		return nil
	})
	env := &authEnv{Server: s, t: t, mail: capture, hits: hits}
	env.su = s.Superuser("admin@example.com", "password123")
	capture.Reset() // the superuser's first login sends nothing, but be sure
	return env
}

// user creates a users record through the API and returns its id.
func (e *authEnv) user(email, password string, verified bool) string {
	e.t.Helper()
	status, body := e.Do("POST", "/api/collections/users/records", e.su, map[string]any{
		"email": email, "password": password, "passwordConfirm": password, "verified": verified, "name": "N " + email,
	})
	if status != 200 {
		e.t.Fatalf("create user: %d %v", status, body)
	}
	return body["id"].(string)
}

// login signs in with a password and returns the token.
func (e *authEnv) login(email, password string) string {
	e.t.Helper()
	status, body := e.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": email, "password": password})
	if status != 200 {
		e.t.Fatalf("login %s: %d %v", email, status, body)
	}
	return body["token"].(string)
}

// patchCollection updates a collection as superuser.
func (e *authEnv) patchCollection(name string, body map[string]any) {
	e.t.Helper()
	status, out := e.Do("PATCH", "/api/collections/"+name, e.su, body)
	if status != 200 {
		e.t.Fatalf("patch %s: %d %v", name, status, out)
	}
}

// record loads a record directly from the app.
func (e *authEnv) record(col, id string) *core.Record {
	e.t.Helper()
	r, err := e.App.FindRecordById(context.Background(), col, id)
	if err != nil {
		e.t.Fatalf("find %s/%s: %v", col, id, err)
	}
	return r
}

func (e *authEnv) count(col, filter string, params map[string]any) int {
	e.t.Helper()
	recs, err := e.App.FindRecordsByFilter(context.Background(), col, filter, "", 0, 0, params)
	if err != nil {
		e.t.Fatalf("count %s: %v", col, err)
	}
	return len(recs)
}

// raw sends a request with extra headers and returns status, body text.
func (e *authEnv) raw(method, path string, hdr map[string]string, body any) (int, string) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// authCase is one row of a scenario table.
type authCase struct {
	name       string
	method     string
	path       string
	token      string
	body       any
	wantStatus int
	wantIn     []string
	notIn      []string
}

func runAuthCases(t *testing.T, e *authEnv, cases []authCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := tc.method
			if method == "" {
				method = "POST"
			}
			status, body := e.Do(method, tc.path, tc.token, tc.body)
			got := toJSON(body)
			if status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", status, tc.wantStatus, got)
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(got, w) {
					t.Errorf("body %s does not contain %q", got, w)
				}
			}
			for _, w := range tc.notIn {
				if strings.Contains(got, w) {
					t.Errorf("body %s contains %q", got, w)
				}
			}
		})
	}
}

func waitMailMsg(t *testing.T, e *authEnv, n int) string {
	t.Helper()
	return testenv.WaitMail(t, e.mail, n).HTML
}
