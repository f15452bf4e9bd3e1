package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Apple's fixed identity endpoints.
const (
	appleIssuer  = "https://appleid.apple.com"
	appleJWKSURL = "https://appleid.apple.com/auth/keys"
)

// AppleMaxSecretDuration is the longest client-secret lifetime Apple
// accepts (about six months; spec S5 validates 1..15777000 s).
const AppleMaxSecretDuration = 15777000 * time.Second

// apple signs in with an Apple ID ("Sign in with Apple"). ClientSecret is
// the ES256 JWT made by AppleClientSecret. Apple posts the authorization
// response (response_mode=form_post) to the redirect endpoint (A14) and
// has no user-info endpoint: the user is read from the id_token, whose
// signature is checked against Apple's JWKS (Extra["jwksURL"] overrides
// the URL, for tests).
//
// Name: Apple sends the user's name only on the first authorization, in
// the form post; the server remembers it (ParseAppleUserName) and passes
// it as Token.RememberedName.
//
// Verified e-mail: the id_token "email" is kept only when its
// "email_verified" claim is true (Apple sends it as a bool or as the
// string "true"). Private-relay addresses are verified relays and count.
type apple struct {
	*base
	jwksURL string
}

var _ Provider = (*apple)(nil)

func newApple(cfg Config, client *http.Client) (Provider, error) {
	b, err := newBase(cfg, client, defaults{
		displayName: "Apple",
		authURL:     "https://appleid.apple.com/auth/authorize",
		tokenURL:    "https://appleid.apple.com/auth/token",
		scopes:      []string{"name", "email"},
		pkce:        true,
		// Apple requires form_post whenever name or email is requested.
		authParams: map[string]string{"response_mode": "form_post"},
	})
	if err != nil {
		return nil, err
	}
	p := &apple{base: b, jwksURL: or(b.extraString("jwksURL"), appleJWKSURL)}
	if err := checkURL(p.jwksURL); err != nil {
		return nil, fmt.Errorf("oauth2 apple: jwksURL: %w", err)
	}
	return p, nil
}

// FetchUser verifies the id_token and maps sub, the verified email and
// tok.RememberedName. RawUser holds the id_token claims.
func (p *apple) FetchUser(ctx context.Context, tok *Token) (*User, error) {
	if tok == nil {
		return nil, errors.New("oauth2 apple user: nil token")
	}
	claims, err := p.verifyIDToken(ctx, tok.IDToken, idTokenRules{jwksURL: p.jwksURL, issuers: []string{appleIssuer}})
	if err != nil {
		return nil, fmt.Errorf("oauth2 apple user: %w", err)
	}
	u := newUser(tok, claims)
	u.Id = str(claims, "sub")
	u.Name = strings.TrimSpace(tok.RememberedName)
	if truthy(claims, "email_verified") {
		u.Email = str(claims, "email")
	}
	return requireId(p.name, u)
}

// ParseAppleUserName returns "firstName lastName" from the "user" JSON
// Apple posts to the redirect endpoint on first sign-in (A14), e.g.
// {"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"…"}. It
// returns "" for empty or malformed input: a missing name must not fail
// the login.
func ParseAppleUserName(userJSON string) string {
	var v struct {
		Name struct {
			FirstName string `json:"firstName"`
			LastName  string `json:"lastName"`
		} `json:"name"`
	}
	if json.Unmarshal([]byte(userJSON), &v) != nil {
		return ""
	}
	return strings.TrimSpace(strings.TrimSpace(v.Name.FirstName) + " " + strings.TrimSpace(v.Name.LastName))
}

// AppleClientSecret returns the client secret Apple requires for its
// token endpoint (spec S5): an ES256 JWT with header kid=keyId and claims
// iss=teamId, iat=now, exp=now+duration, aud="https://appleid.apple.com",
// sub=clientId. privateKeyPEM is the .p8 key Apple issues (PKCS#8; SEC 1
// "EC PRIVATE KEY" is accepted too) and must be a P-256 key. duration
// must be positive and at most AppleMaxSecretDuration.
func AppleClientSecret(clientId, teamId, keyId, privateKeyPEM string, duration time.Duration, now time.Time) (string, error) {
	if clientId == "" || teamId == "" || keyId == "" {
		return "", errors.New("apple client secret: clientId, teamId and keyId are required")
	}
	if duration <= 0 || duration > AppleMaxSecretDuration {
		return "", fmt.Errorf("apple client secret: duration must be in (0, %s]", AppleMaxSecretDuration)
	}
	key, err := parseECPrivateKey(privateKeyPEM)
	if err != nil {
		return "", fmt.Errorf("apple client secret: %w", err)
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": teamId,
		"iat": now.Unix(),
		"exp": now.Add(duration).Unix(),
		"aud": appleIssuer, // a plain string: Apple documents a single value
		"sub": clientId,
	})
	t.Header["kid"] = keyId
	s, err := t.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("apple client secret: %w", err)
	}
	return s, nil
}

func parseECPrivateKey(pemText string) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil {
		return nil, errors.New("private key is not PEM")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("unexpected PEM block %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("private key must be ECDSA P-256")
	}
	return ec, nil
}
