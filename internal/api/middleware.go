package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"runtime/debug"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

const authKey = "basalt.auth"

func authOf(c *echo.Context) *core.Record {
	r, _ := c.Get(authKey).(*core.Record)
	return r
}

func isSuperuser(c *echo.Context) bool {
	r := authOf(c)
	return r != nil && r.Collection().Id == core.SuperusersCollectionId
}

// cors implements spec §10.2.
func (s *Server) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		req := c.Request()
		h := c.Response().Header()
		h.Add("Vary", "Origin")
		origin := req.Header.Get("Origin")
		allowed := ""
		if origin != "" {
			for _, o := range s.cfg.Origins {
				if o == "*" {
					allowed = "*"
					break
				}
				if ok, _ := path.Match(o, origin); ok || o == origin {
					allowed = origin
					break
				}
			}
		}
		if req.Method == http.MethodOptions {
			if origin != "" {
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
				if allowed != "" {
					h.Set("Access-Control-Allow-Origin", allowed)
					h.Set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE")
					if rh := req.Header.Get("Access-Control-Request-Headers"); rh != "" {
						h.Set("Access-Control-Allow-Headers", rh)
					}
				}
			}
			return c.NoContent(http.StatusNoContent)
		}
		if allowed != "" {
			h.Set("Access-Control-Allow-Origin", allowed)
		}
		return next(c)
	}
}

// recoverPanics turns a handler panic into a 500 envelope; the server
// keeps serving.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.logger.ErrorContext(c.Request().Context(), "handler panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = &core.Error{Code: core.CodeInternal, Message: core.MsgGenericBadRequest, Cause: fmt.Errorf("panic: %v", r)}
			}
		}()
		return next(c)
	}
}

// The security headers' values are shared by every response: a full
// slice (len == cap) is never written through, an Add copies it.
var (
	xssProtection      = []string{"1; mode=block"}
	contentTypeOptions = []string{"nosniff"}
	frameOptions       = []string{"SAMEORIGIN"}
)

// The dashboard's headers (every response under /_/). The dashboard holds a
// superuser token and shows content any user may have written, so its page
// runs only the scripts and stylesheets of its own build: no inline script
// or style, no eval, no plugins, no <base> rewrites, API calls to this
// origin only, never framed. Images may also be data: (the favicon) and
// blob: (upload previews). The HTML sanitiser keeps user content inert;
// this policy is the second wall if it ever misses. Other routes keep
// their headers: pb_public is the operator's site with its own needs.
var (
	adminCSP = []string{"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
		"connect-src 'self'; font-src 'self'; manifest-src 'self'; form-action 'none'; frame-src 'none'; " +
		"frame-ancestors 'none'; object-src 'none'; base-uri 'none'"}
	frameDeny  = []string{"DENY"}
	noReferrer = []string{"no-referrer"}
)

func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		h := c.Response().Header()
		// Canonical keys, set directly: three allocations less per request.
		h["X-Xss-Protection"] = xssProtection
		h["X-Content-Type-Options"] = contentTypeOptions
		h["X-Frame-Options"] = frameOptions
		return next(c)
	}
}

// loadAuth resolves the Authorization token; it never fails a request
// (spec §1.0.1): a bad token just means guest.
func (s *Server) loadAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		token := c.Request().Header.Get("Authorization")
		if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
			token = token[7:]
		}
		if token != "" {
			if rec, _, err := s.verifyToken(c.Request().Context(), token, auth.TokenTypeAuth); err == nil {
				c.Set(authKey, rec)
			}
		}
		return next(c)
	}
}

// verifyToken checks a token of the given type (spec §6.2) and returns its
// record and claims.
func (s *Server) verifyToken(ctx context.Context, token string, typ auth.TokenType) (*core.Record, auth.Claims, error) {
	now := s.app.Now()
	claims, err := auth.ParseUnverified(token, now)
	if err != nil {
		return nil, claims, err
	}
	if claims.Type != typ {
		return nil, claims, errors.New("unexpected token type")
	}
	c, err := s.app.FindCollectionByNameOrId(claims.CollectionId)
	if err != nil || !c.IsAuth() || c.Auth == nil || c.Id != claims.CollectionId {
		return nil, claims, errors.New("unknown auth collection")
	}
	recs, err := s.app.FindRecordsByIds(ctx, c, []string{claims.Id})
	if err != nil || len(recs) == 0 {
		return nil, claims, errors.New("unknown record")
	}
	rec := recs[0]
	// ParseUnverified checked the alg and the claims: only the signature
	// is left.
	if err := auth.VerifySignature(token, signingKey(rec, typ)); err != nil {
		return nil, claims, err
	}
	return rec, claims, nil
}

func tokenConfig(c *core.Collection, typ auth.TokenType) core.TokenConfig {
	o := c.Auth
	switch typ {
	case auth.TokenTypeFile:
		return o.FileToken
	case auth.TokenTypeVerification:
		return o.VerificationToken
	case auth.TokenTypePasswordReset:
		return o.PasswordResetToken
	case auth.TokenTypeEmailChange:
		return o.EmailChangeToken
	default:
		return o.AuthToken
	}
}

// newAuthToken signs a token for rec.
func (s *Server) newAuthToken(rec *core.Record, typ auth.TokenType, refreshable bool, durationSec int64, extra func(*auth.Claims)) (string, error) {
	cfg := tokenConfig(rec.Collection(), typ)
	if durationSec <= 0 {
		durationSec = cfg.Duration
	}
	claims := auth.Claims{
		Id: rec.Id(), CollectionId: rec.Collection().Id, Type: typ, Refreshable: refreshable,
		Expiry: s.app.Now().Add(secondsDuration(durationSec)),
	}
	if extra != nil {
		extra(&claims)
	}
	return auth.Sign(claims, signingKey(rec, typ))
}

// signingKey is the HMAC key of rec's tokens of typ: tokenKey + the
// collection's secret, and for confirmation tokens the record state they
// are bound to (auth.SigningKey), which makes them single-use.
func signingKey(rec *core.Record, typ auth.TokenType) string {
	st := auth.RecordState{}
	if typ.IsConfirmation() {
		pv, _ := rec.Get(core.FieldPassword).(core.PasswordValue)
		st = auth.RecordState{Email: rec.GetString(core.FieldEmail), Verified: rec.GetBool(core.FieldVerified), PasswordHash: pv.Hash}
	}
	return auth.SigningKey(typ, rec.GetString(core.FieldTokenKey), tokenConfig(rec.Collection(), typ).Secret, st)
}

var errBodyTooLarge = core.ErrBodyTooLarge

type limitedBody struct {
	r io.ReadCloser
	n int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errBodyTooLarge
	}
	return n, err
}

func (l *limitedBody) Close() error { return l.r.Close() }

// defaultBodyLimit is the body limit of most routes (spec §10.3).
const defaultBodyLimit = 32 << 20

// bodyLimitFor returns the body limit of the matched route (spec §10.3):
// record writes add each field's allowance, batch follows its settings.
func (s *Server) bodyLimitFor(c *echo.Context) int64 {
	switch c.Path() {
	case "/api/batch":
		if n := s.app.Settings().Batch.MaxBodySize; n > 0 {
			return n
		}
		return 128 << 20
	case "/api/backups/upload":
		// An archive may be large (spec §1.11 K3 has no limit); the
		// archive limit plus room for the multipart framing.
		return s.app.BackupLimits().MaxArchiveSize + 1<<20
	case "/api/collections/:collection/records", "/api/collections/:collection/records/:id":
		m := c.Request().Method
		if m != http.MethodPost && m != http.MethodPatch {
			return defaultBodyLimit
		}
		col, err := s.app.FindCollectionByNameOrId(c.Param("collection"))
		if err != nil {
			return defaultBodyLimit
		}
		return defaultBodyLimit + core.BodyAllowance(col)
	}
	return defaultBodyLimit
}

// bodyLimit enforces the route's body limit up front (Content-Length) and
// while streaming.
func (s *Server) bodyLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		req := c.Request()
		limit := s.bodyLimitFor(c)
		if req.ContentLength > limit {
			return core.NewError(core.CodeTooLarge, "Request entity too large.", nil)
		}
		if req.Body != nil && req.Body != http.NoBody {
			req.Body = &limitedBody{r: req.Body, n: limit}
			// Whatever way the handler ends — answer, error, panic, a
			// client gone mid-body — the temp files its body was
			// spooled to are removed before the request is done.
			defer removeSpooled(c)
		}
		return next(c)
	}
}

// spoolKey holds a request's *spool in its echo context.
const spoolKey = "basalt.spool"

// requestSpool returns the request's spool for multipart parts past the
// in-memory budget, in Config.TempDir; made on first use.
func (s *Server) requestSpool(c *echo.Context) *spool {
	if sp, ok := c.Get(spoolKey).(*spool); ok {
		return sp
	}
	sp := &spool{dir: s.cfg.TempDir}
	c.Set(spoolKey, sp)
	return sp
}

// removeSpooled deletes the temp files of the request's spool, if any.
func removeSpooled(c *echo.Context) {
	if sp, ok := c.Get(spoolKey).(*spool); ok {
		sp.RemoveAll()
	}
}

func requireSuperuser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		r := authOf(c)
		if r == nil {
			return core.NewUnauthorizedError("The request requires valid record authorization token.")
		}
		if r.Collection().Id != core.SuperusersCollectionId {
			return core.NewForbiddenError("The authorized record is not allowed to perform this action.")
		}
		return next(c)
	}
}

// followCluster brings the collection and settings caches up to date
// before an API request on a database shared by several nodes (only
// installed then): a rule another node changed applies from the next
// request on. It costs one indexed read per API request.
func (s *Server) followCluster(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			if err := s.app.Refresh(c.Request().Context()); err != nil {
				return err
			}
		}
		return next(c)
	}
}
