package mail

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestRender(t *testing.T) {
	t.Parallel()
	base := Params{
		AppName:   "Acme",
		AppURL:    "https://acme.test",
		Token:     "tok.en",
		OTP:       "123456",
		OTPID:     "otp123",
		AlertInfo: "2025-03-04 05:06:07.000Z - 10.0.0.1 curl/8",
	}
	tests := []struct {
		name        string
		tmpl        Template
		params      func(Params) Params
		wantSubject string
		wantBody    string
	}{
		{
			name:        "all fixed placeholders",
			tmpl:        Template{Subject: "{APP_NAME} {OTP_ID}", Body: "{APP_NAME}|{APP_URL}|{TOKEN}|{OTP}|{OTP_ID}|{ALERT_INFO}"},
			wantSubject: "Acme otp123",
			wantBody:    "Acme|https://acme.test|tok.en|123456|otp123|2025-03-04 05:06:07.000Z - 10.0.0.1 curl/8",
		},
		{
			name: "record fields",
			tmpl: Template{Subject: "Hi {RECORD:name}", Body: "{RECORD:name} {RECORD:age} {RECORD:ok} {RECORD:tags} {RECORD:none}"},
			params: func(p Params) Params {
				p.Record = map[string]any{"name": "Ann", "age": 42, "ok": true, "tags": []string{"a", "b"}, "none": nil}
				return p
			},
			wantSubject: "Hi Ann",
			wantBody:    `Ann 42 true [&#34;a&#34;,&#34;b&#34;] `,
		},
		{
			name: "body values are html-escaped, subject values are not",
			tmpl: Template{Subject: "{APP_NAME}: {RECORD:name}", Body: "<p>{APP_NAME}: {RECORD:name}</p>"},
			params: func(p Params) Params {
				p.AppName = "A&B"
				p.Record = map[string]any{"name": `<script>alert("x")</script>`}
				return p
			},
			wantSubject: `A&B: <script>alert("x")</script>`,
			wantBody:    `<p>A&amp;B: &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</p>`,
		},
		{
			name: "line breaks in subject values become spaces",
			tmpl: Template{Subject: "Hi {RECORD:name}", Body: "{RECORD:name}"},
			params: func(p Params) Params {
				p.Record = map[string]any{"name": "Ann\r\nBcc: x@evil.test"}
				return p
			},
			wantSubject: "Hi Ann  Bcc: x@evil.test",
			wantBody:    "Ann\r\nBcc: x@evil.test",
		},
		{
			name: "values are not expanded again",
			tmpl: Template{Subject: "{RECORD:name}", Body: "{RECORD:name}"},
			params: func(p Params) Params {
				p.Record = map[string]any{"name": "{TOKEN}"}
				return p
			},
			wantSubject: "{TOKEN}",
			wantBody:    "{TOKEN}",
		},
		{
			name:        "unknown and hidden placeholders stay",
			tmpl:        Template{Subject: "{NOPE}", Body: "{RECORD:tokenKey} {nope} {APP_NAME"},
			wantSubject: "{NOPE}",
			wantBody:    "{RECORD:tokenKey} {nope} {APP_NAME",
		},
		{
			name:        "nested braces",
			tmpl:        Template{Subject: "{{APP_NAME}}", Body: "{{TOKEN}"},
			wantSubject: "{Acme}",
			wantBody:    "{tok.en",
		},
		{
			name:        "trailing slash of the app url dropped",
			tmpl:        Template{Body: "{APP_URL}/_/"},
			params:      func(p Params) Params { p.AppURL = "https://acme.test/sub//"; return p },
			wantBody:    "https://acme.test/sub/_/",
			wantSubject: "",
		},
		{
			name:        "empty values still replace",
			tmpl:        Template{Subject: "[{TOKEN}]", Body: "[{OTP}]"},
			params:      func(Params) Params { return Params{} },
			wantSubject: "[]",
			wantBody:    "[]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := base
			if tt.params != nil {
				p = tt.params(p)
			}
			subject, body := Render(tt.tmpl, p)
			if subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", subject, tt.wantSubject)
			}
			if body != tt.wantBody {
				t.Errorf("body = %q, want %q", body, tt.wantBody)
			}
		})
	}
}

func TestDefaultTemplates(t *testing.T) {
	t.Parallel()
	p := Params{
		AppName:   "Acme",
		AppURL:    "https://acme.test/",
		Token:     "TOKEN123",
		OTP:       "987654",
		OTPID:     "otpid",
		AlertInfo: FormatAlertInfo(time.Date(2025, 1, 2, 3, 4, 5, 6e6, time.UTC), "10.0.0.1", "Firefox"),
	}
	tests := []struct {
		name        string
		tmpl        Template
		wantSubject string
		wantInBody  []string
	}{
		{"verification", DefaultVerificationTemplate, "Verify your Acme email",
			[]string{`href="https://acme.test/_/#/auth/confirm-verification/TOKEN123"`}},
		{"password reset", DefaultResetPasswordTemplate, "Reset your Acme password",
			[]string{`href="https://acme.test/_/#/auth/confirm-password-reset/TOKEN123"`}},
		{"email change", DefaultConfirmEmailChangeTemplate, "Confirm your Acme new email address",
			[]string{`href="https://acme.test/_/#/auth/confirm-email-change/TOKEN123"`}},
		{"otp", DefaultOTPTemplate, "OTP for Acme", []string{"987654"}},
		{"login alert", DefaultAuthAlertTemplate, "Login from a new location",
			[]string{"2025-01-02 03:04:05.006Z - 10.0.0.1 Firefox", "Acme"}},
	}
	leftover := regexp.MustCompile(`\{[A-Z_:]+\}`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			subject, body := Render(tt.tmpl, p)
			if subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", subject, tt.wantSubject)
			}
			for _, want := range tt.wantInBody {
				if !strings.Contains(body, want) {
					t.Errorf("body = %q, want it to contain %q", body, want)
				}
			}
			if m := leftover.FindString(subject + body); m != "" {
				t.Errorf("unreplaced placeholder %s", m)
			}
			page := Layout(body)
			if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, body) || !strings.HasSuffix(strings.TrimSpace(page), "</html>") {
				t.Errorf("Layout() does not wrap the body in a document: %q", page)
			}
		})
	}
}

func TestFormatAlertInfo(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 1, 2, 4, 4, 5, 0, time.FixedZone("CET", 3600))
	if got, want := FormatAlertInfo(at, "203.0.113.9", "Mozilla/5.0"), "2025-01-02 03:04:05.000Z - 203.0.113.9 Mozilla/5.0"; got != want {
		t.Errorf("FormatAlertInfo() = %q, want %q", got, want)
	}
}
