package api

import (
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// Test-only views of the auth state, for the external api_test package.

// PendingAppleNames returns how many Apple names s holds for codes not
// yet exchanged.
func PendingAppleNames(s *Server) int { return s.auth().appleNames.Len() }

// RememberAppleName stores a pending Apple name as a delivered redirect
// would.
func RememberAppleName(s *Server, code, name string, now time.Time) {
	s.auth().rememberAppleName(code, name, now)
}

// AppleNamesWork is the work counter of s's Apple-name map.
func AppleNamesWork(s *Server) uint64 { return s.auth().appleNames.Work() }

// NewToken mints a token of typ for rec exactly as the e-mail flows do
// (email and newEmail claims when non-empty).
func NewToken(s *Server, rec *core.Record, typ auth.TokenType, email, newEmail string) (string, error) {
	return s.newAuthToken(rec, typ, false, 0, func(c *auth.Claims) { c.Email, c.NewEmail = email, newEmail })
}
