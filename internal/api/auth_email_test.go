package api_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
	"github.com/basalthq/basalt/internal/testenv"
)

func TestAuthVerificationFlow(t *testing.T) {
	e := newAuthEnv(t)
	id := e.user("u1@example.com", "password123", false)
	e.user("v@example.com", "password123", true)

	runAuthCases(t, e, []authCase{
		{name: "superusers", path: "/api/collections/_superusers/request-verification", body: map[string]any{"email": "admin@example.com"}, wantStatus: 400, wantIn: []string{"All superusers are verified by default."}},
		{name: "missing email", path: "/api/collections/users/request-verification", body: map[string]any{}, wantStatus: 400, wantIn: []string{"validation_required"}},
		{name: "bad email", path: "/api/collections/users/request-verification", body: map[string]any{"email": "nope"}, wantStatus: 400, wantIn: []string{"validation_is_email"}},
		{name: "unknown email is 204", path: "/api/collections/users/request-verification", body: map[string]any{"email": "ghost@example.com"}, wantStatus: 204},
		{name: "already verified is 204", path: "/api/collections/users/request-verification", body: map[string]any{"email": "v@example.com"}, wantStatus: 204},
		{name: "ok", path: "/api/collections/users/request-verification", body: map[string]any{"email": "u1@example.com"}, wantStatus: 204},
		{name: "resend guard still 204", path: "/api/collections/users/request-verification", body: map[string]any{"email": "u1@example.com"}, wantStatus: 204},
	})
	m := testenv.WaitMail(t, e.mail, 1)
	if m.To[0].Email != "u1@example.com" || m.Subject != "Verify your Acme email" {
		t.Fatalf("mail = %+v", m)
	}
	token := testenv.MailToken(m)
	if token == "" {
		t.Fatalf("no token in %s", m.HTML)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(e.mail.Messages()); n != 1 {
		t.Fatalf("mails = %d, want 1 (unknown, verified and guarded requests send nothing)", n)
	}

	other := e.record("users", id)
	otherTok, _ := auth.Sign(auth.Claims{Id: id, CollectionId: other.Collection().Id, Type: auth.TokenTypeVerification, Expiry: time.Now().Add(time.Hour)},
		other.GetString(core.FieldTokenKey)+other.Collection().Auth.VerificationToken.Secret)
	runAuthCases(t, e, []authCase{
		{name: "confirm missing token", path: "/api/collections/users/confirm-verification", body: map[string]any{}, wantStatus: 400, wantIn: []string{`"token":{"code":"validation_required"`}},
		{name: "confirm garbage", path: "/api/collections/users/confirm-verification", body: map[string]any{"token": "abc"}, wantStatus: 400, wantIn: []string{"validation_invalid_token"}},
		{name: "confirm without email claim", path: "/api/collections/users/confirm-verification", body: map[string]any{"token": otherTok}, wantStatus: 400, wantIn: []string{"validation_invalid_token_claims"}},
		{name: "confirm forged", path: "/api/collections/users/confirm-verification", body: map[string]any{"token": token[:len(token)-3] + "abc"}, wantStatus: 400, wantIn: []string{"validation_invalid_token"}},
		{name: "confirm with auth token", path: "/api/collections/users/confirm-verification", body: map[string]any{"token": e.login("v@example.com", "password123")}, wantStatus: 400, wantIn: []string{"validation_invalid_token"}},
		{name: "confirm other collection", path: "/api/collections/_superusers/confirm-verification", body: map[string]any{"token": token}, wantStatus: 400},
	})
	if e.record("users", id).GetBool(core.FieldVerified) {
		t.Fatal("failed confirmations changed the record")
	}
	runAuthCases(t, e, []authCase{
		{name: "confirm ok", path: "/api/collections/users/confirm-verification", body: map[string]any{"token": token}, wantStatus: 204},
		// Single-use (issue #22); PocketBase answers 204 here.
		{name: "confirm again is refused", path: "/api/collections/users/confirm-verification", body: map[string]any{"token": token}, wantStatus: 400, wantIn: []string{"validation_invalid_token"}},
	})
	if !e.record("users", id).GetBool(core.FieldVerified) {
		t.Fatal("not verified")
	}
	if e.hits.get("requestVerification") != 4 || e.hits.get("confirmVerification") != 1 || e.hits.get("mail:verification") != 1 {
		t.Errorf("hooks: %v", e.hits.n)
	}
}

func TestAuthPasswordResetFlow(t *testing.T) {
	e := newAuthEnv(t)
	id := e.user("u1@example.com", "password123", false)
	old := e.login("u1@example.com", "password123")
	runAuthCases(t, e, []authCase{
		{name: "unknown email 204", path: "/api/collections/users/request-password-reset", body: map[string]any{"email": "ghost@example.com"}, wantStatus: 204},
		{name: "bad email", path: "/api/collections/users/request-password-reset", body: map[string]any{"email": "x"}, wantStatus: 400},
		{name: "ok", path: "/api/collections/users/request-password-reset", body: map[string]any{"email": "u1@example.com"}, wantStatus: 204},
		{name: "guarded", path: "/api/collections/users/request-password-reset", body: map[string]any{"email": "u1@example.com"}, wantStatus: 204},
	})
	m := testenv.WaitMail(t, e.mail, 1)
	token := testenv.MailToken(m)
	if token == "" || m.Subject != "Reset your Acme password" {
		t.Fatalf("mail = %+v", m)
	}
	runAuthCases(t, e, []authCase{
		{name: "mismatch", path: "/api/collections/users/confirm-password-reset", body: map[string]any{"token": token, "password": "newpassword1", "passwordConfirm": "other"}, wantStatus: 400, wantIn: []string{"validation_values_mismatch"}},
		{name: "too short for the field", path: "/api/collections/users/confirm-password-reset", body: map[string]any{"token": token, "password": "short", "passwordConfirm": "short"}, wantStatus: 400, wantIn: []string{"validation_length_out_of_range"}},
		{name: "bad token", path: "/api/collections/users/confirm-password-reset", body: map[string]any{"token": "x.y.z", "password": "newpassword1", "passwordConfirm": "newpassword1"}, wantStatus: 400, wantIn: []string{"validation_invalid_token"}},
		{name: "verification token refused", path: "/api/collections/users/confirm-password-reset", body: map[string]any{"token": old, "password": "newpassword1", "passwordConfirm": "newpassword1"}, wantStatus: 400, wantIn: []string{"validation_invalid_token"}},
	})
	e.login("u1@example.com", "password123") // nothing changed
	runAuthCases(t, e, []authCase{
		{name: "confirm ok", path: "/api/collections/users/confirm-password-reset", body: map[string]any{"token": token, "password": "newpassword1", "passwordConfirm": "newpassword1"}, wantStatus: 204},
		{name: "reused token", path: "/api/collections/users/confirm-password-reset", body: map[string]any{"token": token, "password": "newpassword2", "passwordConfirm": "newpassword2"}, wantStatus: 400, wantIn: []string{"validation_invalid_token"}},
	})
	e.login("u1@example.com", "newpassword1")
	if status, _ := e.Do("POST", "/api/collections/users/auth-refresh", old, nil); status != 401 {
		t.Fatalf("old token after reset: %d", status)
	}
	if !e.record("users", id).GetBool(core.FieldVerified) {
		t.Error("reset via the mailed token should verify the address")
	}
	t.Run("disabled", func(t *testing.T) {
		e.patchCollection("users", map[string]any{"passwordAuth": map[string]any{"enabled": false}})
		status, body := e.Do("POST", "/api/collections/users/request-password-reset", "", map[string]any{"email": "u1@example.com"})
		if status != 400 || !strings.Contains(toJSON(body), "not configured to allow password authentication") {
			t.Fatalf("%d %v", status, body)
		}
	})
}

func TestAuthEmailChangeFlow(t *testing.T) {
	e := newAuthEnv(t)
	id := e.user("u1@example.com", "password123", true)
	e.user("taken@example.com", "password123", true)
	tok := e.login("u1@example.com", "password123")
	runAuthCases(t, e, []authCase{
		{name: "guest", path: "/api/collections/users/request-email-change", body: map[string]any{"newEmail": "new@example.com"}, wantStatus: 401},
		{name: "superuser token on users", path: "/api/collections/users/request-email-change", token: e.su, body: map[string]any{"newEmail": "new@example.com"}, wantStatus: 403},
		{name: "superusers collection", path: "/api/collections/_superusers/request-email-change", token: e.su, body: map[string]any{"newEmail": "new@example.com"}, wantStatus: 400, wantIn: []string{"All superusers can change their emails directly."}},
		{name: "same email", path: "/api/collections/users/request-email-change", token: tok, body: map[string]any{"newEmail": "u1@example.com"}, wantStatus: 400, wantIn: []string{"validation_not_in_invalid"}},
		{name: "taken", path: "/api/collections/users/request-email-change", token: tok, body: map[string]any{"newEmail": "taken@example.com"}, wantStatus: 400, wantIn: []string{"validation_invalid_new_email"}},
		{name: "ok", path: "/api/collections/users/request-email-change", token: tok, body: map[string]any{"newEmail": "new@example.com"}, wantStatus: 204},
	})
	m := testenv.WaitMail(t, e.mail, 1)
	if m.To[0].Email != "new@example.com" {
		t.Fatalf("e-mail change must go to the new address: %+v", m.To)
	}
	token := testenv.MailToken(m)
	runAuthCases(t, e, []authCase{
		{name: "wrong password", path: "/api/collections/users/confirm-email-change", body: map[string]any{"token": token, "password": "nope"}, wantStatus: 400, wantIn: []string{"validation_invalid_password"}},
		{name: "auth token as payload", path: "/api/collections/users/confirm-email-change", body: map[string]any{"token": tok, "password": "password123"}, wantStatus: 400, wantIn: []string{"validation_invalid_token_payload"}},
		{name: "superusers", path: "/api/collections/_superusers/confirm-email-change", body: map[string]any{"token": token, "password": "password123"}, wantStatus: 400},
	})
	if e.record("users", id).GetString(core.FieldEmail) != "u1@example.com" {
		t.Fatal("failed confirmations changed the e-mail")
	}
	runAuthCases(t, e, []authCase{
		{name: "ok", path: "/api/collections/users/confirm-email-change", body: map[string]any{"token": token, "password": "password123"}, wantStatus: 204},
		{name: "reuse", path: "/api/collections/users/confirm-email-change", body: map[string]any{"token": token, "password": "password123"}, wantStatus: 400, wantIn: []string{"validation_invalid_token"}},
	})
	if got := e.record("users", id).GetString(core.FieldEmail); got != "new@example.com" {
		t.Fatalf("email = %s", got)
	}
	if status, _ := e.Do("POST", "/api/collections/users/auth-refresh", tok, nil); status != 401 {
		t.Fatal("old token valid after e-mail change")
	}
	e.login("new@example.com", "password123")

	t.Run("send failure is 400 and synchronous", func(t *testing.T) {
		tok := e.login("new@example.com", "password123")
		e.mail.FailWith(errors.New("smtp down"))
		defer e.mail.FailWith(nil)
		status, body := e.Do("POST", "/api/collections/users/request-email-change", tok, map[string]any{"newEmail": "x@example.com"})
		if status != 400 || !strings.Contains(toJSON(body), "Failed to request email change.") || strings.Contains(toJSON(body), "smtp down") {
			t.Fatalf("%d %v", status, body)
		}
	})
}

func TestSettingsTestEmailAndAppleSecret(t *testing.T) {
	e := newAuthEnv(t)
	tok := func() string {
		e.user("u@example.com", "password123", true)
		return e.login("u@example.com", "password123")
	}()
	runAuthCases(t, e, []authCase{
		{name: "guest", path: "/api/settings/test/email", body: map[string]any{}, wantStatus: 401},
		{name: "user", path: "/api/settings/test/email", token: tok, body: map[string]any{}, wantStatus: 403},
		{name: "invalid", path: "/api/settings/test/email", token: e.su, body: map[string]any{"email": "x", "template": "nope", "collection": "_otps"}, wantStatus: 400,
			wantIn: []string{"Failed to send the test email.", "validation_invalid_auth_collection", "validation_in_invalid", "validation_is_email"}},
		{name: "otp", path: "/api/settings/test/email", token: e.su, body: map[string]any{"email": "to@example.com", "template": "otp", "collection": "users"}, wantStatus: 204},
		{name: "verification default collection", path: "/api/settings/test/email", token: e.su, body: map[string]any{"email": "to@example.com", "template": "verification"}, wantStatus: 204},
		{name: "apple invalid", path: "/api/settings/apple/generate-client-secret", token: e.su, body: map[string]any{"clientId": "c", "teamId": "short"}, wantStatus: 400, wantIn: []string{"Invalid client secret data.", "teamId"}},
		{name: "apple bad key", path: "/api/settings/apple/generate-client-secret", token: e.su, body: map[string]any{"clientId": "c", "teamId": "ABCDEFGHIJ", "keyId": "ABCDEFGHIJ", "privateKey": "nope", "duration": 100}, wantStatus: 400},
	})
	msgs := e.mail.Messages()
	if len(msgs) != 2 || msgs[0].Subject != "OTP for Acme" || msgs[1].To[0].Email != "to@example.com" {
		t.Fatalf("mails = %+v", msgs)
	}
	e.mail.FailWith(errors.New("boom"))
	status, body := e.Do("POST", "/api/settings/test/email", e.su, map[string]any{"email": "to@example.com", "template": "login-alert"})
	if status != 400 || !strings.Contains(toJSON(body), "Raw error") {
		t.Fatalf("%d %v", status, body)
	}
}
