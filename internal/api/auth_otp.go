package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// OTP sign-in (spec A5/A6). Codes are stored bcrypt-hashed in _otps (the
// password field's cost), used once (the row is deleted on success),
// expire after otp.duration, and each record gets at most otpMaxAttempts
// code checks per otpAttemptWindow.
const (
	otpMaxAttempts   = 5
	otpAttemptWindow = 180 * time.Second
	otpMaxActive     = 9 // more unexpired OTPs than this: reuse the newest, send nothing
)

func (s *Server) requestOTP(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	if !col.Auth.OTP.Enabled {
		return core.NewForbiddenError("The collection is not configured to allow OTP authentication.")
	}
	var in struct {
		Email string `json:"email"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	if err := emailInput("email", in.Email); err != nil {
		return err
	}
	ctx := c.Request().Context()
	rec := s.findByEmail(ctx, col, in.Email)
	length := col.Auth.OTP.Length
	if length < 4 {
		length = 8
	}
	ev := &core.RecordCreateOTPRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: rec, Password: auth.RandomDigits(length)}
	return s.app.TriggerRecordRequestOTPRequest(ev, func(e *core.RecordCreateOTPRequestEvent) error {
		if e.Record == nil {
			// Same answer and comparable work for an unknown address
			// (spec A5, Appendix B.4): hash like a real OTP would be.
			_, _ = auth.HashPassword(e.Password, 8)
			return respond(c, http.StatusOK, map[string]any{"otpId": auth.NewRecordId()})
		}
		r := e.Record
		otps, err := s.app.FindCollectionByNameOrId(core.OTPsCollectionName)
		if err != nil {
			return core.NewInternalError(err)
		}
		active, err := s.activeOTPs(ctx, col, r)
		if err != nil {
			return core.NewInternalError(err)
		}
		if len(active) > otpMaxActive {
			return respond(c, http.StatusOK, map[string]any{"otpId": active[0].Id()})
		}
		row := core.NewRecord(otps)
		row.Set("collectionRef", col.Id)
		row.Set("recordRef", r.Id())
		row.Set("password", e.Password)
		row.Set("sentTo", r.GetString(core.FieldEmail))
		if err := s.app.Save(ctx, row); err != nil {
			return badRequest("Failed to create OTP.", nil).(*core.Error).WithCause(err)
		}
		p := s.app.RecordMailParams(r)
		p.OTP, p.OTPId = e.Password, row.Id()
		subject, body := core.RenderEmailTemplate(col.Auth.OTP.EmailTemplate, p)
		msg := &core.MailMessage{To: []core.MailAddress{{Email: r.GetString(core.FieldEmail)}}, Subject: subject, HTML: body}
		// The row is committed; the mail goes out after the answer. A
		// failed delivery deletes the OTP (spec A5).
		s.sendLater(c, core.MailOTP, r, msg, map[string]any{"otpId": row.Id(), "password": e.Password}, func(err error) {
			if err != nil {
				_ = s.app.Delete(context.Background(), row)
			}
		})
		return respond(c, http.StatusOK, map[string]any{"otpId": row.Id()})
	})
}

// activeOTPs returns the unexpired OTPs of r, newest first.
func (s *Server) activeOTPs(ctx context.Context, col *core.Collection, r *core.Record) ([]*core.Record, error) {
	since := core.FormatTime(s.app.Now().Add(-secondsDuration(col.Auth.OTP.Duration)))
	return s.app.FindRecordsByFilter(ctx, core.OTPsCollectionName,
		"collectionRef = {:c} && recordRef = {:r} && created > {:since}", "-created", 0, 0,
		map[string]any{"c": col.Id, "r": r.Id(), "since": since})
}

func (s *Server) authWithOTP(c *echo.Context) error {
	col, err := s.authCollection(c)
	if err != nil {
		return err
	}
	if !col.Auth.OTP.Enabled {
		return core.NewForbiddenError("The collection is not configured to allow OTP authentication.")
	}
	var in struct {
		OTPId    string `json:"otpId"`
		Password string `json:"password"`
		MFAId    string `json:"mfaId"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	if in.MFAId == "" {
		in.MFAId = c.QueryParam("mfaId")
	}
	verrs := core.ValidationErrors{}
	if in.OTPId == "" {
		verrs["otpId"] = core.ErrRequired()
	} else if len(in.OTPId) > 255 {
		verrs["otpId"] = core.NewFieldError("validation_length_too_long", "The length must be no more than 255.", map[string]any{"max": 255})
	}
	if in.Password == "" {
		verrs["password"] = core.ErrRequired()
	} else if len(in.Password) > 71 {
		verrs["password"] = core.NewFieldError("validation_length_too_long", "The length must be no more than 71.", map[string]any{"max": 71})
	}
	if len(verrs) > 0 {
		return validationErr(verrs)
	}
	invalid := badRequest("Invalid or expired OTP.", nil)
	ctx := c.Request().Context()
	// One check per OTP at a time, so a code cannot be used twice by
	// racing requests.
	release, ok := s.auth().claim("otp:" + in.OTPId)
	if !ok {
		return invalid
	}
	defer release()
	otps, err := s.app.FindCollectionByNameOrId(core.OTPsCollectionName)
	if err != nil {
		return core.NewInternalError(err)
	}
	found, err := s.app.FindRecordsByIds(ctx, otps, []string{in.OTPId})
	if err != nil || len(found) == 0 || found[0].GetString("collectionRef") != col.Id {
		return invalid
	}
	otp := found[0]
	recordRef := otp.GetString("recordRef")
	// Counted before the code is checked (spec A6).
	if !s.auth().attempt(col.Id+":"+recordRef, s.app.Now()) {
		return core.NewError(core.CodeTooManyRequests, "Too many attempts, please try again later with a new OTP.", nil)
	}
	created, okTime := core.ParseTime(otp.GetString("created"))
	if !okTime || s.app.Now().Sub(created) >= secondsDuration(col.Auth.OTP.Duration) {
		_ = s.app.Delete(ctx, otp)
		return invalid
	}
	recs, err := s.app.FindRecordsByIds(ctx, col, []string{recordRef})
	if err != nil || len(recs) == 0 {
		return invalid
	}
	rec := recs[0]
	pv, _ := otp.Get("password").(core.PasswordValue)
	if !auth.CheckPassword(pv.Hash, in.Password) {
		return invalid
	}
	ev := &core.RecordAuthWithOTPRequestEvent{RequestEvent: *s.requestEvent(c), Collection: col, Record: rec, OTP: otp}
	return s.app.TriggerRecordAuthWithOTPRequest(ev, func(e *core.RecordAuthWithOTPRequestEvent) error {
		r := e.Record
		err := s.app.RunInTransaction(ctx, func(txCtx context.Context) error {
			if !r.GetBool(core.FieldVerified) && e.OTP.GetString("sentTo") != "" && e.OTP.GetString("sentTo") == r.GetString(core.FieldEmail) {
				if err := s.markVerified(txCtx, r, ""); err != nil {
					return err
				}
			}
			return s.app.Delete(txCtx, e.OTP)
		})
		if err != nil {
			return badRequest("Failed to authenticate.", nil).(*core.Error).WithCause(err)
		}
		return s.authSuccess(c, r, methodOTP, in.MFAId, nil)
	})
}
