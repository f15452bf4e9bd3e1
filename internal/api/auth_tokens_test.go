package api_test

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/auth"
	"github.com/basalthq/basalt/internal/testenv"
)

// TestConfirmationTokensAreSingleUse (issue #22, defect 7): verification,
// password-reset and e-mail-change tokens are bound to the state their use
// changes, so a replay after their own use, or after any other change of
// that state, fails with the invalid-token error and changes nothing.
func TestConfirmationTokensAreSingleUse(t *testing.T) {
	e := newAuthEnv(t)
	invalid := []string{`"token":{"code":"validation_invalid_token"`}
	mint := func(t *testing.T, id string, typ auth.TokenType, newEmail string) string {
		t.Helper()
		rec := e.record("users", id)
		tok, err := api.NewToken(e.API, rec, typ, rec.GetString(core.FieldEmail), newEmail)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	post := func(t *testing.T, path string, body map[string]any, want int, wantIn []string) {
		t.Helper()
		runAuthCases(t, e, []authCase{{name: path, path: "/api/collections/users/" + path, body: body, wantStatus: want, wantIn: wantIn}})
	}
	patch := func(t *testing.T, id, token string, body map[string]any) {
		t.Helper()
		if st, out := e.Do("PATCH", "/api/collections/users/records/"+id, token, body); st != 200 {
			t.Fatalf("patch: %d %v", st, out)
		}
	}
	verified := func(id string) bool { return e.record("users", id).GetBool(core.FieldVerified) }

	tests := []struct {
		name string
		run  func(t *testing.T, id string)
	}{
		{"verification replayed after use", func(t *testing.T, id string) {
			tok := mint(t, id, auth.TokenTypeVerification, "")
			post(t, "confirm-verification", map[string]any{"token": tok}, 204, nil)
			post(t, "confirm-verification", map[string]any{"token": tok}, 400, invalid)
		}},
		{"verification replayed after an un-verify", func(t *testing.T, id string) {
			tok := mint(t, id, auth.TokenTypeVerification, "")
			post(t, "confirm-verification", map[string]any{"token": tok}, 204, nil)
			patch(t, id, e.su, map[string]any{"verified": false})
			post(t, "confirm-verification", map[string]any{"token": tok}, 400, invalid)
			if verified(id) {
				t.Fatal("the replayed token verified the record again")
			}
		}},
		{"unused verification token minted before an un-verify", func(t *testing.T, id string) {
			first, second := mint(t, id, auth.TokenTypeVerification, ""), mint(t, id, auth.TokenTypeVerification, "")
			post(t, "confirm-verification", map[string]any{"token": first}, 204, nil)
			patch(t, id, e.su, map[string]any{"verified": false})
			post(t, "confirm-verification", map[string]any{"token": second}, 400, invalid)
			if verified(id) {
				t.Fatal("an old token verified the record again")
			}
			// A new token works: the flow is not broken, only the replay.
			post(t, "confirm-verification", map[string]any{"token": mint(t, id, auth.TokenTypeVerification, "")}, 204, nil)
		}},
		{"password reset replayed after use", func(t *testing.T, id string) {
			tok := mint(t, id, auth.TokenTypePasswordReset, "")
			post(t, "confirm-password-reset", map[string]any{"token": tok, "password": "newpass123", "passwordConfirm": "newpass123"}, 204, nil)
			post(t, "confirm-password-reset", map[string]any{"token": tok, "password": "other12345", "passwordConfirm": "other12345"}, 400, invalid)
			e.login(e.record("users", id).GetString(core.FieldEmail), "newpass123")
		}},
		{"password reset replayed with the same password", func(t *testing.T, id string) {
			tok := mint(t, id, auth.TokenTypePasswordReset, "")
			body := map[string]any{"token": tok, "password": "password123", "passwordConfirm": "password123"}
			post(t, "confirm-password-reset", body, 204, nil)
			post(t, "confirm-password-reset", body, 400, invalid)
		}},
		{"password reset token after a password change elsewhere", func(t *testing.T, id string) {
			tok := mint(t, id, auth.TokenTypePasswordReset, "")
			patch(t, id, e.su, map[string]any{"password": "changed123", "passwordConfirm": "changed123"})
			post(t, "confirm-password-reset", map[string]any{"token": tok, "password": "attacker12", "passwordConfirm": "attacker12"}, 400, invalid)
			e.login(e.record("users", id).GetString(core.FieldEmail), "changed123")
		}},
		{"e-mail change replayed after use", func(t *testing.T, id string) {
			old := e.record("users", id).GetString(core.FieldEmail)
			tok := mint(t, id, auth.TokenTypeEmailChange, "moved-"+old)
			post(t, "confirm-email-change", map[string]any{"token": tok, "password": "password123"}, 204, nil)
			patch(t, id, e.su, map[string]any{"email": old})
			post(t, "confirm-email-change", map[string]any{"token": tok, "password": "password123"}, 400, invalid)
			if got := e.record("users", id).GetString(core.FieldEmail); got != old {
				t.Fatalf("email = %q after the replay, want %q", got, old)
			}
		}},
		{"the other of two pending e-mail changes", func(t *testing.T, id string) {
			old := e.record("users", id).GetString(core.FieldEmail)
			toB, toC := mint(t, id, auth.TokenTypeEmailChange, "b-"+old), mint(t, id, auth.TokenTypeEmailChange, "c-"+old)
			post(t, "confirm-email-change", map[string]any{"token": toC, "password": "password123"}, 204, nil)
			post(t, "confirm-email-change", map[string]any{"token": toB, "password": "password123"}, 400, invalid)
			// Even once the address is back to the one the token was
			// minted for.
			patch(t, id, e.su, map[string]any{"email": old})
			post(t, "confirm-email-change", map[string]any{"token": toB, "password": "password123"}, 400, invalid)
			if got := e.record("users", id).GetString(core.FieldEmail); got != old {
				t.Fatalf("email = %q, want %q", got, old)
			}
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := e.user("single"+string(rune('a'+i))+"@example.com", "password123", false)
			tt.run(t, id)
		})
	}
}

// TestConfirmationTokenWireFormat: binding the tokens to record state
// changes only the server-side key; they stay HS256 JWTs with the claims
// PocketBase's SDKs read (spec §6.1).
func TestConfirmationTokenWireFormat(t *testing.T) {
	e := newAuthEnv(t)
	id := e.user("wire@example.com", "password123", false)
	if st, _ := e.Do("POST", "/api/collections/users/request-verification", "", map[string]any{"email": "wire@example.com"}); st != 204 {
		t.Fatalf("request-verification: %d", st)
	}
	tok := testenv.MailToken(testenv.WaitMail(t, e.mail, 1))
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok)
	}
	var hdr, claims map[string]any
	for i, dst := range []*map[string]any{&hdr, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(raw, dst) != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	if hdr["alg"] != "HS256" || hdr["typ"] != "JWT" {
		t.Errorf("header = %v", hdr)
	}
	keys := make([]string, 0, len(claims))
	for k := range claims {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"collectionId", "email", "exp", "id", "type"}; !slices.Equal(keys, want) {
		t.Errorf("claims %v, want keys %v", claims, want)
	}
	if claims["id"] != id || claims["type"] != "verification" || claims["email"] != "wire@example.com" {
		t.Errorf("claims = %v", claims)
	}
	// The mailed token is the one the flow accepts, once.
	runAuthCases(t, e, []authCase{
		{name: "confirm", path: "/api/collections/users/confirm-verification", body: map[string]any{"token": tok}, wantStatus: 204},
		{name: "replay", path: "/api/collections/users/confirm-verification", body: map[string]any{"token": tok}, wantStatus: 400, wantIn: []string{"validation_invalid_token"}},
	})
}
