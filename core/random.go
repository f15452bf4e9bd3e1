package core

import (
	"crypto/rand"
	"math/big"
)

const alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// RandomToken returns n crypto-random alphanumeric characters (tokenKey,
// secrets).
func RandomToken(n int) string { return randomFrom(n, alphanumeric) }

// RandomId returns a default record id: 15 chars of [a-z0-9].
func RandomId() string { return randomFrom(15, "abcdefghijklmnopqrstuvwxyz0123456789") }

func randomFrom(n int, alphabet string) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("core: crypto/rand failed: " + err.Error())
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}
