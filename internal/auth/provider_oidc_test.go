package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"reflect"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func oidcClaims() jwt.MapClaims {
	return jwt.MapClaims{"iss": "https://idp.example", "aud": []string{"cid", "other"}, "sub": "u-42", "exp": testNow.Add(5 * time.Minute).Unix(),
		"name": "Id Token", "preferred_username": "idt", "email": "u@x.io", "email_verified": true, "picture": "https://img/u"}
}

func TestOIDCIDToken(t *testing.T) {
	t.Parallel()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	strangerKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f := newFakeIdP(t)
	f.routes["/jwks"] = fakeRoute{public: true, body: map[string]any{"keys": []any{ecJWK(t, "ec1", &ecKey.PublicKey)}}}
	f.routes["/userinfo"] = fakeRoute{body: map[string]any{"sub": "u-42", "name": "From Userinfo"}}
	f.routes["/userinfo-mismatch"] = fakeRoute{body: map[string]any{"sub": "someone-else", "email": "evil@x.io", "email_verified": true}}
	es := jwt.SigningMethodES256
	good := signIDToken(t, es, ecKey, "ec1", oidcClaims())
	withClaim := func(k string, v any) string {
		c := oidcClaims()
		c[k] = v
		return signIDToken(t, es, ecKey, "ec1", c)
	}

	tests := []struct {
		name     string
		slot     string
		userPath string
		extra    map[string]any
		idToken  string
		wantErr  bool
		want     User
	}{
		{name: "id_token only, unverified signature (direct from token endpoint)", slot: "oidc", idToken: good,
			want: User{Id: "u-42", Name: "Id Token", Username: "idt", Email: "u@x.io", AvatarURL: "https://img/u"}},
		{name: "id_token verified with jwks and issuer", slot: "oidc2", idToken: good,
			extra: map[string]any{"jwksURL": f.srv.URL + "/jwks", "issuers": []any{"https://idp.example"}},
			want:  User{Id: "u-42", Name: "Id Token", Username: "idt", Email: "u@x.io", AvatarURL: "https://img/u"}},
		{name: "userinfo overrides id_token claims", slot: "oidc3", userPath: "/userinfo", idToken: good,
			extra: map[string]any{"jwksURL": f.srv.URL + "/jwks"},
			want:  User{Id: "u-42", Name: "From Userinfo", Username: "idt", Email: "u@x.io", AvatarURL: "https://img/u"}},
		{name: "unverified email in id_token", slot: "oidc", idToken: withClaim("email_verified", false),
			want: User{Id: "u-42", Name: "Id Token", Username: "idt", AvatarURL: "https://img/u"}},
		{name: "issuer not accepted", slot: "oidc", idToken: good, wantErr: true,
			extra: map[string]any{"jwksURL": f.srv.URL + "/jwks", "issuers": "https://other.example"}},
		{name: "wrong audience", slot: "oidc", idToken: withClaim("aud", "not-us"), wantErr: true,
			extra: map[string]any{"jwksURL": f.srv.URL + "/jwks"}},
		{name: "bad signature", slot: "oidc", idToken: signIDToken(t, es, strangerKey, "ec1", oidcClaims()), wantErr: true,
			extra: map[string]any{"jwksURL": f.srv.URL + "/jwks"}},
		{name: "userinfo sub mismatch", slot: "oidc", userPath: "/userinfo-mismatch", idToken: good, wantErr: true},
		{name: "nothing to read", slot: "oidc", wantErr: true},
		{name: "malformed id_token", slot: "oidc", idToken: "a.b", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := f.config(tt.slot, tt.userPath)
			if tt.userPath == "" {
				cfg.UserInfoURL = ""
			}
			cfg.Extra = tt.extra
			p, err := NewProvider(cfg, f.srv.Client())
			if err != nil {
				t.Fatal(err)
			}
			u, err := p.FetchUser(context.Background(), &Token{AccessToken: "at-1", IDToken: tt.idToken})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			got := User{Id: u.Id, Name: u.Name, Username: u.Username, Email: u.Email, AvatarURL: u.AvatarURL}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestOIDCClientAuthFallback: a server that rejects HTTP Basic gets the
// credentials as form fields on a second try.
func TestOIDCClientAuthFallback(t *testing.T) {
	t.Parallel()
	f := newFakeIdP(t)
	f.rejectBasic = true
	p, err := NewProvider(f.config("oidc", "/userinfo"), f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exchange(context.Background(), "the-code", "the-verifier", "https://app/api/oauth2-redirect"); err != nil {
		t.Fatal(err)
	}
	checkTokenRequest(t, f, authInBody, true)
}

func TestTokenResponseFormEncoded(t *testing.T) {
	t.Parallel()
	f := newFakeIdP(t)
	f.tokenStatus, f.tokenCType = 200, "application/x-www-form-urlencoded; charset=utf-8"
	f.tokenBody = "access_token=at-1&scope=read%3Auser&token_type=bearer&expires_in=60"
	p, err := NewProvider(f.config("github", "/user"), f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p.Exchange(context.Background(), "c", "v", "r")
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "at-1" || tok.TokenType != "bearer" || !tok.Expiry.Equal(testNow.Add(time.Minute)) {
		t.Errorf("token = %+v", tok)
	}
}

// TestGitHubEmailsForbidden: without the user:email grant GitHub answers
// 403 on /user/emails; the login still works, without an e-mail, and the
// unverified public profile address is not used instead.
func TestGitHubEmailsForbidden(t *testing.T) {
	t.Parallel()
	f := newFakeIdP(t)
	f.routes["/user"] = fakeRoute{body: map[string]any{"id": 1, "login": "octo", "email": "public@x.io"}}
	f.routes["/user/emails"] = fakeRoute{status: 403, body: map[string]any{"message": "Resource not accessible by integration"}}
	p, err := NewProvider(f.config("github", "/user"), f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	u, err := p.FetchUser(context.Background(), &Token{AccessToken: "at-1"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Id != "1" || u.Email != "" {
		t.Errorf("user = %+v, want id 1 and no e-mail", u)
	}
}
