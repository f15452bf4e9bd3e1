package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func testClaims() Claims {
	return Claims{Id: "erpqi29ejfdn6z8", CollectionId: "_pb_users_auth_", Type: TokenTypeAuth, Refreshable: true, Expiry: testNow.Add(time.Hour)}
}

// b64 encodes a JWT segment.
func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeSegment(t *testing.T, seg string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatalf("decode segment: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("unmarshal segment %s: %v", raw, err)
	}
	return m
}

func TestSignShape(t *testing.T) {
	t.Parallel()
	tok, err := Sign(testClaims(), "tokenKeysecret")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("got %d segments, want 3", len(parts))
	}
	hdr := decodeSegment(t, parts[0])
	if len(hdr) != 2 || hdr["alg"] != "HS256" || hdr["typ"] != "JWT" {
		t.Errorf("header = %v, want alg HS256 typ JWT only", hdr)
	}
	payload := decodeSegment(t, parts[1])
	want := map[string]any{"id": "erpqi29ejfdn6z8", "collectionId": "_pb_users_auth_", "type": "auth", "refreshable": true, "exp": float64(testNow.Add(time.Hour).Unix())}
	if len(payload) != len(want) {
		t.Errorf("payload = %v, want %v", payload, want)
	}
	for k, v := range want {
		if payload[k] != v {
			t.Errorf("payload[%q] = %v, want %v", k, payload[k], v)
		}
	}
	if _, ok := payload["iat"]; ok {
		t.Error("payload has iat")
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if strings.Contains(string(raw), "e+") {
		t.Errorf("exp written in exponent form: %s", raw)
	}
}

func TestClaimsJSONPerType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		claims Claims
		want   string
	}{
		{"auth static", Claims{Id: "a", CollectionId: "c", Type: TokenTypeAuth, Expiry: time.Unix(100, 0)},
			`{"collectionId":"c","exp":100,"id":"a","refreshable":false,"type":"auth"}`},
		{"file", Claims{Id: "a", CollectionId: "c", Type: TokenTypeFile, Expiry: time.Unix(100, 0)},
			`{"collectionId":"c","exp":100,"id":"a","type":"file"}`},
		{"emailChange", Claims{Id: "a", CollectionId: "c", Type: TokenTypeEmailChange, Email: "o@x.io", NewEmail: "n@x.io", Expiry: time.Unix(100, 0)},
			`{"collectionId":"c","email":"o@x.io","exp":100,"id":"a","newEmail":"n@x.io","type":"emailChange"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := json.Marshal(tt.claims)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			var back Claims
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			if !back.Expiry.Equal(tt.claims.Expiry) || back.Id != tt.claims.Id || back.NewEmail != tt.claims.NewEmail {
				t.Errorf("round trip = %+v, want %+v", back, tt.claims)
			}
		})
	}
}

func TestVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, typ := range []TokenType{TokenTypeAuth, TokenTypeFile, TokenTypeVerification, TokenTypePasswordReset, TokenTypeEmailChange} {
		c := testClaims()
		c.Type, c.Email, c.NewEmail = typ, "a@b.io", "c@d.io"
		if typ != TokenTypeAuth {
			c.Refreshable = false
		}
		tok, err := Sign(c, "k1")
		if err != nil {
			t.Fatalf("%s: sign: %v", typ, err)
		}
		got, err := Verify(tok, "k1", testNow)
		if err != nil {
			t.Fatalf("%s: verify: %v", typ, err)
		}
		if got != c {
			t.Errorf("%s: got %+v, want %+v", typ, got, c)
		}
		un, err := ParseUnverified(tok, testNow)
		if err != nil || un != c {
			t.Errorf("%s: ParseUnverified = %+v, %v; want %+v", typ, un, err, c)
		}
		if err := VerifySignature(tok, "k1"); err != nil {
			t.Errorf("%s: VerifySignature: %v", typ, err)
		}
	}
}

// forge builds a token with arbitrary header and payload and the signature
// of tok (or sig if non-empty).
func forge(header, payload, sig string) string {
	return b64(header) + "." + b64(payload) + "." + sig
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	good, err := Sign(testClaims(), "right")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	okPayload := `{"collectionId":"_pb_users_auth_","exp":` + itoa(testNow.Add(time.Hour).Unix()) + `,"id":"erpqi29ejfdn6z8","refreshable":true,"type":"auth"}`
	expired := Claims{Id: "a", CollectionId: "c", Type: TokenTypeAuth, Expiry: testNow}
	expiredTok, _ := Sign(expired, "right")

	tests := []struct {
		name        string
		token       string
		key         string
		wantExpired bool
	}{
		{"wrong key", good, "wrong", false},
		{"empty key", good, "", false},
		{"tampered payload", parts[0] + "." + b64(strings.Replace(okPayload, "erpqi29ejfdn6z8", "otheruser000000", 1)) + "." + parts[2], "right", false},
		{"alg none", forge(`{"alg":"none","typ":"JWT"}`, okPayload, ""), "right", false},
		{"alg none with sig", forge(`{"alg":"none","typ":"JWT"}`, okPayload, parts[2]), "right", false},
		{"RS256 header", forge(`{"alg":"RS256","typ":"JWT"}`, okPayload, parts[2]), "right", false},
		{"HS512 header", forge(`{"alg":"HS512","typ":"JWT"}`, okPayload, parts[2]), "right", false},
		{"expired at exactly now", expiredTok, "right", true},
		{"missing id", signRaw(t, `{"collectionId":"c","type":"auth","exp":`+itoa(testNow.Unix()+60)+`}`, "right"), "right", false},
		{"missing collectionId", signRaw(t, `{"id":"a","type":"auth","exp":`+itoa(testNow.Unix()+60)+`}`, "right"), "right", false},
		{"missing type", signRaw(t, `{"id":"a","collectionId":"c","exp":`+itoa(testNow.Unix()+60)+`}`, "right"), "right", false},
		{"numeric id", signRaw(t, `{"id":1,"collectionId":"c","type":"auth","exp":`+itoa(testNow.Unix()+60)+`}`, "right"), "right", false},
		{"garbage", "not.a.jwt", "right", false},
		{"empty", "", "right", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Verify(tt.token, tt.key, testNow)
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify err = %v, want ErrInvalidToken", err)
			}
			if got := errors.Is(err, ErrExpiredToken); got != tt.wantExpired {
				t.Errorf("errors.Is(err, ErrExpiredToken) = %v, want %v (err %v)", got, tt.wantExpired, err)
			}
			// The split path the API uses (parse once, then check only the
			// signature) must refuse the same tokens.
			if _, err := ParseUnverified(tt.token, testNow); err == nil {
				if err := VerifySignature(tt.token, tt.key); !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("ParseUnverified+VerifySignature accepted it (err %v)", err)
				}
			}
		})
	}
}

func TestParseUnverified(t *testing.T) {
	t.Parallel()
	future := itoa(testNow.Unix() + 60)
	tests := []struct {
		name    string
		token   string
		wantErr bool
	}{
		{"valid with any signature", forge(`{"alg":"HS256","typ":"JWT"}`, `{"id":"a","collectionId":"c","type":"file","exp":`+future+`}`, "AAAA"), false},
		{"no exp is accepted (spec 6.2: exp checked if present)", forge(`{"alg":"HS256","typ":"JWT"}`, `{"id":"a","collectionId":"c","type":"file"}`, "AAAA"), false},
		{"expired", forge(`{"alg":"HS256","typ":"JWT"}`, `{"id":"a","collectionId":"c","type":"file","exp":`+itoa(testNow.Unix())+`}`, "AAAA"), true},
		{"missing id", forge(`{"alg":"HS256","typ":"JWT"}`, `{"collectionId":"c","type":"file","exp":`+future+`}`, "AAAA"), true},
		{"alg none", forge(`{"alg":"none","typ":"JWT"}`, `{"id":"a","collectionId":"c","type":"file","exp":`+future+`}`, ""), true},
		{"RS256", forge(`{"alg":"RS256","typ":"JWT"}`, `{"id":"a","collectionId":"c","type":"file","exp":`+future+`}`, "AAAA"), true},
		{"not json", forge(`{"alg":"HS256","typ":"JWT"}`, `nope`, "AAAA"), true},
		{"claims not an object", forge(`{"alg":"HS256","typ":"JWT"}`, `["a"]`, "AAAA"), true},
		{"header not an object", forge(`["HS256"]`, `{"id":"a","collectionId":"c","type":"file","exp":`+future+`}`, "AAAA"), true},
		{"four segments", forge(`{"alg":"HS256","typ":"JWT"}`, `{"id":"a","collectionId":"c","type":"file","exp":`+future+`}`, "AAAA") + ".AAAA", true},
		{"two segments", b64(`{"alg":"HS256","typ":"JWT"}`) + "." + b64(`{"id":"a","collectionId":"c","type":"file"}`), true},
		{"padded base64", base64.URLEncoding.EncodeToString([]byte(`{"alg": "HS256"}`)) + "." + b64(`{"id":"a","collectionId":"c","type":"file"}`) + ".AAAA", true},
		{"large claims", forge(`{"alg":"HS256","typ":"JWT"}`, `{"id":"a","collectionId":"c","type":"file","email":"`+strings.Repeat("x", 2000)+`@x.io"}`, "AAAA"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseUnverified(tt.token, testNow)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidToken) {
				t.Errorf("err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

func TestSignRefuses(t *testing.T) {
	t.Parallel()
	c := testClaims()
	noExp := c
	noExp.Expiry = time.Time{}
	badType := c
	badType.Type = "admin"
	noId := c
	noId.Id = ""
	tests := []struct {
		name   string
		claims Claims
		key    string
	}{
		{"empty key", c, ""},
		{"no expiry", noExp, "k"},
		{"unknown type", badType, "k"},
		{"no id", noId, "k"},
	}
	for _, tt := range tests {
		if _, err := Sign(tt.claims, tt.key); err == nil {
			t.Errorf("%s: Sign succeeded, want error", tt.name)
		}
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// signRaw signs an arbitrary payload with HS256, bypassing Sign's checks,
// to prove Verify enforces the claim rules itself.
func signRaw(t *testing.T, payload, key string) string {
	t.Helper()
	unsigned := b64(`{"alg":"HS256","typ":"JWT"}`) + "." + b64(payload)
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(unsigned))
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// TestSigningKeyBinding: confirmation tokens' keys change with exactly the
// state their use changes; auth and file tokens keep spec §6.2's key.
func TestSigningKeyBinding(t *testing.T) {
	t.Parallel()
	base := RecordState{Email: "a@example.com", Verified: false, PasswordHash: "$2a$10$hash"}
	tests := []struct {
		name    string
		typ     TokenType
		change  func(*RecordState)
		changes bool
	}{
		{"verification: verified", TokenTypeVerification, func(s *RecordState) { s.Verified = true }, true},
		{"verification: email", TokenTypeVerification, func(s *RecordState) { s.Email = "b@example.com" }, true},
		{"verification: password", TokenTypeVerification, func(s *RecordState) { s.PasswordHash = "other" }, false},
		{"passwordReset: password", TokenTypePasswordReset, func(s *RecordState) { s.PasswordHash = "other" }, true},
		{"passwordReset: verified", TokenTypePasswordReset, func(s *RecordState) { s.Verified = true }, false},
		{"emailChange: email", TokenTypeEmailChange, func(s *RecordState) { s.Email = "b@example.com" }, true},
		{"emailChange: verified", TokenTypeEmailChange, func(s *RecordState) { s.Verified = true }, false},
		{"auth: anything", TokenTypeAuth, func(s *RecordState) { *s = RecordState{Email: "x", Verified: true, PasswordHash: "y"} }, false},
		{"file: anything", TokenTypeFile, func(s *RecordState) { *s = RecordState{Email: "x", Verified: true, PasswordHash: "y"} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := base
			tt.change(&changed)
			k1, k2 := SigningKey(tt.typ, "tk", "secret", base), SigningKey(tt.typ, "tk", "secret", changed)
			if (k1 != k2) != tt.changes {
				t.Errorf("key changed = %v, want %v", k1 != k2, tt.changes)
			}
			if !tt.typ.IsConfirmation() && k1 != "tksecret" {
				t.Errorf("%s key = %q, want tokenKey+secret", tt.typ, k1)
			}
		})
	}
	// Types never share a key.
	if SigningKey(TokenTypeVerification, "tk", "s", base) == SigningKey(TokenTypeEmailChange, "tk", "s", base) {
		t.Error("verification and emailChange share a key")
	}
}
