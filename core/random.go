package core

import (
	"crypto/rand"
)

const alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// RandomToken returns n crypto-random alphanumeric characters (tokenKey,
// secrets).
func RandomToken(n int) string { return randomFrom(n, alphanumeric) }

// RandomId returns a default record id: 15 chars of [a-z0-9].
func RandomId() string { return randomFrom(15, "abcdefghijklmnopqrstuvwxyz0123456789") }

// randomFrom draws n characters uniformly from alphabet with crypto/rand
// (ids are made on every create and log entry).
func randomFrom(n int, alphabet string) string {
	out := make([]byte, n)
	var src randomSource
	for i := range out {
		out[i] = alphabet[src.index(len(alphabet))]
	}
	return string(out)
}

// randomSource hands out crypto/rand bytes from a buffer filled 64 at a
// time: one call per id instead of one per character.
type randomSource struct {
	buf [64]byte
	n   int // bytes of buf not handed out yet (from the end)
}

// index returns a uniform random int in [0, n) (rejection sampling over
// 32 bits, so no modulo bias).
func (s *randomSource) index(n int) int {
	if n <= 1 {
		return 0
	}
	limit := (uint64(1) << 32) / uint64(n) * uint64(n)
	for {
		if s.n < 4 {
			_, _ = rand.Read(s.buf[:]) // crypto/rand.Read never fails (Go ≥1.24)
			s.n = len(s.buf)
		}
		b := s.buf[s.n-4 : s.n]
		s.n -= 4
		v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24
		if v < limit {
			return int(v % uint64(n))
		}
	}
}
