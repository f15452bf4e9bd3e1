package core

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSettingsValidate(t *testing.T) {
	cases := []struct {
		name    string
		patch   string
		wantErr string // a JSON fragment of the error, "" = valid
	}{
		{"defaults are valid", `{}`, ""},
		{"empty app name", `{"meta":{"appName":""}}`, `"meta":{"appName":{"code":"validation_required"`},
		{"bad app url", `{"meta":{"appURL":"nope"}}`, `"appURL":{"code":"validation_is_url"`},
		{"bad sender", `{"meta":{"senderAddress":"x"}}`, `"senderAddress":{"code":"validation_is_email"`},
		{"negative log days", `{"logs":{"maxDays":-1}}`, `"maxDays"`},
		{"smtp host required when enabled", `{"smtp":{"enabled":true,"host":""}}`, `"host":{"code":"validation_required"`},
		{"smtp auth method", `{"smtp":{"authMethod":"CRAM"}}`, `"authMethod":{"code":"validation_in_invalid"`},
		{"s3 fields required when enabled", `{"s3":{"enabled":true}}`, `"bucket":{"code":"validation_required"`},
		{"bad cron", `{"backups":{"cron":"every day"}}`, `"cron":{"code":"validation_invalid_cron"`},
		{"good cron", `{"backups":{"cron":"0 3 * * *","cronMaxKeep":2}}`, ""},
		{"good cron macro", `{"backups":{"cron":"@daily","cronMaxKeep":2}}`, ""},
		{"good cron list, range and step", `{"backups":{"cron":"0,30 1-5/2 * * 1-5","cronMaxKeep":2}}`, ""},
		// The same parser as the scheduler's: what validates also runs.
		{"cron minute out of range", `{"backups":{"cron":"61 * * * *","cronMaxKeep":2}}`, `"cron":{"code":"validation_invalid_cron"`},
		{"cron hour out of range", `{"backups":{"cron":"0 24 * * *","cronMaxKeep":2}}`, `"cron":{"code":"validation_invalid_cron"`},
		{"cron reversed range", `{"backups":{"cron":"0 5-1 * * *","cronMaxKeep":2}}`, `"cron":{"code":"validation_invalid_cron"`},
		{"cron zero step", `{"backups":{"cron":"*/0 * * * *","cronMaxKeep":2}}`, `"cron":{"code":"validation_invalid_cron"`},
		{"cron day of month zero", `{"backups":{"cron":"0 0 0 * *","cronMaxKeep":2}}`, `"cron":{"code":"validation_invalid_cron"`},
		{"batch limits", `{"batch":{"enabled":true,"maxRequests":0}}`, `"maxRequests":{"code":"validation_required"`},
		{"rate limit label", `{"rateLimits":{"rules":[{"label":"bad label!","duration":1,"maxRequests":1}]}}`, `"label":{"code":"validation_match_invalid"`},
		{"rate limit conflict", `{"rateLimits":{"rules":[{"label":"/api/","duration":1,"maxRequests":1},{"label":"/api/","duration":2,"maxRequests":1}]}}`, `validation_conflicting_rate_limit_rule`},
		{"rate limit audience", `{"rateLimits":{"rules":[{"label":"*:auth","audience":"@nobody","duration":1,"maxRequests":1}]}}`, `"audience"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ApplySettingsPatch(DefaultSettings(), []byte(tc.patch))
			if err != nil {
				t.Fatal(err)
			}
			verr := s.Validate()
			if tc.wantErr == "" {
				if verr != nil {
					t.Fatalf("unexpected error: %v", verr)
				}
				return
			}
			if verr == nil {
				t.Fatalf("no error, want %s", tc.wantErr)
			}
			raw, _ := json.Marshal(verr)
			if !strings.Contains(string(raw), tc.wantErr) {
				t.Fatalf("error %s lacks %s", raw, tc.wantErr)
			}
		})
	}
}

func TestSettingsPatchKeepsSecretsAndReplacesArrays(t *testing.T) {
	cur := DefaultSettings()
	cur.SMTP.Password = "hunter2"
	next, err := ApplySettingsPatch(cur, []byte(`{"smtp":{"host":"mail.example.com"},"trustedProxy":{"headers":["X-Real-IP"]},"rateLimits":{"rules":[{"label":"/api/","duration":1,"maxRequests":5}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if next.SMTP.Password != "hunter2" || next.SMTP.Host != "mail.example.com" {
		t.Fatalf("smtp = %+v", next.SMTP)
	}
	if len(next.RateLimits.Rules) != 1 || len(next.TrustedProxy.Headers) != 1 {
		t.Fatalf("arrays not replaced: %+v %+v", next.RateLimits.Rules, next.TrustedProxy.Headers)
	}
	red := next.Redacted()
	raw, _ := json.Marshal(red)
	if strings.Contains(string(raw), "hunter2") {
		t.Fatal("redacted settings leak the SMTP password")
	}
	if _, err := ApplySettingsPatch(cur, []byte(`{"meta":`)); err == nil {
		t.Fatal("malformed JSON accepted")
	}
}

func TestSettingsEncryptionRoundTrip(t *testing.T) {
	app := &App{config: Config{EncryptionKey: "0123456789abcdef0123456789abcdef"}}
	plain := []byte(`{"smtp":{"password":"s3cret"}}`)
	enc, err := app.encrypt(plain)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(enc), "s3cret") {
		t.Fatal("encrypted settings contain the plain secret")
	}
	got, err := app.decrypt(enc)
	if err != nil || string(got) != string(plain) {
		t.Fatalf("decrypt = %q, %v", got, err)
	}
	noKey := &App{}
	if _, err := noKey.decrypt(enc); err == nil {
		t.Fatal("decrypting without the key succeeded")
	}
	wrong := &App{config: Config{EncryptionKey: "ffffffffffffffffffffffffffffffff"}}
	if _, err := wrong.decrypt(enc); err == nil {
		t.Fatal("decrypting with a wrong key succeeded")
	}
	// Unencrypted stored settings still load after a key is configured.
	if got, err := app.decrypt(plain); err != nil || string(got) != string(plain) {
		t.Fatalf("plain passthrough = %q %v", got, err)
	}
}
