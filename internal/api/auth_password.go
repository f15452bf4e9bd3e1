package api

import (
	"encoding/json"
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

func (s *Server) registerAuth() {
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
	return respond(c, http.StatusOK, map[string]any{
		"password":         map[string]any{"enabled": o.PasswordAuth.Enabled, "identityFields": ids},
		"oauth2":           map[string]any{"enabled": o.OAuth2.Enabled, "providers": []any{}},
		"mfa":              map[string]any{"enabled": o.MFA.Enabled, "duration": mfaDur},
		"otp":              map[string]any{"enabled": o.OTP.Enabled, "duration": otpDur},
		"authProviders":    nil,
		"usernamePassword": o.PasswordAuth.Enabled && slices.Contains(ids, "username"),
		"emailPassword":    o.PasswordAuth.Enabled && slices.Contains(ids, core.FieldEmail),
	})
}

// authResponse writes {token, record[, meta]} after the authRule check
// (spec §1.4).
func (s *Server) authResponse(c *echo.Context, rec *core.Record, token string, ctxName string, meta any) error {
	col := rec.Collection()
	if !isSuperuser(c) || ctxName != "" {
		rule := col.Auth.AuthRule
		if rule == nil {
			return core.NewForbiddenError("The request doesn't satisfy the collection requirements to authenticate.")
		}
		if strings.TrimSpace(*rule) != "" {
			ri := s.requestInfo(c, nil)
			ri.Auth = rec
			if ctxName != "" {
				ri.Context = ctxName
			}
			rc, _ := ruleClauses(rule)
			res, err := s.app.Store().Query(c.Request().Context(), &core.RecordQuery{Collection: col, Ids: []string{rec.Id()}, Filters: rc, Request: ri})
			if err != nil || len(res.Records) == 0 {
				return core.NewForbiddenError("The request doesn't satisfy the collection requirements to authenticate.")
			}
		}
	}
	rec.ShowEmail(true)
	rec.Unhide(col.Id == core.SuperusersCollectionId || isSuperuser(c))
	s.expandRecords(c, []*core.Record{rec})
	out := map[string]any{"token": token, "record": rec}
	if meta != nil {
		out["meta"] = meta
	}
	return respond(c, http.StatusOK, out)
}

func (s *Server) authWithPassword(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	if !col.Auth.PasswordAuth.Enabled {
		return core.NewForbiddenError("The collection is not configured to allow password authentication.")
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var in struct {
		Identity      string `json:"identity"`
		Password      string `json:"password"`
		IdentityField string `json:"identityField"`
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return badRequest("An error occurred while loading the submitted data.", nil)
		}
	}
	verrs := core.ValidationErrors{}
	if in.Identity == "" {
		verrs["identity"] = core.ErrRequired()
	} else if len(in.Identity) > 255 {
		verrs["identity"] = core.NewFieldError("validation_length_too_long", "The length must be no more than 255.", map[string]any{"max": 255})
	}
	if in.Password == "" {
		verrs["password"] = core.ErrRequired()
	} else if len(in.Password) > 255 {
		verrs["password"] = core.NewFieldError("validation_length_too_long", "The length must be no more than 255.", map[string]any{"max": 255})
	}
	if in.IdentityField != "" && !slices.Contains(col.Auth.PasswordAuth.IdentityFields, in.IdentityField) {
		verrs["identityField"] = core.NewFieldError("validation_in_invalid", "Must be a valid value.", nil)
	}
	if len(verrs) > 0 {
		return badRequest("An error occurred while validating the submitted data.", verrs)
	}
	fields := col.Auth.PasswordAuth.IdentityFields
	if in.IdentityField != "" {
		fields = []string{in.IdentityField}
	} else {
		// email first (spec A2)
		ordered := []string{}
		if slices.Contains(fields, core.FieldEmail) {
			ordered = append(ordered, core.FieldEmail)
		}
		for _, f := range fields {
			if f != core.FieldEmail {
				ordered = append(ordered, f)
			}
		}
		fields = ordered
	}
	var found *core.Record
	for _, f := range fields {
		if f == core.FieldEmail && !strings.Contains(in.Identity, "@") {
			continue
		}
		if col.Fields.GetByName(f) == nil {
			continue
		}
		expr, err := core.ParseRule(f + " = {:identity}")
		_ = expr
		if err != nil {
			// Build the filter with a quoted literal instead.
		}
		rec, err := s.app.FindFirstRecordByField(c.Request().Context(), col, f, in.Identity)
		if err == nil && rec != nil {
			found = rec
			break
		}
	}
	hash := ""
	if found != nil {
		if pv, ok := found.Get(core.FieldPassword).(core.PasswordValue); ok {
			hash = pv.Hash
		}
	}
	// The dummy compare keeps the work equal for unknown identities.
	if !auth.CheckPasswordOrDummy(hash, in.Password) || found == nil {
		return badRequest("Failed to authenticate.", nil)
	}
	token, err := s.newAuthToken(found, auth.TokenTypeAuth, true, 0, nil)
	if err != nil {
		return err
	}
	return s.authResponse(c, found, token, core.ContextPassword, nil)
}

func (s *Server) authRefresh(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	me := authOf(c)
	if me == nil {
		return core.NewUnauthorizedError("The request requires valid record authorization token.")
	}
	if me.Collection().Id != col.Id {
		return core.NewForbiddenError("The request requires auth record from " + me.Collection().Name + " collection.")
	}
	raw := c.Request().Header.Get("Authorization")
	if len(raw) > 7 && strings.EqualFold(raw[:7], "bearer ") {
		raw = raw[7:]
	}
	claims, err := auth.ParseUnverified(raw, s.app.Now())
	if err != nil {
		return core.NewUnauthorizedError("The request requires valid record authorization token.")
	}
	token := raw
	if claims.Refreshable {
		token, err = s.newAuthToken(me, auth.TokenTypeAuth, true, 0, nil)
		if err != nil {
			return err
		}
	}
	return s.authResponse(c, me, token, "", nil)
}

func (s *Server) impersonate(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	recs, err := s.app.FindRecordsByIds(c.Request().Context(), col, []string{c.Param("id")})
	if err != nil || len(recs) == 0 {
		return notFound()
	}
	var in struct {
		Duration int64 `json:"duration"`
	}
	if body, _ := readBody(c); len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil || in.Duration < 0 {
			return badRequest("An error occurred while validating the submitted data.", nil)
		}
	}
	token, err := s.newAuthToken(recs[0], auth.TokenTypeAuth, false, in.Duration, nil)
	if err != nil {
		return err
	}
	return s.authResponse(c, recs[0], token, "", nil)
}
