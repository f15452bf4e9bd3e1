package api

import (
	"context"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// The e-mail driven flows: verification, password reset and e-mail change
// (spec A7–A12). Request endpoints never reveal whether an address is
// registered (always 204); their mails go out in the background after the
// answer (spec §10.7), except the e-mail change mail, which is synchronous
// but bounded by core.MailTimeout.

// resendGuard is the per-record pause between two verification or reset
// mails (spec A7/A9), silently answered with 204.
const resendGuard = 2 * time.Minute

func isEmail(v string) bool {
	if v == "" || len(v) > 255 || strings.ContainsAny(v, " \t\r\n<>") {
		return false
	}
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v && a.Name == "" && strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".")
}

// emailInput validates an {"email"} style value (required, e-mail, ≤255).
func emailInput(field, v string) error {
	switch {
	case v == "":
		return validationErr(core.ValidationErrors{field: core.ErrRequired()})
	case len(v) > 255:
		return validationErr(core.ValidationErrors{field: core.NewFieldError("validation_length_too_long", "The length must be no more than 255.", map[string]any{"max": 255})})
	case !isEmail(v):
		return validationErr(core.ValidationErrors{field: core.NewFieldError("validation_is_email", "Must be a valid email address.", nil)})
	}
	return nil
}

func (s *Server) findByEmail(ctx context.Context, col *core.Collection, email string) *core.Record {
	rec, err := s.app.FindFirstRecordByField(ctx, col, core.FieldEmail, email)
	if err != nil {
		return nil
	}
	return rec
}

// tokenMail renders tpl for rec with token and returns the message to to.
func (s *Server) tokenMail(rec *core.Record, to string, tpl core.EmailTemplate, token string) *core.MailMessage {
	p := s.app.RecordMailParams(rec)
	p.Token = token
	subject, body := core.RenderEmailTemplate(tpl, p)
	return &core.MailMessage{To: []core.MailAddress{{Email: to}}, Subject: subject, HTML: body}
}

// sendLater delivers a record mail in the background (bounded, panics
// recovered) once the current request is done with it.
func (s *Server) sendLater(c *echo.Context, kind string, rec *core.Record, msg *core.MailMessage, meta map[string]any, done func(error)) {
	s.app.GoMail(c.Request().Context(), func(ctx context.Context) error {
		return s.app.SendRecordMail(ctx, kind, rec, msg, meta)
	}, done)
}

func (s *Server) requestVerification(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	if col.Id == core.SuperusersCollectionId {
		return badRequest("All superusers are verified by default.", nil)
	}
	return s.mailToken(c, col, tokenMailFlow{flow: core.FlowRequestVerification, typ: auth.TokenTypeVerification,
		template: col.Auth.VerificationTemplate, mailKind: core.MailVerification,
		skip: func(r *core.Record) bool { return r.GetBool(core.FieldVerified) }})
}

// tokenMailFlow describes a request-* endpoint that mails a token.
type tokenMailFlow struct {
	flow     string // hook kind (core.FlowRequest*)
	typ      auth.TokenType
	template core.EmailTemplate
	mailKind string
	skip     func(r *core.Record) bool // no mail for this record
}

// mailToken is the shared body of request-verification and
// request-password-reset: read {email}, find the record, run the flow
// hook, and mail a token unless the record is skipped or was mailed
// moments ago. It answers 204 either way, so the endpoint does not tell
// which addresses exist.
func (s *Server) mailToken(c *echo.Context, col *core.Collection, f tokenMailFlow) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	if err := emailInput("email", in.Email); err != nil {
		return err
	}
	rec := s.findByEmail(c.Request().Context(), col, in.Email)
	ev := &core.RecordFlowRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: rec}
	return s.app.TriggerRecordFlowRequest(f.flow, ev, func(e *core.RecordFlowRequestEvent) error {
		r := e.Record
		if r == nil || f.skip(r) || !s.auth().resendAllowed(f.guardKey(r), s.app.Now()) {
			return c.NoContent(http.StatusNoContent)
		}
		token, err := s.newAuthToken(r, f.typ, false, 0, func(cl *auth.Claims) { cl.Email = r.GetString(core.FieldEmail) })
		if err != nil {
			return core.NewInternalError(err)
		}
		msg := s.tokenMail(r, r.GetString(core.FieldEmail), f.template, token)
		s.sendLater(c, f.mailKind, r, msg, map[string]any{"token": token}, nil)
		return c.NoContent(http.StatusNoContent)
	})
}

func (f tokenMailFlow) guardKey(r *core.Record) string { return string(f.typ) + ":" + r.Id() }

// flowToken checks a confirm-* token of typ for col and returns its record
// and claims, or the spec's token field error.
func (s *Server) flowToken(c *echo.Context, col *core.Collection, token string, typ auth.TokenType) (*core.Record, auth.Claims, error) {
	if token == "" {
		return nil, auth.Claims{}, validationErr(core.ValidationErrors{"token": core.ErrRequired()})
	}
	invalid := fieldErr("token", "validation_invalid_token", "Invalid or expired token.")
	rec, claims, err := s.verifyToken(c.Request().Context(), token, typ)
	if err != nil {
		return nil, claims, invalid
	}
	if rec.Collection().Id != col.Id {
		return nil, claims, fieldErr("token", "validation_token_collection_mismatch", "The provided token is for different auth collection.")
	}
	return rec, claims, nil
}

func (s *Server) confirmVerification(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	if col.Id == core.SuperusersCollectionId {
		return badRequest("All superusers are verified by default.", nil)
	}
	var in struct {
		Token string `json:"token"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	if in.Token != "" {
		if cl, err := auth.ParseUnverified(in.Token, s.app.Now()); err == nil && cl.Email == "" {
			return fieldErr("token", "validation_invalid_token_claims", "Missing email token claim.")
		}
	}
	rec, claims, err := s.flowToken(c, col, in.Token, auth.TokenTypeVerification)
	if err != nil {
		return err
	}
	if rec.GetString(core.FieldEmail) != claims.Email {
		return fieldErr("token", "validation_token_email_mismatch", "The record email doesn't match with the requested token claims.")
	}
	ev := &core.RecordFlowRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: rec}
	return s.app.TriggerRecordFlowRequest(core.FlowConfirmVerification, ev, func(e *core.RecordFlowRequestEvent) error {
		// The token is bound to "unverified" (signingKey), so a verified
		// record already refused it; PocketBase answers a replay with 204,
		// Basalt with the invalid-token error (single-use, issue #22). A
		// hook may have changed the record, hence the check.
		if !e.Record.GetBool(core.FieldVerified) {
			if err := s.app.RunInTransaction(c.Request().Context(), func(ctx context.Context) error {
				return s.markVerified(ctx, e.Record, "")
			}); err != nil {
				return badRequest("", nil).(*core.Error).WithCause(err)
			}
		}
		return c.NoContent(http.StatusNoContent)
	})
}

// markVerified saves rec as verified. An unverified record proving its
// e-mail for the first time also loses every OAuth2 link made while it
// was unverified (except keepProvider's, when the proof is that link):
// such links may belong to whoever squatted the unverified address, and
// must not survive the upgrade (PocketBase's 2026 stale-link advisory).
func (s *Server) markVerified(ctx context.Context, rec *core.Record, keepProvider string) error {
	wasVerified := rec.GetBool(core.FieldVerified)
	rec.Set(core.FieldVerified, true)
	if err := s.app.Save(ctx, rec); err != nil {
		return err
	}
	if wasVerified {
		return nil
	}
	return s.clearExternalAuths(ctx, rec, keepProvider)
}

func (s *Server) requestPasswordReset(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	if !col.Auth.PasswordAuth.Enabled {
		return badRequest("The collection is not configured to allow password authentication.", nil)
	}
	return s.mailToken(c, col, tokenMailFlow{flow: core.FlowRequestPasswordReset, typ: auth.TokenTypePasswordReset,
		template: col.Auth.ResetPasswordTemplate, mailKind: core.MailPasswordReset,
		skip: func(r *core.Record) bool { return strings.EqualFold(r.GetString(core.FieldEmail), core.InstallerEmail) }})
}

func (s *Server) confirmPasswordReset(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	var in struct {
		Token           string `json:"token"`
		Password        string `json:"password"`
		PasswordConfirm string `json:"passwordConfirm"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	min := 1
	if pf, ok := col.Fields.GetByName(core.FieldPassword).(*core.PasswordField); ok && pf.Min > 0 {
		min = pf.Min
	}
	verrs := core.ValidationErrors{}
	rec, claims, terr := s.flowToken(c, col, in.Token, auth.TokenTypePasswordReset)
	if terr != nil {
		ce, _ := core.AsError(terr)
		for k, v := range ce.Data.(core.ValidationErrors) {
			verrs[k] = v
		}
	}
	if n := len([]rune(in.Password)); in.Password == "" {
		verrs["password"] = core.ErrRequired()
	} else if n < min || n > 255 {
		verrs["password"] = core.NewFieldError("validation_length_out_of_range", "The length must be between {min} and {max}.", map[string]any{"min": min, "max": 255})
	}
	if in.PasswordConfirm == "" {
		verrs["passwordConfirm"] = core.ErrRequired()
	} else if in.PasswordConfirm != in.Password {
		verrs["passwordConfirm"] = core.NewFieldError("validation_values_mismatch", "Values don't match.", nil)
	}
	if len(verrs) > 0 {
		return validationErr(verrs)
	}
	// Single use: the token is bound to the password hash (signingKey)
	// and the save rotates the tokenKey, either of which kills it; the
	// claim stops two concurrent requests from both using it.
	release, ok := s.auth().claim("reset:" + rec.Id())
	if !ok {
		return fieldErr("token", "validation_invalid_token", "Invalid or expired token.")
	}
	defer release()
	ev := &core.RecordFlowRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: rec}
	return s.app.TriggerRecordFlowRequest(core.FlowConfirmPasswordReset, ev, func(e *core.RecordFlowRequestEvent) error {
		r := e.Record
		r.Set(core.FieldPassword, in.Password)
		err := s.app.RunInTransaction(c.Request().Context(), func(ctx context.Context) error {
			if claims.Email != "" && claims.Email == r.GetString(core.FieldEmail) && !r.GetBool(core.FieldVerified) {
				return s.markVerified(ctx, r, "")
			}
			return s.app.Save(ctx, r)
		})
		if err != nil {
			return saveError(err, "Failed to set new password.")
		}
		return c.NoContent(http.StatusNoContent)
	})
}

func (s *Server) requestEmailChange(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	me, err := requireCollectionAuth(c, col)
	if err != nil {
		return err
	}
	if col.Id == core.SuperusersCollectionId {
		return badRequest("All superusers can change their emails directly.", nil)
	}
	var in struct {
		NewEmail string `json:"newEmail"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	if err := emailInput("newEmail", in.NewEmail); err != nil {
		return err
	}
	if in.NewEmail == me.GetString(core.FieldEmail) {
		return fieldErr("newEmail", "validation_not_in_invalid", "Must not be in list.")
	}
	if other := s.findByEmail(c.Request().Context(), col, in.NewEmail); other != nil {
		return fieldErr("newEmail", "validation_invalid_new_email", "Invalid new email address.")
	}
	ev := &core.RecordFlowRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: me, NewEmail: in.NewEmail}
	return s.app.TriggerRecordFlowRequest(core.FlowRequestEmailChange, ev, func(e *core.RecordFlowRequestEvent) error {
		r := e.Record
		token, err := s.newAuthToken(r, auth.TokenTypeEmailChange, false, 0, func(cl *auth.Claims) {
			cl.Email = r.GetString(core.FieldEmail)
			cl.NewEmail = e.NewEmail
		})
		if err != nil {
			return core.NewInternalError(err)
		}
		msg := s.tokenMail(r, e.NewEmail, col.Auth.ConfirmEmailChangeTemplate, token)
		// Synchronous (spec §10.7), bounded by core.MailTimeout.
		if err := s.app.SendRecordMail(c.Request().Context(), core.MailEmailChange, r, msg, map[string]any{"token": token, "newEmail": e.NewEmail}); err != nil {
			return badRequest("Failed to request email change.", nil).(*core.Error).WithCause(err)
		}
		return c.NoContent(http.StatusNoContent)
	})
}

func (s *Server) confirmEmailChange(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	if col.Id == core.SuperusersCollectionId {
		return badRequest("All superusers can change their emails directly.", nil)
	}
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	verrs := core.ValidationErrors{}
	if in.Token != "" {
		if cl, err := auth.ParseUnverified(in.Token, s.app.Now()); err == nil && cl.NewEmail == "" {
			return fieldErr("token", "validation_invalid_token_payload", "Invalid token payload - newEmail must be set.")
		}
	}
	rec, claims, terr := s.flowToken(c, col, in.Token, auth.TokenTypeEmailChange)
	if terr != nil {
		ce, _ := core.AsError(terr)
		for k, v := range ce.Data.(core.ValidationErrors) {
			verrs[k] = v
		}
	} else if s.findByEmail(c.Request().Context(), col, claims.NewEmail) != nil {
		verrs["token"] = core.NewFieldError("validation_existing_token_email", "The new email address is already registered: "+claims.NewEmail, nil)
	}
	if in.Password == "" {
		verrs["password"] = core.ErrRequired()
	} else if rec != nil {
		pv, _ := rec.Get(core.FieldPassword).(core.PasswordValue)
		if !auth.CheckPassword(pv.Hash, in.Password) {
			verrs["password"] = core.NewFieldError("validation_invalid_password", "Missing or invalid auth record password.", nil)
		}
	}
	if len(verrs) > 0 {
		return validationErr(verrs)
	}
	release, ok := s.auth().claim("emailChange:" + rec.Id())
	if !ok {
		return fieldErr("token", "validation_invalid_token", "Invalid or expired token.")
	}
	defer release()
	ev := &core.RecordFlowRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: rec, NewEmail: claims.NewEmail}
	return s.app.TriggerRecordFlowRequest(core.FlowConfirmEmailChange, ev, func(e *core.RecordFlowRequestEvent) error {
		r := e.Record
		r.Set(core.FieldEmail, e.NewEmail) // rotates the tokenKey (core)
		r.Set(core.FieldVerified, true)
		if err := s.app.Save(c.Request().Context(), r); err != nil {
			return saveError(err, "Failed to confirm email change.")
		}
		return c.NoContent(http.StatusNoContent)
	})
}
