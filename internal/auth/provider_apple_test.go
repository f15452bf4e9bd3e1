package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	testRSAKey      = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA() })
	testOtherRSAKey = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA() })
)

func mustRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func rsaJWK(kid string, pub *rsa.PublicKey) map[string]any {
	return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
}

func ecJWK(t *testing.T, kid string, pub *ecdsa.PublicKey) map[string]any {
	t.Helper()
	b, err := pub.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	n := (len(b) - 1) / 2
	return map[string]any{"kty": "EC", "kid": kid, "crv": "P-256",
		"x": base64.RawURLEncoding.EncodeToString(b[1 : 1+n]),
		"y": base64.RawURLEncoding.EncodeToString(b[1+n:])}
}

// signIDToken signs claims with method and key, setting header kid.
func signIDToken(t *testing.T, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func appleClaims() jwt.MapClaims {
	return jwt.MapClaims{"iss": "https://appleid.apple.com", "aud": "cid", "sub": "001234.abcdef", "exp": testNow.Add(10 * time.Minute).Unix(),
		"iat": testNow.Unix(), "email": "ada@privaterelay.appleid.com", "email_verified": "true", "is_private_email": "true"}
}

func newAppleForTest(t *testing.T) (*fakeIdP, Provider) {
	t.Helper()
	f := newFakeIdP(t)
	f.routes["/keys"] = fakeRoute{public: true, body: map[string]any{"keys": []any{
		rsaJWK("other", &testOtherRSAKey().PublicKey), rsaJWK("k1", &testRSAKey().PublicKey)}}}
	cfg := f.config("apple", "")
	cfg.UserInfoURL = ""
	cfg.Extra = map[string]any{"jwksURL": f.srv.URL + "/keys"}
	p, err := NewProvider(cfg, f.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return f, p
}

func TestAppleFlow(t *testing.T) {
	t.Parallel()
	f, p := newAppleForTest(t)
	idTok := signIDToken(t, jwt.SigningMethodRS256, testRSAKey(), "k1", appleClaims())
	f.tokenStatus, f.tokenBody = 200, `{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1","id_token":"`+idTok+`"}`

	tok, err := p.Exchange(context.Background(), "the-code", "the-verifier", "https://app/api/oauth2-redirect")
	if err != nil {
		t.Fatal(err)
	}
	checkTokenRequest(t, f, authInBody, true)
	tok.RememberedName = ParseAppleUserName(`{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"x@y.z"}`)
	u, err := p.FetchUser(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if u.Id != "001234.abcdef" || u.Email != "ada@privaterelay.appleid.com" || u.Name != "Ada Lovelace" || u.AccessToken != "at-1" {
		t.Errorf("user = %+v", u)
	}
	if u.RawUser["sub"] != "001234.abcdef" {
		t.Errorf("RawUser = %v", u.RawUser)
	}
	if !strings.Contains(p.AuthURL("s", "c"), "response_mode=form_post") {
		t.Error("apple AuthURL lacks response_mode=form_post")
	}
}

func TestAppleIDTokenChecks(t *testing.T) {
	t.Parallel()
	_, p := newAppleForTest(t)
	with := func(k string, v any) jwt.MapClaims {
		c := appleClaims()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	rs := jwt.SigningMethodRS256
	tests := []struct {
		name      string
		idToken   string
		wantErr   bool
		wantEmail string
	}{
		{"verified string", signIDToken(t, rs, testRSAKey(), "k1", appleClaims()), false, "ada@privaterelay.appleid.com"},
		{"verified bool", signIDToken(t, rs, testRSAKey(), "k1", with("email_verified", true)), false, "ada@privaterelay.appleid.com"},
		{"unverified string", signIDToken(t, rs, testRSAKey(), "k1", with("email_verified", "false")), false, ""},
		{"unverified missing", signIDToken(t, rs, testRSAKey(), "k1", with("email_verified", nil)), false, ""},
		{"wrong audience", signIDToken(t, rs, testRSAKey(), "k1", with("aud", "someone-else")), true, ""},
		{"wrong issuer", signIDToken(t, rs, testRSAKey(), "k1", with("iss", "https://evil.example")), true, ""},
		{"expired", signIDToken(t, rs, testRSAKey(), "k1", with("exp", testNow.Unix())), true, ""},
		{"no exp", signIDToken(t, rs, testRSAKey(), "k1", with("exp", nil)), true, ""},
		{"signed by another key under k1", signIDToken(t, rs, testOtherRSAKey(), "k1", appleClaims()), true, ""},
		{"unknown kid", signIDToken(t, rs, testRSAKey(), "nope", appleClaims()), true, ""},
		{"no kid with two keys", signIDToken(t, rs, testRSAKey(), "", appleClaims()), true, ""},
		{"HS256", signIDToken(t, jwt.SigningMethodHS256, []byte("secret"), "k1", appleClaims()), true, ""},
		{"alg none", signIDToken(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "k1", appleClaims()), true, ""},
		{"missing", "", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := p.FetchUser(context.Background(), &Token{AccessToken: "at-1", IDToken: tt.idToken})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && u.Email != tt.wantEmail {
				t.Errorf("email = %q, want %q", u.Email, tt.wantEmail)
			}
		})
	}
}

func TestParseAppleUserName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		`{"name":{"firstName":"Ada","lastName":"Lovelace"}}`: "Ada Lovelace",
		`{"name":{"firstName":" Ada "}}`:                     "Ada",
		`{"name":{"lastName":"Lovelace"}}`:                   "Lovelace",
		`{"email":"a@b.c"}`:                                  "",
		`not json`:                                           "",
		``:                                                   "",
	}
	for in, want := range tests {
		if got := ParseAppleUserName(in); got != want {
			t.Errorf("ParseAppleUserName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAppleClientSecret(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))

	secret, err := AppleClientSecret("com.example.web", "TEAM123456", "KEY1234567", pemText, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	parsed, err := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"}), jwt.WithTimeFunc(func() time.Time { return testNow })).
		ParseWithClaims(secret, claims, func(*jwt.Token) (any, error) { return &key.PublicKey, nil })
	if err != nil {
		t.Fatalf("secret does not verify with the public key: %v", err)
	}
	if parsed.Header["kid"] != "KEY1234567" || parsed.Header["alg"] != "ES256" {
		t.Errorf("header = %v", parsed.Header)
	}
	want := map[string]any{"iss": "TEAM123456", "sub": "com.example.web", "aud": "https://appleid.apple.com",
		"iat": float64(testNow.Unix()), "exp": float64(testNow.Add(time.Hour).Unix())}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v (%T), want %v", k, claims[k], claims[k], v)
		}
	}

	// SEC 1 encoding is accepted too.
	sec1, _ := x509.MarshalECPrivateKey(key)
	if _, err := AppleClientSecret("c", "t", "k", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1})), time.Hour, testNow); err != nil {
		t.Errorf("SEC 1 key: %v", err)
	}

	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der384, _ := x509.MarshalPKCS8PrivateKey(p384)
	rsaDER, _ := x509.MarshalPKCS8PrivateKey(testRSAKey())
	bad := []struct {
		name     string
		pem      string
		duration time.Duration
		clientId string
	}{
		{"not pem", "garbage", time.Hour, "c"},
		{"rsa key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: rsaDER})), time.Hour, "c"},
		{"p384 key", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der384})), time.Hour, "c"},
		{"zero duration", pemText, 0, "c"},
		{"too long", pemText, AppleMaxSecretDuration + time.Second, "c"},
		{"no client id", pemText, time.Hour, ""},
	}
	for _, b := range bad {
		if _, err := AppleClientSecret(b.clientId, "t", "k", b.pem, b.duration, testNow); err == nil {
			t.Errorf("%s: want error", b.name)
		}
	}
}
