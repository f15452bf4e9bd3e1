package api

import (
	"fmt"
	"math"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// tokenIssuer signs the tokens of core.Record.NewAuthToken and friends
// with the same code (newAuthToken) the auth endpoints use, so a token
// minted in a custom route authenticates like a built-in one.
type tokenIssuer struct{ s *Server }

// IssueRecordToken implements core.TokenIssuer.
func (t tokenIssuer) IssueRecordToken(r *core.Record, req core.TokenRequest) (string, error) {
	typ := auth.TokenType(req.Type)
	if !typ.Valid() {
		return "", fmt.Errorf("api: unknown token type %q (use one of the core.TokenType* constants)", req.Type)
	}
	var sec int64
	if req.Duration > 0 {
		sec = int64(math.Ceil(req.Duration.Seconds()))
	}
	return t.s.newAuthToken(r, typ, req.Refreshable && typ == auth.TokenTypeAuth, sec, func(cl *auth.Claims) {
		if typ.IsConfirmation() {
			cl.Email = r.GetString(core.FieldEmail)
		}
		if typ == auth.TokenTypeEmailChange {
			cl.NewEmail = req.NewEmail
		}
	})
}

// enrich fires OnRecordEnrich for the records of a response (a no-op
// without handlers: one check, no allocation).
func (s *Server) enrich(c *echo.Context, recs ...*core.Record) {
	if !s.app.HasRecordEnrich() {
		return
	}
	s.app.EnrichRecords(c.Request().Context(), authOf(c), false, recs...)
}
