package auth

import (
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/bcrypt"
)

// DefaultPasswordCost is the bcrypt cost HashPassword uses when given 0.
// Spec/DESIGN §10 require at least 10; it is also the cost of the dummy
// hash CheckPasswordOrDummy compares against.
const DefaultPasswordCost = bcrypt.DefaultCost

// HashPassword returns the bcrypt hash of plain at the given cost
// (0 means DefaultPasswordCost). Any bcrypt cost 4..31 is accepted
// because PocketBase's password field exposes a configurable cost with
// that range (spec §5.3); the default keeps DESIGN §10's minimum of 10,
// and lower costs are meant for tests only. bcrypt reads at most 72
// bytes, so longer passwords are an error rather than silently truncated.
func HashPassword(plain string, cost int) (string, error) {
	if cost == 0 {
		cost = DefaultPasswordCost
	}
	// x/crypto quietly raises a cost below MinCost to its default; an
	// out-of-range cost here is a caller's mistake, so it is an error.
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return "", fmt.Errorf("hash password: %w", bcrypt.InvalidCostError(cost))
	}
	h, err := bcrypt.GenerateFromPassword([]byte(plain), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether plain matches the bcrypt hash. An empty or
// malformed hash never matches. The comparison is bcrypt's, which is
// constant-time in the password.
func CheckPassword(hash, plain string) bool {
	return defaultChecker.check(hash, plain)
}

// CheckPasswordOrDummy is CheckPassword for login paths: when hash is ""
// (no such account) it still runs a full bcrypt comparison against a
// dummy hash of DefaultPasswordCost and returns false, so the response
// time does not reveal whether the identity exists (DESIGN §10).
func CheckPasswordOrDummy(hash, plain string) bool {
	return defaultChecker.checkOrDummy(hash, plain)
}

// passwordChecker holds the bcrypt comparison so tests can count calls
// without timing assertions.
type passwordChecker struct {
	compare func(hash, plain []byte) error
	dummy   func() []byte
}

var defaultChecker = passwordChecker{compare: countedCompare, dummy: dummyHash}

// comparisons counts the bcrypt comparisons of the process (one atomic add
// next to tens of milliseconds of bcrypt).
var comparisons atomic.Uint64

func countedCompare(hash, plain []byte) error {
	comparisons.Add(1)
	return bcrypt.CompareHashAndPassword(hash, plain)
}

// PasswordComparisons reports how many bcrypt comparisons the process has
// run: a login must cost one whether or not the identity exists, and tests
// check that by counting rather than by timing responses.
func PasswordComparisons() uint64 { return comparisons.Load() }

// dummyHash is computed once, lazily, from a random password: a constant
// in the source would work too, but then anyone could know which password
// "matches" it (harmless since the result is discarded, yet pointless).
var dummyHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte(RandomString(32, AlphabetAlphanumeric)), DefaultPasswordCost)
	if err != nil {
		panic("auth: dummy bcrypt hash: " + err.Error()) // cannot happen for a 32-byte input
	}
	return h
})

func (c passwordChecker) check(hash, plain string) bool {
	if hash == "" {
		return false
	}
	return c.compare([]byte(hash), []byte(plain)) == nil
}

func (c passwordChecker) checkOrDummy(hash, plain string) bool {
	if hash == "" {
		_ = c.compare(c.dummy(), []byte(plain)) // equal work; result ignored
		return false
	}
	return c.check(hash, plain)
}
