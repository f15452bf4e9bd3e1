package api

import (
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/auth"
)

// applePrivateKeyRe is the PEM shape PocketBase requires of the key before
// parsing it.
var applePrivateKeyRe = regexp.MustCompile(`(?m)-----BEGIN PRIVATE KEY----[\s\S]+-----END PRIVATE KEY-----`)

func (s *Server) registerSettingsEmail() {
	s.echo.POST("/api/settings/test/email", s.testEmail, requireSuperuser)
	s.echo.POST("/api/settings/apple/generate-client-secret", s.appleClientSecret, requireSuperuser)
}

// testEmailTemplates are the template names of spec S4.
var testEmailTemplates = []string{"verification", "password-reset", "email-change", "otp", "login-alert"}

// testEmail is S4: sends one auth template, rendered for a stand-in record
// of the collection, to the given address (synchronously, bounded).
func (s *Server) testEmail(c *echo.Context) error {
	var in struct {
		Email      string `json:"email"`
		Template   string `json:"template"`
		Collection string `json:"collection"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	const failed = "Failed to send the test email."
	if in.Collection == "" {
		in.Collection = core.SuperusersCollectionName
	}
	verrs := core.ValidationErrors{}
	if in.Email == "" {
		verrs["email"] = core.ErrRequired()
	} else if !isEmail(in.Email) {
		verrs["email"] = core.NewFieldError("validation_is_email", "Must be a valid email address.", nil)
	}
	if in.Template == "" {
		verrs["template"] = core.ErrRequired()
	} else if !slices.Contains(testEmailTemplates, in.Template) {
		verrs["template"] = core.NewFieldError("validation_in_invalid", "Must be a valid value.", nil)
	}
	col, err := s.app.FindCollectionByNameOrId(in.Collection)
	if err != nil || !col.IsAuth() || col.Auth == nil {
		verrs["collection"] = core.NewFieldError("validation_invalid_auth_collection", "Must be a valid auth collection id or name.", nil)
	}
	if len(verrs) > 0 {
		return badRequest(failed, verrs)
	}
	rec := core.NewRecord(col)
	rec.SetCanonical(core.FieldId, "__pb_test_id__")
	rec.Set(core.FieldEmail, in.Email)
	p := s.app.RecordMailParams(rec)
	p.Token = "__pb_test_token__"
	var tpl core.EmailTemplate
	kind := ""
	o := col.Auth
	switch in.Template {
	case "verification":
		tpl, kind = o.VerificationTemplate, core.MailVerification
	case "password-reset":
		tpl, kind = o.ResetPasswordTemplate, core.MailPasswordReset
	case "email-change":
		tpl, kind = o.ConfirmEmailChangeTemplate, core.MailEmailChange
	case "otp":
		tpl, kind = o.OTP.EmailTemplate, core.MailOTP
		p.OTP, p.OTPId = auth.RandomDigits(max(o.OTP.Length, 4)), "__pb_test_otp_id__"
	default:
		tpl, kind = o.AuthAlert.EmailTemplate, core.MailAuthAlert
		p.AlertInfo = s.app.Now().Format("2006-01-02 15:04:05.000Z") + " - 127.0.0.1 Test user agent"
	}
	subject, body := core.RenderEmailTemplate(tpl, p)
	msg := &core.MailMessage{To: []core.MailAddress{{Email: in.Email}}, Subject: subject, HTML: body}
	if err := s.app.SendRecordMail(c.Request().Context(), kind, rec, msg, map[string]any{"test": true}); err != nil {
		// Spec S4 puts the raw error in the message (the caller is a
		// superuser configuring SMTP, who needs it).
		return badRequest(failed+" Raw error: \n"+err.Error(), nil)
	}
	return c.NoContent(http.StatusNoContent)
}

// appleClientSecret is S5.
func (s *Server) appleClientSecret(c *echo.Context) error {
	var in struct {
		ClientId   string  `json:"clientId"`
		TeamId     string  `json:"teamId"`
		KeyId      string  `json:"keyId"`
		PrivateKey string  `json:"privateKey"`
		Duration   float64 `json:"duration"`
	}
	if err := decodeAuthBody(c, &in); err != nil {
		return err
	}
	const invalid = "Invalid client secret data."
	verrs := core.ValidationErrors{}
	exact10 := core.NewFieldError("validation_length_invalid", "The length must be exactly 10.", map[string]any{"min": 10, "max": 10})
	if in.ClientId == "" {
		verrs["clientId"] = core.ErrRequired()
	}
	if in.TeamId == "" {
		verrs["teamId"] = core.ErrRequired()
	} else if len(in.TeamId) != 10 {
		verrs["teamId"] = exact10
	}
	if in.KeyId == "" {
		verrs["keyId"] = core.ErrRequired()
	} else if len(in.KeyId) != 10 {
		verrs["keyId"] = exact10
	}
	if in.PrivateKey == "" {
		verrs["privateKey"] = core.ErrRequired()
	} else if !applePrivateKeyRe.MatchString(in.PrivateKey) {
		verrs["privateKey"] = core.NewFieldError("validation_match_invalid", "Must be in a valid format.", nil)
	}
	// PocketBase's rules: required, at least 1, at most the maximum.
	maxSecs := auth.AppleMaxSecretDuration.Seconds()
	switch {
	case in.Duration == 0:
		verrs["duration"] = core.ErrRequired()
	case in.Duration < 1:
		verrs["duration"] = core.NewFieldError("validation_min_greater_equal_than_required", "Must be no less than 1.", map[string]any{"threshold": 1})
	case in.Duration > maxSecs:
		verrs["duration"] = core.NewFieldError("validation_max_less_equal_than_required", "Must be no greater than 15777000.", map[string]any{"threshold": 15777000})
	}
	if len(verrs) > 0 {
		return badRequest(invalid, verrs)
	}
	secret, err := auth.AppleClientSecret(in.ClientId, in.TeamId, in.KeyId, in.PrivateKey,
		time.Duration(in.Duration)*time.Second, s.app.Now())
	if err != nil {
		return badRequest(invalid, core.ValidationErrors{"privateKey": core.NewFieldError("validation_invalid_private_key", "Invalid private key.", nil)}).(*core.Error).WithCause(err)
	}
	return respond(c, http.StatusOK, map[string]any{"secret": secret})
}
