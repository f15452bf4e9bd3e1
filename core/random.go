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

// randomFrom draws n characters uniformly from alphabet (≤ 256 chars)
// with crypto/rand, by rejection sampling over random bytes: ids are made
// on every create and log entry, so this avoids big.Int per character.
func randomFrom(n int, alphabet string) string {
	out := make([]byte, n)
	limit := 256 - 256%len(alphabet) // bytes ≥ limit would bias the result
	buf := make([]byte, n+n/2+8)
	for i := 0; i < n; {
		if _, err := rand.Read(buf); err != nil {
			panic("core: crypto/rand failed: " + err.Error())
		}
		for _, c := range buf {
			if int(c) >= limit {
				continue
			}
			out[i] = alphabet[int(c)%len(alphabet)]
			i++
			if i == n {
				break
			}
		}
	}
	return string(out)
}
