package api_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// fakeGoogle is an httptest stand-in for Google's token and userinfo
// endpoints: each authorization code maps to one provider user.
type fakeGoogle struct {
	*httptest.Server
	mu    sync.Mutex
	users map[string]map[string]any // code → userinfo document
	pkce  map[string]string         // code → expected code_verifier
}

func newFakeGoogle(t *testing.T) *fakeGoogle {
	f := &fakeGoogle{users: map[string]map[string]any{}, pkce: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		_, ok := f.users[r.PostForm.Get("code")]
		want := f.pkce[r.PostForm.Get("code")]
		f.mu.Unlock()
		if !ok || (want != "" && r.PostForm.Get("code_verifier") != want) || r.PostForm.Get("redirect_uri") == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"at-` + r.PostForm.Get("code") + `","token_type":"Bearer","expires_in":3600}`))
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		code := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer at-")
		f.mu.Lock()
		u, ok := f.users[code]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(u)
	})
	mux.HandleFunc("GET /avatar.png", func(w http.ResponseWriter, r *http.Request) {
		img := image.NewRGBA(image.Rect(0, 0, 2, 2))
		img.Set(0, 0, color.White)
		var b bytes.Buffer
		_ = png.Encode(&b, img)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(b.Bytes())
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// user registers a provider account reachable with code.
func (f *fakeGoogle) user(code, sub, email string, verified bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[code] = map[string]any{"sub": sub, "name": "Name " + sub, "email": email, "email_verified": verified, "picture": f.URL + "/avatar.png"}
}

func oauthEnv(t *testing.T) (*authEnv, *fakeGoogle) {
	e := newAuthEnv(t)
	f := newFakeGoogle(t)
	e.patchCollection("users", map[string]any{"oauth2": map[string]any{"enabled": true, "providers": []any{map[string]any{
		"name": "google", "clientId": "cid", "clientSecret": "secret",
		"authURL": f.URL + "/auth", "tokenURL": f.URL + "/token", "userInfoURL": f.URL + "/userinfo",
	}}}})
	return e, f
}

func (e *authEnv) oauth2(code, token string) (int, map[string]any) {
	e.t.Helper()
	return e.Do("POST", "/api/collections/users/auth-with-oauth2", token, map[string]any{
		"provider": "google", "code": code, "codeVerifier": "v", "redirectURL": "http://127.0.0.1/cb",
	})
}

func (e *authEnv) links(recordId string) int {
	return e.count(core.ExternalAuthsCollectionName, "recordRef = {:r}", map[string]any{"r": recordId})
}

func TestAuthWithOAuth2Scenarios(t *testing.T) {
	e, f := oauthEnv(t)
	f.user("c-new", "g-1", "new@example.com", true)
	f.mu.Lock()
	f.pkce["c-pkce"] = "the-verifier"
	f.mu.Unlock()
	f.user("c-pkce", "g-2", "", false)

	runAuthCases(t, e, []authCase{
		{name: "missing fields", path: "/api/collections/users/auth-with-oauth2", body: map[string]any{}, wantStatus: 400,
			wantIn: []string{"An error occurred while loading the submitted data.", "provider", "code", "redirectURL"}},
		{name: "unknown provider", path: "/api/collections/users/auth-with-oauth2", body: map[string]any{"provider": "github", "code": "x", "redirectURL": "http://x"}, wantStatus: 400,
			wantIn: []string{"validation_invalid_provider", "Provider with name github is missing or is not enabled."}},
		{name: "bad code", path: "/api/collections/users/auth-with-oauth2", body: map[string]any{"provider": "google", "code": "nope", "redirectURL": "http://x"}, wantStatus: 400,
			wantIn: []string{"Failed to fetch OAuth2 token."}},
		{name: "PKCE verifier mismatch", path: "/api/collections/users/auth-with-oauth2", body: map[string]any{"provider": "google", "code": "c-pkce", "codeVerifier": "wrong", "redirectURL": "http://x"}, wantStatus: 400,
			wantIn: []string{"Failed to fetch OAuth2 token."}},
		{name: "superusers disabled", path: "/api/collections/_superusers/auth-with-oauth2", body: map[string]any{"provider": "google", "code": "c-new", "redirectURL": "http://x"}, wantStatus: 403,
			wantIn: []string{"not configured to allow OAuth2 authentication"}},
	})
	if n := e.count("users", "id != ''", nil); n != 0 {
		t.Fatalf("failed calls created %d users", n)
	}

	status, body := e.oauth2("c-new", "")
	if status != 200 {
		t.Fatalf("sign-up: %d %v", status, body)
	}
	rec := body["record"].(map[string]any)
	meta := body["meta"].(map[string]any)
	if rec["email"] != "new@example.com" || rec["verified"] != true || rec["name"] != "Name g-1" || rec["avatar"] == "" || meta["isNew"] != true || meta["id"] != "g-1" || meta["avatarUrl"] == "" {
		t.Fatalf("sign-up response: %v", body)
	}
	id := rec["id"].(string)
	if e.links(id) != 1 {
		t.Fatal("no _externalAuths link")
	}
	// second login finds the link; not new
	status, body = e.oauth2("c-new", "")
	if status != 200 || body["meta"].(map[string]any)["isNew"] != false || body["record"].(map[string]any)["id"] != id {
		t.Fatalf("second login: %d %v", status, body)
	}
	// PKCE with the right verifier; provider without verified e-mail → no e-mail, new record
	status, body = e.Do("POST", "/api/collections/users/auth-with-oauth2", "", map[string]any{"provider": "google", "code": "c-pkce", "codeVerifier": "the-verifier", "redirectURL": "http://x", "createData": map[string]any{"name": "Chosen", "verified": true, "email": "chosen@example.com"}})
	if status != 200 || body["record"].(map[string]any)["name"] != "Chosen" || body["record"].(map[string]any)["verified"] != false {
		t.Fatalf("pkce sign-up: %d %v", status, body)
	}
	t.Run("logged-in user links a provider", func(t *testing.T) {
		uid := e.user("me@example.com", "password123", true)
		tok := e.login("me@example.com", "password123")
		f.user("c-link", "g-3", "", false)
		status, body := e.oauth2("c-link", tok)
		if status != 200 || body["record"].(map[string]any)["id"] != uid || e.links(uid) != 1 {
			t.Fatalf("link: %d %v", status, body)
		}
		e.login("me@example.com", "password123") // password untouched for the owner
	})
	t.Run("sign-up refused by createRule", func(t *testing.T) {
		e.patchCollection("users", map[string]any{"createRule": nil})
		defer e.patchCollection("users", map[string]any{"createRule": ""})
		f.user("c-closed", "g-4", "closed@example.com", true)
		status, body := e.oauth2("c-closed", "")
		if status != 400 || !strings.Contains(toJSON(body), "Failed to authenticate.") {
			t.Fatalf("%d %v", status, body)
		}
	})
	if e.hits.get("oauth2") < 4 || e.hits.get("auth:oauth2") < 4 {
		t.Errorf("hooks: %v", e.hits.n)
	}
}

// TestOAuth2AdvisoryUnverifiedAutoLink is the regression test for
// PocketBase's 2024 advisory: an attacker registers the victim's address
// (unverified) with a password; the victim later signs in with OAuth2 and
// gets linked to that record. The attacker's password and sessions must
// not survive the link.
func TestOAuth2AdvisoryUnverifiedAutoLink(t *testing.T) {
	e, f := oauthEnv(t)
	status, body := e.Do("POST", "/api/collections/users/records", "", map[string]any{
		"email": "victim@example.com", "password": "attacker-pass", "passwordConfirm": "attacker-pass"})
	if status != 200 {
		t.Fatalf("squat: %d %v", status, body)
	}
	id := body["id"].(string)
	attackerTok := e.login("victim@example.com", "attacker-pass")

	f.user("victim-code", "g-victim", "victim@example.com", true)
	status, body = e.oauth2("victim-code", "")
	if status != 200 || body["record"].(map[string]any)["id"] != id || body["record"].(map[string]any)["verified"] != true {
		t.Fatalf("victim sign-in: %d %v", status, body)
	}
	if status, _ := e.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": "victim@example.com", "password": "attacker-pass"}); status != 400 {
		t.Fatal("the squatter's password still works after the OAuth2 link")
	}
	if status, _ := e.Do("POST", "/api/collections/users/auth-refresh", attackerTok, nil); status != 401 {
		t.Fatal("the squatter's session survived the OAuth2 link")
	}
	// An unverified provider e-mail never links by address.
	f.user("unverified-code", "g-other", "victim2@example.com", false)
	e.Do("POST", "/api/collections/users/records", "", map[string]any{"email": "victim2@example.com", "password": "pass12345", "passwordConfirm": "pass12345"})
	// (users require an e-mail, so the sign-up itself fails; what matters
	// is that the existing account is not the one signed in.)
	status, body = e.oauth2("unverified-code", "")
	if status == 200 && body["record"].(map[string]any)["email"] == "victim2@example.com" {
		t.Fatalf("unverified provider e-mail linked to an existing account: %d %v", status, body)
	}
	e.login("victim2@example.com", "pass12345")
}

// TestOAuth2AdvisoryStaleLinkAfterVerification is the regression test for
// PocketBase's 2026 advisory: an attacker squats the victim's address
// (unverified), signs in and links their own provider identity to it; when
// the victim proves the address (OAuth2 with the verified e-mail, or the
// verification mail) the attacker's link must be gone.
func TestOAuth2AdvisoryStaleLinkAfterVerification(t *testing.T) {
	for _, via := range []string{"oauth2", "verification"} {
		t.Run(via, func(t *testing.T) {
			e, f := oauthEnv(t)
			status, body := e.Do("POST", "/api/collections/users/records", "", map[string]any{
				"email": "victim@example.com", "password": "attacker-pass", "passwordConfirm": "attacker-pass"})
			if status != 200 {
				t.Fatalf("squat: %d %v", status, body)
			}
			id := body["id"].(string)
			attackerTok := e.login("victim@example.com", "attacker-pass")
			f.user("attacker-code", "g-attacker", "", false)
			if status, body := e.oauth2("attacker-code", attackerTok); status != 200 || e.links(id) != 1 {
				t.Fatalf("attacker link: %d %v", status, body)
			}
			switch via {
			case "oauth2":
				f.user("victim-code", "g-victim", "victim@example.com", true)
				if status, body := e.oauth2("victim-code", ""); status != 200 || body["record"].(map[string]any)["id"] != id {
					t.Fatalf("victim sign-in: %d %v", status, body)
				}
				if e.links(id) != 1 {
					t.Fatalf("links = %d, want only the victim's", e.links(id))
				}
			case "verification":
				e.Do("POST", "/api/collections/users/request-verification", "", map[string]any{"email": "victim@example.com"})
				tok := mailTokenOf(t, e, 1)
				if status, _ := e.Do("POST", "/api/collections/users/confirm-verification", "", map[string]any{"token": tok}); status != 204 {
					t.Fatal("confirm failed")
				}
				if e.links(id) != 0 {
					t.Fatalf("links = %d after verification, want 0", e.links(id))
				}
			}
			// the attacker's provider identity no longer opens the account
			status, body = e.oauth2("attacker-code", "")
			if status == 200 && body["record"].(map[string]any)["id"] == id {
				t.Fatal("stale link survived the unverified→verified upgrade")
			}
		})
	}
}

func mailTokenOf(t *testing.T, e *authEnv, n int) string {
	t.Helper()
	m := waitMail(t, e, n)
	i := strings.Index(m, "/auth/confirm-")
	if i < 0 {
		t.Fatalf("no link in %s", m)
	}
	rest := m[i+len("/auth/confirm-"):]
	rest = rest[strings.Index(rest, "/")+1:]
	end := strings.IndexAny(rest, `"<' `)
	return rest[:end]
}

func waitMail(t *testing.T, e *authEnv, n int) string {
	t.Helper()
	return waitMailMsg(t, e, n)
}

func TestOAuth2Redirect(t *testing.T) {
	e := newAuthEnv(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(e.URL + "/api/oauth2-redirect?state=abc&code=123")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 307 || res.Header.Get("Location") != "../_/#/auth/oauth2-redirect-failure" {
		t.Fatalf("GET without a client: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, err = noRedirect.Post(e.URL+"/api/oauth2-redirect", "application/x-www-form-urlencoded", strings.NewReader("state=&code=1"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 303 || !strings.HasSuffix(res.Header.Get("Location"), "failure") {
		t.Fatalf("POST without state: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_ = auth.NewOAuth2State
}
