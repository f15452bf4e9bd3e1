package core

import "testing"

func TestRenderEmailTemplate(t *testing.T) {
	cases := []struct {
		name        string
		tpl         EmailTemplate
		params      MailParams
		wantSubject string
		wantBody    string
	}{
		{"all placeholders",
			EmailTemplate{Subject: "{APP_NAME} code", Body: "{APP_URL}/x/{TOKEN} {OTP} {OTP_ID} {ALERT_INFO}"},
			MailParams{AppName: "Acme", AppURL: "http://a.test/", Token: "tok", OTP: "123", OTPId: "id1", AlertInfo: "now - 1.2.3.4"},
			"Acme code", "http://a.test/x/tok 123 id1 now - 1.2.3.4"},
		{"record values are escaped in the body only",
			EmailTemplate{Subject: "Hi {RECORD:name}", Body: "<p>{RECORD:name}</p>"},
			MailParams{Record: map[string]any{"name": "<b>Bo</b> & co"}},
			"Hi <b>Bo</b> & co", "<p>&lt;b&gt;Bo&lt;/b&gt; &amp; co</p>"},
		{"single pass: a value that looks like a placeholder stays literal",
			EmailTemplate{Subject: "x", Body: "{RECORD:name} {TOKEN}"},
			MailParams{Token: "t", Record: map[string]any{"name": "{TOKEN}"}},
			"x", "{TOKEN} t"},
		{"unknown and hidden placeholders are kept",
			EmailTemplate{Subject: "{NOPE}", Body: "{RECORD:password}"},
			MailParams{Record: map[string]any{}},
			"{NOPE}", "{RECORD:password}"},
		{"control characters never reach the subject",
			EmailTemplate{Subject: "Hi {RECORD:name}", Body: ""},
			MailParams{Record: map[string]any{"name": "a\r\nBcc: x@y"}},
			"Hi a  Bcc: x@y", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			subject, body := RenderEmailTemplate(tc.tpl, tc.params)
			if subject != tc.wantSubject || body != tc.wantBody {
				t.Fatalf("got (%q, %q), want (%q, %q)", subject, body, tc.wantSubject, tc.wantBody)
			}
		})
	}
}
