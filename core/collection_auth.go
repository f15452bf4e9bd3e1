package core

import (
	"context"
	"strconv"
)

// validateAuthOptions checks the auth options of c (spec §5.6) and
// returns errors keyed by option name.
func (app *App) validateAuthOptions(c *Collection) ValidationErrors {
	o := c.Auth
	errs := ValidationErrors{}
	tokens := map[string]TokenConfig{
		"authToken": o.AuthToken, "passwordResetToken": o.PasswordResetToken,
		"emailChangeToken": o.EmailChangeToken, "verificationToken": o.VerificationToken, "fileToken": o.FileToken,
	}
	for name, t := range tokens {
		te := ValidationErrors{}
		if l := len(t.Secret); l < 30 || l > 255 {
			te["secret"] = NewFieldError("validation_length_out_of_range", "The length must be between 30 and 255.", map[string]any{"min": 30, "max": 255})
		}
		if t.Duration < 10 || t.Duration > 94670856 {
			te["duration"] = NewFieldError("validation_min_greater_equal_than_required", "Must be between 10 and 94670856.", map[string]any{"min": 10, "max": 94670856})
		}
		if len(te) > 0 {
			errs[name] = te
		}
	}
	templates := map[string]EmailTemplate{
		"verificationTemplate": o.VerificationTemplate, "resetPasswordTemplate": o.ResetPasswordTemplate,
		"confirmEmailChangeTemplate": o.ConfirmEmailChangeTemplate,
	}
	for name, t := range templates {
		te := ValidationErrors{}
		if t.Subject == "" {
			te["subject"] = ErrRequired()
		}
		if t.Body == "" {
			te["body"] = ErrRequired()
		}
		if len(te) > 0 {
			errs[name] = te
		}
	}
	if o.OTP.Enabled {
		oe := ValidationErrors{}
		if o.OTP.Duration < 10 || o.OTP.Duration > 86400 {
			oe["duration"] = NewFieldError("validation_out_of_range", "Must be between 10 and 86400.", map[string]any{"min": 10, "max": 86400})
		}
		if o.OTP.Length < 4 {
			oe["length"] = NewFieldError("validation_min_greater_equal_than_required", "Must be no less than 4.", map[string]any{"threshold": 4})
		}
		if len(oe) > 0 {
			errs["otp"] = oe
		}
	}
	if o.MFA.Enabled {
		me := ValidationErrors{}
		if o.MFA.Duration < 10 || o.MFA.Duration > 86400 {
			me["duration"] = NewFieldError("validation_out_of_range", "Must be between 10 and 86400.", map[string]any{"min": 10, "max": 86400})
		}
		enabled := 0
		for _, on := range []bool{o.PasswordAuth.Enabled, o.OAuth2.Enabled, o.OTP.Enabled} {
			if on {
				enabled++
			}
		}
		if enabled < 2 {
			me["enabled"] = NewFieldError("validation_mfa_not_enough_auths", "MFA requires at least 2 auth methods to be enabled.", nil)
		}
		if o.MFA.Rule != "" {
			if err := app.checkRule(context.Background(), c, &o.MFA.Rule); err != nil {
				me["rule"] = err
			}
		}
		if len(me) > 0 {
			errs["mfa"] = me
		}
	}
	if o.PasswordAuth.Enabled {
		pe := ValidationErrors{}
		if len(o.PasswordAuth.IdentityFields) == 0 {
			pe["identityFields"] = ErrRequired()
		}
		for i, name := range o.PasswordAuth.IdentityFields {
			if c.Fields.GetByName(name) == nil {
				pe["identityFields"] = NewFieldError("validation_missing_field", "Missing or invalid field "+strconv.Quote(name)+".", nil)
				break
			}
			_ = i
		}
		if len(pe) > 0 {
			errs["passwordAuth"] = pe
		}
	}
	if o.OAuth2.Enabled || len(o.OAuth2.Providers) > 0 {
		pe := ValidationErrors{}
		seen := map[string]bool{}
		for i, p := range o.OAuth2.Providers {
			ie := ValidationErrors{}
			if p.Name == "" {
				ie["name"] = ErrRequired()
			} else if seen[p.Name] {
				ie["name"] = NewFieldError("validation_duplicated_provider", "The provider "+strconv.Quote(p.Name)+" is already registered.", nil)
			}
			seen[p.Name] = true
			if p.ClientId == "" {
				ie["clientId"] = ErrRequired()
			}
			if p.ClientSecret == "" {
				ie["clientSecret"] = ErrRequired()
			}
			if len(ie) > 0 {
				pe[strconv.Itoa(i)] = ie
			}
		}
		if len(pe) > 0 {
			errs["oauth2"] = ValidationErrors{"providers": pe}
		}
	}
	if c.Id == SuperusersCollectionId && o.OAuth2.Enabled {
		errs["oauth2"] = NewFieldError("validation_superusers_oauth2", "OAuth2 cannot be enabled for superusers.", nil)
	}
	return errs
}
