package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

func TestAuthWithPasswordScenarios(t *testing.T) {
	e := newAuthEnv(t)
	e.user("u1@example.com", "password123", true)
	e.Do("POST", "/api/collections", e.su, map[string]any{"name": "posts", "type": "base"})

	cases := []authCase{
		{name: "ok", path: "/api/collections/users/auth-with-password", body: map[string]any{"identity": "u1@example.com", "password": "password123"},
			wantStatus: 200, wantIn: []string{`"token":"`, `"email":"u1@example.com"`}, notIn: []string{"tokenKey", `"password"`}},
		{name: "collection by id and case-insensitive name", path: "/api/collections/USERS/auth-with-password", body: map[string]any{"identity": "u1@example.com", "password": "password123"}, wantStatus: 200},
		{name: "wrong password", path: "/api/collections/users/auth-with-password", body: map[string]any{"identity": "u1@example.com", "password": "nope-nope"},
			wantStatus: 400, wantIn: []string{`"message":"Failed to authenticate."`, `"data":{}`}},
		{name: "unknown identity same message", path: "/api/collections/users/auth-with-password", body: map[string]any{"identity": "ghost@example.com", "password": "password123"},
			wantStatus: 400, wantIn: []string{`"message":"Failed to authenticate."`, `"data":{}`}},
		{name: "missing fields", path: "/api/collections/users/auth-with-password", body: map[string]any{},
			wantStatus: 400, wantIn: []string{"An error occurred while validating the submitted data.", `"identity":{"code":"validation_required"`, `"password":{"code":"validation_required"`}},
		{name: "identity not a string", path: "/api/collections/users/auth-with-password", body: map[string]any{"identity": 12, "password": "x"},
			wantStatus: 400, wantIn: []string{"An error occurred while loading the submitted data."}},
		{name: "too long", path: "/api/collections/users/auth-with-password", body: map[string]any{"identity": strings.Repeat("a", 256), "password": "x"},
			wantStatus: 400, wantIn: []string{"validation_length_too_long"}},
		{name: "bad identityField", path: "/api/collections/users/auth-with-password", body: map[string]any{"identity": "u1@example.com", "password": "password123", "identityField": "name"},
			wantStatus: 400, wantIn: []string{"validation_in_invalid"}},
		{name: "non-auth collection", path: "/api/collections/posts/auth-with-password", body: map[string]any{"identity": "a", "password": "b"},
			wantStatus: 404, wantIn: []string{"Missing or invalid auth collection context."}},
		{name: "unknown collection", path: "/api/collections/nope/auth-with-password", body: map[string]any{},
			wantStatus: 404, wantIn: []string{"Missing or invalid auth collection context."}},
		{name: "superuser wrong password", path: "/api/collections/_superusers/auth-with-password", body: map[string]any{"identity": "admin@example.com", "password": "x"},
			wantStatus: 400, wantIn: []string{"Failed to authenticate."}},
	}
	runAuthCases(t, e, cases)
	// Fired once per request that passed validation (5 cases) plus the
	// superuser login of the fixture; validation failures never reach it.
	if got := e.hits.get("password"); got != 6 {
		t.Errorf("OnRecordAuthWithPasswordRequest fired %d times, want 6", got)
	}

	t.Run("password auth disabled", func(t *testing.T) {
		e.patchCollection("users", map[string]any{"passwordAuth": map[string]any{"enabled": false}})
		defer e.patchCollection("users", map[string]any{"passwordAuth": map[string]any{"enabled": true, "identityFields": []string{"email"}}})
		status, body := e.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": "u1@example.com", "password": "password123"})
		if status != 403 || !strings.Contains(toJSON(body), "not configured to allow password authentication") {
			t.Fatalf("got %d %v", status, body)
		}
	})
	t.Run("authRule false is 403 and null is 403", func(t *testing.T) {
		e.patchCollection("users", map[string]any{"authRule": "verified = false"})
		status, body := e.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": "u1@example.com", "password": "password123"})
		if status != 403 || !strings.Contains(toJSON(body), "doesn't satisfy the collection requirements") {
			t.Fatalf("got %d %v", status, body)
		}
		e.patchCollection("users", map[string]any{"authRule": nil})
		if status, _ := e.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": "u1@example.com", "password": "password123"}); status != 403 {
			t.Fatalf("null authRule: %d", status)
		}
		e.patchCollection("users", map[string]any{"authRule": `@request.context = "password"`})
		if status, body := e.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": "u1@example.com", "password": "password123"}); status != 200 {
			t.Fatalf("context rule: %d %v", status, body)
		}
		e.patchCollection("users", map[string]any{"authRule": ""})
	})
}

func TestAuthPasswordEqualWorkForUnknownIdentity(t *testing.T) {
	e := newAuthEnv(t)
	e.user("u1@example.com", "password123", true)
	// An unknown identity must cost the same bcrypt comparison as a known
	// one with a wrong password, so the response time does not reveal the
	// account (DESIGN §10). Counted, not timed: this test is not parallel,
	// so no other request of the package runs meanwhile.
	for _, identity := range []string{"u1@example.com", "ghost@example.com", "GHOST@example.com"} {
		before := auth.PasswordComparisons()
		st, _ := e.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": identity, "password": "wrong-password"})
		if n := auth.PasswordComparisons() - before; st != 400 || n != 1 {
			t.Errorf("%s: %d with %d bcrypt comparisons, want 400 with 1", identity, st, n)
		}
	}
}

func TestAuthMethods(t *testing.T) {
	e := newAuthEnv(t)
	runAuthCases(t, e, []authCase{
		{name: "defaults", method: "GET", path: "/api/collections/users/auth-methods", wantStatus: 200,
			wantIn: []string{`"password":{"enabled":true,"identityFields":["email"]}`, `"mfa":{"duration":0,"enabled":false}`, `"otp":{"duration":0,"enabled":false}`, `"emailPassword":true`, `"usernamePassword":false`, `"authProviders":null`}},
		{name: "fields param", method: "GET", path: "/api/collections/users/auth-methods?fields=mfa,otp", wantStatus: 200, notIn: []string{"password"}},
		{name: "not auth", method: "GET", path: "/api/collections/_otps/auth-methods", wantStatus: 404},
	})
	e.patchCollection("users", map[string]any{"otp": map[string]any{"enabled": true}, "mfa": map[string]any{"enabled": true},
		"oauth2": map[string]any{"enabled": true, "providers": []any{
			map[string]any{"name": "google", "clientId": "cid123", "clientSecret": "sec"},
			map[string]any{"name": "github", "clientId": "gh", "clientSecret": "sec", "pkce": false},
		}}})
	status, body := e.Do("GET", "/api/collections/users/auth-methods", "", nil)
	if status != 200 {
		t.Fatalf("%d %v", status, body)
	}
	oauth := body["oauth2"].(map[string]any)
	providers := oauth["providers"].([]any)
	if len(providers) != 2 {
		t.Fatalf("providers = %v", providers)
	}
	g := providers[0].(map[string]any)
	if g["name"] != "google" || len(g["state"].(string)) != 30 || len(g["codeVerifier"].(string)) != 43 ||
		g["codeChallenge"] != auth.S256Challenge(g["codeVerifier"].(string)) || g["codeChallengeMethod"] != "S256" {
		t.Errorf("google provider = %v", g)
	}
	if u := g["authURL"].(string); !strings.HasSuffix(u, "&redirect_uri=") || !strings.Contains(u, "client_id=cid123") || g["authUrl"] != u {
		t.Errorf("authURL = %s", u)
	}
	if gh := providers[1].(map[string]any); gh["codeVerifier"] != "" || gh["codeChallengeMethod"] != "" {
		t.Errorf("github without pkce = %v", gh)
	}
	if body["mfa"].(map[string]any)["duration"] != float64(1800) || body["otp"].(map[string]any)["duration"] != float64(180) {
		t.Errorf("durations: %v %v", body["mfa"], body["otp"])
	}
	if body["authProviders"] == nil {
		t.Error("legacy authProviders missing")
	}
}

func TestAuthRefreshAndImpersonate(t *testing.T) {
	e := newAuthEnv(t)
	id := e.user("u1@example.com", "password123", true)
	e.user("u2@example.com", "password123", true)
	tok := e.login("u1@example.com", "password123")

	cases := []authCase{
		{name: "refresh ok", path: "/api/collections/users/auth-refresh", token: tok, wantStatus: 200, wantIn: []string{`"id":"` + id + `"`, `"email":"u1@example.com"`}},
		{name: "refresh with Bearer", path: "/api/collections/users/auth-refresh", token: "Bearer " + tok, wantStatus: 200},
		{name: "refresh with bearer lower", path: "/api/collections/users/auth-refresh", token: "bearer " + tok, wantStatus: 200},
		{name: "refresh other scheme is guest", path: "/api/collections/users/auth-refresh", token: "Token " + tok, wantStatus: 401, wantIn: []string{"The request requires valid record authorization token."}},
		{name: "refresh guest", path: "/api/collections/users/auth-refresh", wantStatus: 401},
		{name: "refresh other collection", path: "/api/collections/users/auth-refresh", token: e.su, wantStatus: 403, wantIn: []string{"The request requires auth record from _superusers collection."}},
		{name: "refresh forged token", path: "/api/collections/users/auth-refresh", token: tok[:len(tok)-4] + "AAAA", wantStatus: 401},
		{name: "impersonate needs superuser", path: "/api/collections/users/impersonate/" + id, token: tok, wantStatus: 403, wantIn: []string{"not allowed to perform this action"}},
		{name: "impersonate guest", path: "/api/collections/users/impersonate/" + id, wantStatus: 401},
		{name: "impersonate missing", path: "/api/collections/users/impersonate/nope", token: e.su, wantStatus: 404},
		{name: "impersonate negative duration", path: "/api/collections/users/impersonate/" + id, token: e.su, body: map[string]any{"duration": -1}, wantStatus: 400},
		{name: "impersonate ok", path: "/api/collections/users/impersonate/" + id, token: e.su, body: map[string]any{"duration": 100}, wantStatus: 200, wantIn: []string{`"id":"` + id + `"`}},
	}
	runAuthCases(t, e, cases)

	// An impersonation token is not refreshable and lives for the given duration.
	_, body := e.Do("POST", "/api/collections/users/impersonate/"+id, e.su, map[string]any{"duration": 100})
	imp := body["token"].(string)
	claims, err := auth.ParseUnverified(imp, time.Now())
	if err != nil || claims.Refreshable || claims.Expiry.Sub(time.Now()) > 101*time.Second || claims.Expiry.Sub(time.Now()) < 90*time.Second {
		t.Fatalf("impersonation claims = %+v, %v", claims, err)
	}
	status, body := e.Do("POST", "/api/collections/users/auth-refresh", imp, nil)
	if status != 200 || body["token"] != imp {
		t.Fatalf("refresh of impersonation token must echo it: %d %v", status, body)
	}
	if e.hits.get("refresh") < 4 || e.hits.get("auth:impersonate") < 2 || e.hits.get("auth:refresh") < 4 {
		t.Errorf("hooks: %v", e.hits.n)
	}
}

func TestAuthTokenInvalidation(t *testing.T) {
	e := newAuthEnv(t)
	id := e.user("u1@example.com", "password123", true)
	e.user("u2@example.com", "password123", true)
	valid := func(tok string) bool {
		status, _ := e.Do("POST", "/api/collections/users/auth-refresh", tok, nil)
		return status == 200
	}

	t.Run("password change invalidates old tokens", func(t *testing.T) {
		tok := e.login("u1@example.com", "password123")
		other := e.login("u2@example.com", "password123")
		status, body := e.Do("PATCH", "/api/collections/users/records/"+id, tok, map[string]any{"oldPassword": "password123", "password": "password456", "passwordConfirm": "password456"})
		if status != 200 {
			t.Fatalf("change password: %d %v", status, body)
		}
		if valid(tok) {
			t.Fatal("old token still valid after password change")
		}
		if !valid(other) {
			t.Fatal("another user's token was invalidated")
		}
		e.login("u1@example.com", "password456")
	})
	t.Run("tokenKey change invalidates", func(t *testing.T) {
		tok := e.login("u1@example.com", "password456")
		r := e.record("users", id)
		r.Set(core.FieldTokenKey, core.RandomToken(50))
		if err := e.App.Save(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		if valid(tok) {
			t.Fatal("token valid after tokenKey change")
		}
	})
	t.Run("authRule change logs out the collection", func(t *testing.T) {
		tok := e.login("u1@example.com", "password456")
		other := e.login("u2@example.com", "password123")
		e.patchCollection("users", map[string]any{"authRule": "verified = true"})
		if valid(tok) || valid(other) {
			t.Fatal("tokens valid after authRule change")
		}
		if status, _ := e.Do("POST", "/api/collections/_superusers/auth-refresh", e.su, nil); status != 200 {
			t.Fatal("superuser token must survive a users authRule change")
		}
	})
	t.Run("wrong type, expired, other collection and alg none are guests", func(t *testing.T) {
		r := e.record("users", id)
		col := r.Collection()
		key := r.GetString(core.FieldTokenKey)
		sign := func(c auth.Claims, secret string) string {
			tok, err := auth.Sign(c, key+secret)
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		exp := time.Now().Add(time.Hour)
		verification := sign(auth.Claims{Id: id, CollectionId: col.Id, Type: auth.TokenTypeVerification, Email: "u1@example.com", Expiry: exp}, col.Auth.VerificationToken.Secret)
		if valid(verification) {
			t.Error("verification token accepted as auth")
		}
		wrongSecret := sign(auth.Claims{Id: id, CollectionId: col.Id, Type: auth.TokenTypeAuth, Refreshable: true, Expiry: exp}, col.Auth.FileToken.Secret)
		if valid(wrongSecret) {
			t.Error("token signed with the file secret accepted")
		}
		good := sign(auth.Claims{Id: id, CollectionId: col.Id, Type: auth.TokenTypeAuth, Refreshable: true, Expiry: exp}, col.Auth.AuthToken.Secret)
		if !valid(good) {
			t.Fatal("well-formed token refused")
		}
		suCol, _ := e.App.FindCollectionByNameOrId(core.SuperusersCollectionName)
		crossed := sign(auth.Claims{Id: id, CollectionId: suCol.Id, Type: auth.TokenTypeAuth, Refreshable: true, Expiry: exp}, col.Auth.AuthToken.Secret)
		if status, _ := e.Do("GET", "/api/settings", crossed, nil); status != 401 {
			t.Errorf("token claiming another collection: %d", status)
		}
		parts := strings.Split(good, ".")
		none := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
		if valid(none) {
			t.Error("alg none accepted")
		}
	})
}

func TestAuthAlertsAndOrigins(t *testing.T) {
	e := newAuthEnv(t)
	id := e.user("u1@example.com", "password123", true)
	login := func(ua string) {
		status, body := e.raw("POST", "/api/collections/users/auth-with-password", map[string]string{"User-Agent": ua},
			map[string]any{"identity": "u1@example.com", "password": "password123"})
		if status != 200 {
			t.Fatalf("login: %d %s", status, body)
		}
	}
	origins := func() int {
		return e.count(core.AuthOriginsCollectionName, "recordRef = {:r}", map[string]any{"r": id})
	}
	login("ua-1")
	if origins() != 1 || len(e.mail.Messages()) != 0 {
		t.Fatalf("first login: origins=%d mails=%d (no alert on the very first login)", origins(), len(e.mail.Messages()))
	}
	login("ua-1")
	if origins() != 1 || len(e.mail.Messages()) != 0 {
		t.Fatalf("same location: origins=%d mails=%d", origins(), len(e.mail.Messages()))
	}
	login("ua-2")
	if origins() != 2 {
		t.Fatalf("origins = %d", origins())
	}
	m, ok := e.mail.Last()
	if !ok || m.Subject != "Login from a new location" || m.To[0].Email != "u1@example.com" || !strings.Contains(m.HTML, "ua-2") {
		t.Fatalf("alert mail = %+v", m)
	}
	for i := 3; i <= 8; i++ {
		login("ua-" + string(rune('0'+i)))
	}
	if origins() != 5 {
		t.Fatalf("origins kept = %d, want 5", origins())
	}
	// refresh and impersonate never alert
	before := len(e.mail.Messages())
	tok := e.login("u1@example.com", "password123")
	_ = tok
	e.raw("POST", "/api/collections/users/auth-refresh", map[string]string{"User-Agent": "other", "Authorization": tok}, nil)
	e.Do("POST", "/api/collections/users/impersonate/"+id, e.su, nil)
	if got := len(e.mail.Messages()); got != before+1 { // only the login with Go's user agent alerted
		t.Fatalf("mails = %d, want %d", got, before+1)
	}
	if e.hits.get("mail:authAlert") != before+1 {
		t.Errorf("OnMailerRecordAuthAlertSend = %d", e.hits.get("mail:authAlert"))
	}
}
