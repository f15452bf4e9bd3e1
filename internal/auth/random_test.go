package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"testing"
)

func TestRandomHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		gen  func() string
		re   string
	}{
		{"record id", NewRecordId, `^[a-z0-9]{15}$`},
		{"token key", NewTokenKey, `^[a-zA-Z0-9]{50}$`},
		{"secret", NewSecret, `^[a-zA-Z0-9]{50}$`},
		{"realtime client id", NewRealtimeClientId, `^[a-zA-Z0-9]{40}$`},
		{"oauth2 state", NewOAuth2State, `^[a-zA-Z0-9]{30}$`},
		{"pkce verifier", NewPKCEVerifier, `^[a-zA-Z0-9]{43}$`},
		{"digits", func() string { return RandomDigits(8) }, `^[0-9]{8}$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			re := regexp.MustCompile(tt.re)
			seen := map[string]bool{}
			for range 50 {
				s := tt.gen()
				if !re.MatchString(s) {
					t.Fatalf("%q does not match %s", s, tt.re)
				}
				seen[s] = true
			}
			if len(seen) < 50 {
				t.Errorf("only %d distinct values in 50 draws", len(seen))
			}
		})
	}
}

func TestRandomStringFromUnbiased(t *testing.T) {
	t.Parallel()
	// With a 3-letter alphabet, 256%3 == 1: byte 255 must be rejected,
	// otherwise "a" (255%3 == 0) would be favoured.
	src := bytes.NewReader(append([]byte{255, 255, 0, 1, 2, 254}, make([]byte, 64)...))
	got, err := RandomStringFrom(src, 4, "abc")
	if err != nil {
		t.Fatal(err)
	}
	if got != "abcc" {
		t.Errorf("got %q, want %q (255 skipped, 254%%3=2)", got, "abcc")
	}

	// Every value of a 36-char alphabet is equally likely over all 252
	// accepted bytes: each appears exactly 7 times.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	s, err := RandomStringFrom(bytes.NewReader(append(all, make([]byte, 1024)...)), 252, AlphabetLowerAlphanumeric)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	for _, r := range AlphabetLowerAlphanumeric {
		if counts[r] != 7 {
			t.Errorf("count[%c] = %d, want 7", r, counts[r])
		}
	}

	if _, err := RandomStringFrom(bytes.NewReader(nil), 1, ""); err == nil {
		t.Error("empty alphabet accepted")
	}
	if _, err := RandomStringFrom(bytes.NewReader(nil), 5, "ab"); err == nil {
		t.Error("short reader: want error")
	}
	if s, err := RandomStringFrom(bytes.NewReader(nil), 0, "ab"); s != "" || err != nil {
		t.Errorf("n=0: %q, %v", s, err)
	}
}

func TestS256Challenge(t *testing.T) {
	t.Parallel()
	// RFC 7636 appendix B test vector.
	if got, want := S256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	v := NewPKCEVerifier()
	sum := sha256.Sum256([]byte(v))
	if got, want := S256Challenge(v), base64.RawURLEncoding.EncodeToString(sum[:]); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
