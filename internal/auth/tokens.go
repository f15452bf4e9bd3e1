package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenType is the value of a token's "type" claim; it says which endpoint
// may accept the token (spec §6.1).
type TokenType string

// The token types of spec §6.1.
const (
	TokenTypeAuth          TokenType = "auth"
	TokenTypeFile          TokenType = "file"
	TokenTypeVerification  TokenType = "verification"
	TokenTypePasswordReset TokenType = "passwordReset"
	TokenTypeEmailChange   TokenType = "emailChange"
)

// Valid reports whether t is one of the five known token types.
func (t TokenType) Valid() bool {
	switch t {
	case TokenTypeAuth, TokenTypeFile, TokenTypeVerification, TokenTypePasswordReset, TokenTypeEmailChange:
		return true
	}
	return false
}

// Errors returned by ParseUnverified and Verify. Every rejection wraps
// ErrInvalidToken, so callers that treat all failures alike (a bad token
// makes the request a guest one, spec §6.3) test only that; an expired
// token additionally matches ErrExpiredToken.
var (
	ErrInvalidToken = errors.New("invalid token")
	ErrExpiredToken = fmt.Errorf("%w: expired", ErrInvalidToken)
)

// signingAlg is the only algorithm we mint or accept (spec §6.1): accepting
// anything else would let a client pick "none" or confuse key types.
const signingAlg = "HS256"

// Claims is the payload of a Basalt/PocketBase token (spec §6.1).
//
// JSON shape: {"id","collectionId","type","refreshable"?,"email"?,
// "newEmail"?,"exp"}. "refreshable" is written for auth tokens only (false
// for impersonation tokens); "email" and "newEmail" only when set; "exp" as
// Unix seconds, omitted when Expiry is zero. There is no "iat".
type Claims struct {
	Id           string    // record id
	CollectionId string    // auth collection id
	Type         TokenType // which endpoint accepts the token
	Refreshable  bool      // auth tokens: whether auth-refresh may mint a new one (A4)
	Email        string    // verification, passwordReset, emailChange (old address)
	NewEmail     string    // emailChange: the address being confirmed
	Expiry       time.Time // "exp"; zero means none (never minted by Sign)
}

// claimsJSON is the wire form of Claims; pointers and omitempty give the
// exact key set of spec §6.1.
type claimsJSON struct {
	CollectionId string   `json:"collectionId"`
	Email        string   `json:"email,omitempty"`
	Exp          *float64 `json:"exp,omitempty"`
	Id           string   `json:"id"`
	NewEmail     string   `json:"newEmail,omitempty"`
	Refreshable  *bool    `json:"refreshable,omitempty"`
	Type         string   `json:"type"`
}

// MarshalJSON encodes c in the spec §6.1 wire shape.
func (c Claims) MarshalJSON() ([]byte, error) {
	w := claimsJSON{CollectionId: c.CollectionId, Email: c.Email, Id: c.Id, NewEmail: c.NewEmail, Type: string(c.Type)}
	if c.Type == TokenTypeAuth {
		r := c.Refreshable
		w.Refreshable = &r
	}
	if !c.Expiry.IsZero() {
		exp := float64(c.Expiry.Unix())
		w.Exp = &exp
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes the spec §6.1 wire shape. A claim of the wrong JSON
// type (e.g. a numeric id) is an error, never silently coerced.
func (c *Claims) UnmarshalJSON(b []byte) error {
	var w claimsJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	return c.fromJSON(&w)
}

func (c *Claims) fromJSON(w *claimsJSON) error {
	*c = Claims{Id: w.Id, CollectionId: w.CollectionId, Type: TokenType(w.Type), Email: w.Email, NewEmail: w.NewEmail}
	if w.Refreshable != nil {
		c.Refreshable = *w.Refreshable
	}
	if w.Exp != nil {
		if math.IsNaN(*w.Exp) || math.IsInf(*w.Exp, 0) || *w.Exp <= 0 {
			return errors.New("invalid exp claim")
		}
		// Fractional exp values are legal JWT; truncating toward the past
		// can only make a token expire earlier, never later.
		c.Expiry = time.Unix(int64(*w.Exp), 0).UTC()
	}
	return nil
}

// check applies the claim rules of spec §6.2: non-empty id, collectionId
// and type, and a non-passed exp when present.
func (c Claims) check(now time.Time) error {
	if c.Id == "" || c.CollectionId == "" || c.Type == "" {
		return fmt.Errorf("%w: missing id, collectionId or type claim", ErrInvalidToken)
	}
	if !c.Expiry.IsZero() && !now.Before(c.Expiry) {
		return ErrExpiredToken
	}
	return nil
}

// jwtClaims adapts Claims to jwt.Claims. The library's own claim
// validation is switched off (check does it with an injected clock), so
// these accessors only satisfy the interface.
type jwtClaims struct{ Claims }

// GetExpirationTime and the accessors below satisfy jwt.Claims.
func (c jwtClaims) GetExpirationTime() (*jwt.NumericDate, error) {
	if c.Expiry.IsZero() {
		return nil, nil
	}
	return jwt.NewNumericDate(c.Expiry), nil
}
func (jwtClaims) GetIssuedAt() (*jwt.NumericDate, error)  { return nil, nil }
func (jwtClaims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (jwtClaims) GetIssuer() (string, error)              { return "", nil }
func (jwtClaims) GetSubject() (string, error)             { return "", nil }
func (jwtClaims) GetAudience() (jwt.ClaimStrings, error)  { return nil, nil }

// Sign returns claims as an HS256 JWT with header {"alg":"HS256","typ":"JWT"}
// and no "iat" (spec §6.1).
//
// key is the HMAC key. Per spec §6.2 the caller passes
// record.tokenKey + collection.<type>Token.secret (plain concatenation):
// the per-record half makes a password or e-mail change invalidate every
// token of that record, the per-collection half lets an admin revoke a
// whole token type. Sign refuses an empty key, claims that would fail
// ParseUnverified, and claims without an expiry, so it never mints a
// token that lives forever.
func Sign(claims Claims, key string) (string, error) {
	if key == "" {
		return "", errors.New("sign token: empty key")
	}
	if claims.Id == "" || claims.CollectionId == "" || !claims.Type.Valid() {
		return "", errors.New("sign token: id, collectionId and a known type are required")
	}
	if claims.Expiry.IsZero() {
		return "", errors.New("sign token: expiry is required")
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwtClaims{claims}).SignedString([]byte(key))
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// RecordState is the part of an auth record that confirmation tokens are
// bound to: the state their use changes.
type RecordState struct {
	Email        string
	Verified     bool
	PasswordHash string // the stored bcrypt hash
}

// IsConfirmation reports whether tokens of t confirm something (an
// address, a new password, a new address) rather than grant access.
func (t TokenType) IsConfirmation() bool {
	switch t {
	case TokenTypeVerification, TokenTypePasswordReset, TokenTypeEmailChange:
		return true
	}
	return false
}

// SigningKey returns the HMAC key of a token of type typ for a record
// whose tokenKey is tokenKey, under the collection's secret for typ.
//
// Auth and file tokens use spec §6.2's key, tokenKey + secret, which
// rotates with the password or e-mail. Confirmation tokens are single-use
// (DESIGN §10): their key also holds a digest of the record state their
// use changes, so using the token, or any other change of that state,
// makes it stop verifying:
//
//   - verification: the e-mail and the verified flag. A verified record
//     refuses the token; un-verifying a record rotates its tokenKey
//     (core), so a token from before cannot verify it again.
//   - passwordReset: the password hash, new with every password set
//     (a fresh salt, even for the same password).
//   - emailChange: the current e-mail (the new one is a signed claim).
//
// The wire format is untouched: the claims are those PocketBase's SDKs
// read; only the key differs, and the key never leaves the server.
func SigningKey(typ TokenType, tokenKey, secret string, st RecordState) string {
	var parts []string
	switch typ {
	case TokenTypeVerification:
		verified := "0"
		if st.Verified {
			verified = "1"
		}
		parts = []string{string(typ), st.Email, verified}
	case TokenTypePasswordReset:
		parts = []string{string(typ), st.PasswordHash}
	case TokenTypeEmailChange:
		parts = []string{string(typ), st.Email}
	default:
		return tokenKey + secret
	}
	h := sha256.New()
	for _, p := range parts {
		// Length-prefixed, so no two states share an encoding.
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return tokenKey + secret + "." + hex.EncodeToString(h.Sum(nil))
}

// ParseUnverified decodes token WITHOUT checking its signature. It exists
// for the first step of spec §6.2: the claims say which record (and so
// which key) to load before Verify can run. Never trust its result for
// authorisation on its own.
//
// It still rejects anything Verify would reject on sight: a header alg
// other than HS256, missing id/collectionId/type, or an exp at or before
// now.
func ParseUnverified(token string, now time.Time) (Claims, error) {
	// Every authenticated request comes here, so the two segments are
	// decoded straight into their structs (the JWT library decodes the
	// header into a map and the claims twice).
	head, rest, ok := strings.Cut(token, ".")
	payload, sig, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || strings.IndexByte(sig, '.') >= 0 {
		return Claims{}, fmt.Errorf("%w: token contains an invalid number of segments", ErrInvalidToken)
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if err := decodeJSONSegment(head, &hdr); err != nil {
		return Claims{}, fmt.Errorf("%w: malformed header: %v", ErrInvalidToken, err)
	}
	if hdr.Alg != signingAlg {
		return Claims{}, fmt.Errorf("%w: unexpected alg", ErrInvalidToken)
	}
	var w claimsJSON
	if err := decodeJSONSegment(payload, &w); err != nil {
		return Claims{}, fmt.Errorf("%w: malformed claims: %v", ErrInvalidToken, err)
	}
	var c Claims
	if err := c.fromJSON(&w); err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if err := c.check(now); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// decodeJSONSegment decodes one unpadded base64url JWT segment holding a JSON
// object into v.
func decodeJSONSegment(seg string, v any) error {
	var buf [512]byte
	b := buf[:0]
	if n := base64.RawURLEncoding.DecodedLen(len(seg)); n > len(buf) {
		b = make([]byte, 0, n)
	}
	b, err := base64.RawURLEncoding.AppendDecode(b, []byte(seg))
	if err != nil {
		return err
	}
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	return json.Unmarshal(b, v)
}

// Verify checks token's HS256 signature against key (see Sign for how the
// caller builds it) and its claims at time now, and returns the claims.
// Any other alg ("none", RS256, HS512, …), a wrong key, a tampered header
// or payload, missing claims, or an exp at or before now is rejected with
// an error wrapping ErrInvalidToken. The caller still checks the type
// claim against what its endpoint accepts.
func Verify(token, key string, now time.Time) (Claims, error) {
	c, err := ParseUnverified(token, now)
	if err != nil {
		return Claims{}, err
	}
	if err := VerifySignature(token, key); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// VerifySignature checks only token's HS256 signature against key. It is
// for callers that already ran ParseUnverified on the same token (which
// refused any other alg and checked the claims), so the token is not
// decoded twice; on its own it proves nothing about the claims.
func VerifySignature(token, key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty key", ErrInvalidToken)
	}
	i := strings.LastIndexByte(token, '.')
	if i < 0 {
		return fmt.Errorf("%w: malformed", ErrInvalidToken)
	}
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil {
		return fmt.Errorf("%w: malformed signature", ErrInvalidToken)
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(token[:i]))
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return fmt.Errorf("%w: signature mismatch", ErrInvalidToken)
	}
	return nil
}
