package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

func secondsDuration(s int64) time.Duration { return time.Duration(s) * time.Second }

func checkPassword(hash, plain string) bool { return auth.CheckPassword(hash, plain) }

// Auth methods of an auth response (RecordAuthRequestEvent.AuthMethod and
// the _mfas "method" column).
const (
	methodPassword    = "password"
	methodOAuth2      = "oauth2"
	methodOTP         = "otp"
	methodRefresh     = "refresh"
	methodImpersonate = "impersonate"
)

func (s *Server) registerAuth() {
	s.registerRateLimit()
	g := s.echo.Group("/api/collections/:collection")
	g.GET("/auth-methods", s.authMethods)
	g.POST("/auth-with-password", s.authWithPassword)
	g.POST("/auth-refresh", s.authRefresh)
	g.POST("/impersonate/:id", s.impersonate, requireSuperuser)
}

func (s *Server) authCollection(c *echo.Context) (*core.Collection, error) {
	col, err := s.app.FindCollectionByNameOrId(c.Param("collection"))
	if err != nil || !col.IsAuth() || col.Auth == nil {
		return nil, core.NewNotFoundError("Missing or invalid auth collection context.")
	}
	return col, nil
}

// authMethods is A1.
func (s *Server) authMethods(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	o := col.Auth
	ids := []string{}
	if o.PasswordAuth.Enabled {
		ids = o.PasswordAuth.IdentityFields
	}
	mfaDur, otpDur := int64(0), int64(0)
	if o.MFA.Enabled {
		mfaDur = o.MFA.Duration
	}
	if o.OTP.Enabled {
		otpDur = o.OTP.Duration
	}
	providers := []any{}
	var legacy any
	if o.OAuth2.Enabled {
		for _, cfg := range o.OAuth2.Providers {
			p, err := newOAuth2Provider(s.app, cfg)
			if err != nil {
				continue // spec A1: providers that fail to initialise are skipped
			}
			state := auth.NewOAuth2State()
			verifier, challenge, method := "", "", ""
			if p.PKCE() {
				verifier = auth.NewPKCEVerifier()
				challenge = auth.S256Challenge(verifier)
				method = "S256"
			}
			u := p.AuthURL(state, challenge)
			providers = append(providers, map[string]any{
				"name": p.Name(), "displayName": p.DisplayName(), "state": state,
				"authURL": u, "authUrl": u, "codeVerifier": verifier,
				"codeChallenge": challenge, "codeChallengeMethod": method,
			})
		}
		legacy = providers
	}
	return respond(c, http.StatusOK, map[string]any{
		"password":         map[string]any{"enabled": o.PasswordAuth.Enabled, "identityFields": ids},
		"oauth2":           map[string]any{"enabled": o.OAuth2.Enabled, "providers": providers},
		"mfa":              map[string]any{"enabled": o.MFA.Enabled, "duration": mfaDur},
		"otp":              map[string]any{"enabled": o.OTP.Enabled, "duration": otpDur},
		"authProviders":    legacy,
		"usernamePassword": o.PasswordAuth.Enabled && slices.Contains(ids, "username"),
		"emailPassword":    o.PasswordAuth.Enabled && slices.Contains(ids, core.FieldEmail),
	})
}

var errAuthRule = core.NewForbiddenError("The request doesn't satisfy the collection requirements to authenticate.")

// checkAuthRule evaluates the collection authRule for rec (spec §1.4).
// Impersonation is evaluated with the superuser caller, so it passes.
func (s *Server) checkAuthRule(c *echo.Context, rec *core.Record, ctxName string) error {
	col := rec.Collection()
	if isSuperuser(c) && ctxName == "" {
		return nil
	}
	rule := col.Auth.AuthRule
	if rule == nil {
		return errAuthRule
	}
	if strings.TrimSpace(*rule) == "" {
		return nil
	}
	ri := s.requestInfo(c, nil)
	ri.Auth = rec
	if ctxName != "" {
		ri.Context = ctxName
	}
	rc, err := ruleClauses(rule)
	if err != nil {
		return errAuthRule
	}
	res, err := s.app.Store().Query(c.Request().Context(), &core.RecordQuery{Collection: col, Ids: []string{rec.Id()}, Filters: rc, Request: ri})
	if err != nil || len(res.Records) == 0 {
		return errAuthRule
	}
	return nil
}

// authSuccess completes a sign-in with method (password, oauth2, otp):
// authRule, the MFA step (which may answer 401 {mfaId}), a fresh token,
// the auth-origin bookkeeping and login alert, then the response.
func (s *Server) authSuccess(c *echo.Context, rec *core.Record, method, mfaId string, meta any) error {
	ctxName := map[string]string{methodPassword: core.ContextPassword, methodOAuth2: core.ContextOAuth2, methodOTP: core.ContextOTP}[method]
	if err := s.checkAuthRule(c, rec, ctxName); err != nil {
		return err
	}
	if done, err := s.checkMFA(c, rec, method, mfaId); done || err != nil {
		return err
	}
	token, err := s.newAuthToken(rec, auth.TokenTypeAuth, true, 0, nil)
	if err != nil {
		return core.NewInternalError(err)
	}
	s.trackAuthOrigin(c, rec)
	return s.authResponse(c, rec, token, method, meta)
}

// authResponse runs OnRecordAuthRequest and writes {token, record[, meta]}
// (spec §1.4). The record always shows its e-mail; superusers' hidden
// fields are shown too, but never password or tokenKey.
func (s *Server) authResponse(c *echo.Context, rec *core.Record, token, method string, meta any) error {
	col := rec.Collection()
	ev := &core.RecordAuthRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: rec, Token: token, Meta: meta, AuthMethod: method}
	return s.app.TriggerRecordAuthRequest(ev, func(e *core.RecordAuthRequestEvent) error {
		r := e.Record
		r.ShowEmail(true)
		r.Unhide(col.Id == core.SuperusersCollectionId || isSuperuser(c))
		s.expandRecords(c, []*core.Record{r})
		s.enrich(c, r)
		data := r.PublicData()
		delete(data, core.FieldTokenKey)
		delete(data, core.FieldPassword)
		out := map[string]any{"token": e.Token, "record": data}
		if e.Meta != nil {
			out["meta"] = e.Meta
		}
		return respond(c, http.StatusOK, out)
	})
}

// authWithPassword is A2.
func (s *Server) authWithPassword(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	if !col.Auth.PasswordAuth.Enabled {
		return core.NewForbiddenError("The collection is not configured to allow password authentication.")
	}
	var in struct {
		Identity      string `json:"identity"`
		Password      string `json:"password"`
		IdentityField string `json:"identityField"`
		MFAId         string `json:"mfaId"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	if in.MFAId == "" {
		in.MFAId = c.QueryParam("mfaId")
	}
	verrs := core.ValidationErrors{}
	tooLong := core.NewFieldError("validation_length_too_long", "The length must be no more than 255.", map[string]any{"max": 255})
	if in.Identity == "" {
		verrs["identity"] = core.ErrRequired()
	} else if len(in.Identity) > 255 {
		verrs["identity"] = tooLong
	}
	if in.Password == "" {
		verrs["password"] = core.ErrRequired()
	} else if len(in.Password) > 255 {
		verrs["password"] = tooLong
	}
	if in.IdentityField != "" && !slices.Contains(col.Auth.PasswordAuth.IdentityFields, in.IdentityField) {
		verrs["identityField"] = core.NewFieldError("validation_in_invalid", "Must be a valid value.", nil)
	}
	if len(verrs) > 0 {
		return validationErr(verrs)
	}
	fields := col.Auth.PasswordAuth.IdentityFields
	if in.IdentityField != "" {
		fields = []string{in.IdentityField}
	} else if slices.Contains(fields, core.FieldEmail) {
		// e-mail first (spec A2)
		fields = append([]string{core.FieldEmail}, slices.DeleteFunc(slices.Clone(fields), func(f string) bool { return f == core.FieldEmail })...)
	}
	var found *core.Record
	for _, f := range fields {
		if f == core.FieldEmail && !strings.Contains(in.Identity, "@") {
			continue
		}
		if col.Fields.GetByName(f) == nil {
			continue
		}
		if rec, err := s.app.FindFirstRecordByField(c.Request().Context(), col, f, in.Identity); err == nil && rec != nil {
			found = rec
			break
		}
	}
	ev := &core.RecordAuthWithPasswordRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: found,
		Identity: in.Identity, IdentityField: in.IdentityField, Password: in.Password}
	return s.app.TriggerRecordAuthWithPasswordRequest(ev, func(e *core.RecordAuthWithPasswordRequestEvent) error {
		hash := ""
		if e.Record != nil {
			if pv, ok := e.Record.Get(core.FieldPassword).(core.PasswordValue); ok {
				hash = pv.Hash
			}
		}
		// The dummy compare keeps the work equal for unknown identities,
		// and the message is the same for both failures (no enumeration).
		if !auth.CheckPasswordOrDummy(hash, e.Password) || e.Record == nil {
			return badRequest("Failed to authenticate.", nil)
		}
		return s.authSuccess(c, e.Record, methodPassword, in.MFAId, nil)
	})
}

// bearerToken returns the Authorization header without a "Bearer " prefix.
func bearerToken(c *echo.Context) string {
	raw := c.Request().Header.Get("Authorization")
	if len(raw) > 7 && strings.EqualFold(raw[:7], "bearer ") {
		raw = raw[7:]
	}
	return raw
}

// requireCollectionAuth returns the caller when it is authenticated in
// col (spec §1.0.5).
func requireCollectionAuth(c *echo.Context, col *core.Collection) (*core.Record, error) {
	me := authOf(c)
	if me == nil {
		return nil, core.NewUnauthorizedError("The request requires valid record authorization token.")
	}
	if me.Collection().Id != col.Id {
		return nil, core.NewForbiddenError("The request requires auth record from " + me.Collection().Name + " collection.")
	}
	return me, nil
}

// authRefresh is A4: a new token for refreshable tokens, the same one for
// impersonation tokens; no MFA and no login alert.
func (s *Server) authRefresh(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	me, err := requireCollectionAuth(c, col)
	if err != nil {
		return err
	}
	ev := &core.RecordAuthRefreshRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: me}
	return s.app.TriggerRecordAuthRefreshRequest(ev, func(e *core.RecordAuthRefreshRequestEvent) error {
		raw := bearerToken(c)
		claims, err := auth.ParseUnverified(raw, s.app.Now())
		if err != nil {
			return core.NewUnauthorizedError("The request requires valid record authorization token.")
		}
		if err := s.checkAuthRule(c, e.Record, ""); err != nil {
			return err
		}
		token := raw
		if claims.Refreshable {
			if token, err = s.newAuthToken(e.Record, auth.TokenTypeAuth, true, 0, nil); err != nil {
				return core.NewInternalError(err)
			}
		}
		return s.authResponse(c, e.Record, token, methodRefresh, nil)
	})
}

// impersonate is A13: a non-refreshable token for any record, for
// superusers, with an optional custom duration in seconds.
func (s *Server) impersonate(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	var in struct {
		Duration float64 `json:"duration"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	if in.Duration < 0 {
		return fieldErr("duration", "validation_min_greater_equal_than_required", "Must be no less than 0.")
	}
	recs, err := s.app.FindRecordsByIds(c.Request().Context(), col, []string{c.Param("id")})
	if err != nil || len(recs) == 0 {
		return notFound()
	}
	token, err := s.newAuthToken(recs[0], auth.TokenTypeAuth, false, int64(in.Duration), nil)
	if err != nil {
		return core.NewInternalError(err)
	}
	if err := s.checkAuthRule(c, recs[0], ""); err != nil {
		return err
	}
	return s.authResponse(c, recs[0], token, methodImpersonate, nil)
}
