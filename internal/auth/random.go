package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
)

// Alphabets used by the random helpers.
const (
	AlphabetLowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789"
	AlphabetAlphanumeric      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	AlphabetDigits            = "0123456789"
)

// Lengths from spec §10.5.
const (
	RecordIdLength         = 15
	TokenKeyLength         = 50
	SecretLength           = 50
	RealtimeClientIdLength = 40
	OAuth2StateLength      = 30
	PKCEVerifierLength     = 43
)

// RandomString returns n characters drawn uniformly from alphabet using
// crypto/rand. alphabet is taken byte-wise and must hold 1..256 bytes
// (ASCII in practice); it panics otherwise, since that is a programming
// error. crypto/rand does not fail on supported platforms (Go ≥1.24
// crashes the process instead), so there is no error to return.
func RandomString(n int, alphabet string) string {
	s, err := RandomStringFrom(rand.Reader, n, alphabet)
	if err != nil {
		panic("auth: " + err.Error())
	}
	return s
}

// RandomStringFrom is RandomString reading entropy from r, for
// deterministic tests. It uses rejection sampling: bytes that would make
// some characters more likely than others (the tail above the largest
// multiple of len(alphabet)) are discarded.
func RandomStringFrom(r io.Reader, n int, alphabet string) (string, error) {
	k := len(alphabet)
	if k == 0 || k > 256 {
		return "", fmt.Errorf("random string: alphabet of %d bytes, want 1..256", k)
	}
	if n <= 0 {
		return "", nil
	}
	limit := 256 - 256%k // bytes >= limit are rejected
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", fmt.Errorf("random string: %w", err)
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, alphabet[int(b)%k])
			if len(out) == n {
				break
			}
		}
	}
	return string(out), nil
}

// RandomDigits returns n random decimal digits, e.g. an OTP code of
// otp.length digits (spec §10.5). Leading zeros are kept: it is a string.
func RandomDigits(n int) string { return RandomString(n, AlphabetDigits) }

// NewRecordId returns a 15-character [a-z0-9] record id (spec §10.5).
func NewRecordId() string { return RandomString(RecordIdLength, AlphabetLowerAlphanumeric) }

// NewTokenKey returns a 50-character [a-zA-Z0-9] per-record token key.
func NewTokenKey() string { return RandomString(TokenKeyLength, AlphabetAlphanumeric) }

// NewSecret returns a 50-character alphanumeric secret, the default for a
// collection's per-token-type secrets.
func NewSecret() string { return RandomString(SecretLength, AlphabetAlphanumeric) }

// NewRealtimeClientId returns a 40-character alphanumeric realtime client
// id. It doubles as the OAuth2 state in the SDK's all-in-one flow (A14),
// so it must be unguessable.
func NewRealtimeClientId() string {
	return RandomString(RealtimeClientIdLength, AlphabetAlphanumeric)
}

// NewOAuth2State returns a 30-character alphanumeric OAuth2 state (A1).
func NewOAuth2State() string { return RandomString(OAuth2StateLength, AlphabetAlphanumeric) }

// NewPKCEVerifier returns a 43-character PKCE code verifier (A1). 43 is
// the RFC 7636 minimum; alphanumerics are within its unreserved set.
func NewPKCEVerifier() string { return RandomString(PKCEVerifierLength, AlphabetAlphanumeric) }

// S256Challenge returns the RFC 7636 S256 code challenge of verifier:
// base64url(SHA-256(verifier)) without padding.
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
