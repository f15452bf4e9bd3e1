package bcrypt

import (
	"bytes"
	"crypto/rand"
	"errors"
	mathrand "math/rand/v2"
	"testing"

	xbcrypt "golang.org/x/crypto/bcrypt"
)

func TestPiWords(t *testing.T) {
	w := piWords()
	// The first P-array word and the last S-box word of Blowfish's
	// published initial state.
	if w[0] != 0x243f6a88 || w[17] != 0x8979fb1b || w[s0] != 0xd1310ba6 || w[words-1] != 0x3ac372e6 {
		t.Fatalf("pi words: %08x %08x %08x %08x", w[0], w[17], w[s0], w[words-1])
	}
}

// TestMatchesXCrypto is the compatibility contract: hashes made by
// x/crypto verify here and ours verify there, for every password length
// bcrypt reads and beyond it (Compare of an over-long password against a
// stored hash must answer as x/crypto does).
func TestMatchesXCrypto(t *testing.T) {
	rng := mathrand.New(mathrand.NewPCG(1, 2))
	for n := 0; n <= 80; n++ {
		pw := make([]byte, n)
		for i := range pw {
			pw[i] = byte(rng.IntN(256))
		}
		cost := MinCost + n%2
		if n <= MaxPasswordLen {
			ours, err := Generate(pw, cost, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if err := xbcrypt.CompareHashAndPassword(ours, pw); err != nil {
				t.Fatalf("len %d: x/crypto rejects our hash %s: %v", n, ours, err)
			}
		}
		theirs, err := xbcrypt.GenerateFromPassword(pw[:min(n, MaxPasswordLen)], cost)
		if err != nil {
			t.Fatal(err)
		}
		// Same salt, same cost: the strings must be identical.
		p, err := parse(theirs)
		if err != nil {
			t.Fatalf("parse %s: %v", theirs, err)
		}
		if got := hashSum(pw[:min(n, MaxPasswordLen)], p.cost, &p.salt); !bytes.Equal(got, p.sum) {
			t.Fatalf("len %d: sum %s, x/crypto %s", n, got, p.sum)
		}
		// Over-long passwords against a stored hash: agree with x/crypto.
		if want, got := xbcrypt.CompareHashAndPassword(theirs, pw) == nil, Compare(theirs, pw) == nil; got != want {
			t.Fatalf("len %d: Compare %v, x/crypto %v", n, got, want)
		}
	}
}

func TestCompare(t *testing.T) {
	good, err := xbcrypt.GenerateFromPassword([]byte("correct horse"), MinCost)
	if err != nil {
		t.Fatal(err)
	}
	swap := func(prefix string) []byte { return append([]byte(prefix), good[4:]...) }
	cases := []struct {
		name     string
		hash     []byte
		password string
		want     error
	}{
		{"match", good, "correct horse", nil},
		{"wrong password", good, "correct horsE", ErrMismatch},
		{"empty password", good, "", ErrMismatch},
		{"2b variant", swap("$2b$"), "correct horse", nil},
		{"2y variant", swap("$2y$"), "correct horse", nil},
		{"no minor", append([]byte("$2$"), good[4:]...), "correct horse", nil},
		{"2x variant", swap("$2x$"), "correct horse", ErrMalformed},
		{"empty hash", nil, "x", ErrMalformed},
		{"truncated", good[:59], "correct horse", ErrMalformed},
		{"trailing byte", append(append([]byte{}, good...), 'x'), "correct horse", ErrMalformed},
		{"version 3", append([]byte("$3a$"), good[4:]...), "correct horse", ErrMalformed},
		{"cost 03", append([]byte("$2a$03"), good[6:]...), "correct horse", ErrMalformed},
		{"cost 32", append([]byte("$2a$32"), good[6:]...), "correct horse", ErrMalformed},
		{"cost not digits", append([]byte("$2a$1x"), good[6:]...), "correct horse", ErrMalformed},
		{"bad salt char", append(append([]byte("$2a$04$"), '!'), good[8:]...), "correct horse", ErrMalformed},
		{"not bcrypt", []byte("$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"), "x", ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := Compare(c.hash, []byte(c.password)); !errors.Is(err, c.want) {
				t.Fatalf("Compare = %v, want %v", err, c.want)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	// A fixed salt makes the output reproducible; x/crypto must accept it.
	salt := bytes.NewReader(bytes.Repeat([]byte{0xa5}, saltLen))
	h, err := Generate([]byte("pässwörd"), 5, salt)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 60 || !bytes.HasPrefix(h, []byte("$2a$05$")) {
		t.Fatalf("hash %s", h)
	}
	if err := xbcrypt.CompareHashAndPassword(h, []byte("pässwörd")); err != nil {
		t.Fatalf("x/crypto: %v", err)
	}
	if p, err := parse(h); err != nil || p.cost != 5 {
		t.Fatalf("cost = %d, %v", p.cost, err)
	}
	if _, err := Generate(make([]byte, MaxPasswordLen+1), 5, rand.Reader); !errors.Is(err, ErrPasswordTooLong) {
		t.Fatalf("73 bytes: %v", err)
	}
	for _, cost := range []int{MinCost - 1, MaxCost + 1} {
		if _, err := Generate([]byte("x"), cost, rand.Reader); err == nil {
			t.Fatalf("cost %d accepted", cost)
		}
	}
	if _, err := Generate([]byte("x"), 5, bytes.NewReader(nil)); err == nil {
		t.Fatal("a failing salt source must fail Generate")
	}
}

// BenchmarkCompare and BenchmarkCompareXCrypto price one login check at
// the default cost here and in x/crypto.
func BenchmarkCompare(b *testing.B) {
	h, _ := xbcrypt.GenerateFromPassword([]byte("password123"), DefaultCost)
	for b.Loop() {
		if err := Compare(h, []byte("password123")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompareXCrypto(b *testing.B) {
	h, _ := xbcrypt.GenerateFromPassword([]byte("password123"), DefaultCost)
	for b.Loop() {
		if err := xbcrypt.CompareHashAndPassword(h, []byte("password123")); err != nil {
			b.Fatal(err)
		}
	}
}
