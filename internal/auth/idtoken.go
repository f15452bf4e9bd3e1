package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/golang-jwt/jwt/v5"
)

// idTokenAlgs are the asymmetric algorithms accepted for id_tokens. HMAC
// algs are excluded on purpose: with them, a public JWKS key could be
// abused as a shared secret.
var idTokenAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

// jwk is one JSON Web Key (RFC 7517) of the kinds providers publish.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

func (k jwk) publicKey() (any, error) {
	dec := base64.RawURLEncoding.DecodeString
	switch k.Kty {
	case "RSA":
		n, err := dec(k.N)
		if err != nil {
			return nil, fmt.Errorf("jwk n: %w", err)
		}
		e, err := dec(k.E)
		if err != nil {
			return nil, fmt.Errorf("jwk e: %w", err)
		}
		eInt := new(big.Int).SetBytes(e)
		if len(n) < 256 || !eInt.IsInt64() || eInt.Int64() < 3 || eInt.Int64() > 1<<31-1 {
			return nil, errors.New("jwk: unsupported RSA key size or exponent")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(eInt.Int64())}, nil
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		case "P-521":
			curve = elliptic.P521()
		default:
			return nil, fmt.Errorf("jwk: unsupported curve %q", k.Crv)
		}
		x, err := dec(k.X)
		if err != nil {
			return nil, fmt.Errorf("jwk x: %w", err)
		}
		y, err := dec(k.Y)
		if err != nil {
			return nil, fmt.Errorf("jwk y: %w", err)
		}
		size := (curve.Params().BitSize + 7) / 8
		if len(x) != size || len(y) != size {
			return nil, errors.New("jwk: bad EC coordinate length")
		}
		// The parser rejects points off the curve, which matters for
		// keys fetched from the network.
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, fmt.Errorf("jwk: %w", err)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("jwk: unsupported kty %q", k.Kty)
}

// idTokenRules says what verifyIDToken requires besides the signature.
type idTokenRules struct {
	jwksURL string
	issuers []string // accepted "iss"; empty accepts any
}

// verifyIDToken checks raw's signature against the keys at rules.jwksURL
// (fetched per call: logins are rare next to the cost of a stale cache),
// that "aud" contains our client id, that "exp" is in the future by
// b.now, and that "iss" is allowed. It returns the claims.
func (b *base) verifyIDToken(ctx context.Context, raw string, rules idTokenRules) (map[string]any, error) {
	if raw == "" {
		return nil, errors.New("missing id_token")
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := b.getJSON(ctx, rules.jwksURL, "", nil, &set); err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	keyFunc := func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		var candidates []jwk
		for _, k := range set.Keys {
			if k.Use != "" && k.Use != "sig" {
				continue
			}
			if kid == "" || k.Kid == kid {
				candidates = append(candidates, k)
			}
		}
		// Without a kid, only an unambiguous single key is acceptable.
		if len(candidates) != 1 {
			return nil, fmt.Errorf("no unique jwk for kid %q", kid)
		}
		return candidates[0].publicKey()
	}
	claims := jwt.MapClaims{}
	p := jwt.NewParser(
		jwt.WithValidMethods(idTokenAlgs),
		jwt.WithTimeFunc(b.now),
		jwt.WithExpirationRequired(),
		jwt.WithAudience(b.clientId),
	)
	if _, err := p.ParseWithClaims(raw, claims, keyFunc); err != nil {
		return nil, fmt.Errorf("verify id_token: %w", err)
	}
	if len(rules.issuers) > 0 {
		iss, _ := claims["iss"].(string)
		if !slices.Contains(rules.issuers, iss) {
			return nil, fmt.Errorf("verify id_token: issuer %q not accepted", iss)
		}
	}
	return claims, nil
}

// extraString returns Extra[key] as a string ("" if absent or not one).
func (b *base) extraString(key string) string {
	s, _ := b.extra[key].(string)
	return s
}

// extraStrings returns Extra[key] as a string list; a single string counts
// as a one-element list.
func (b *base) extraStrings(key string) []string {
	switch v := b.extra[key].(type) {
	case string:
		if v != "" {
			return []string{v}
		}
	case []string:
		return v
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// extraBool returns Extra[key] as a bool (JSON true or "true").
func (b *base) extraBool(key string) bool {
	return truthy(b.extra, key)
}
