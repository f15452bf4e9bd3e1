package core

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
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
		if l := len(t.Secret); l == 0 {
			te["secret"] = ErrRequired()
		} else if l < 30 || l > 255 {
			te["secret"] = NewFieldError("validation_length_out_of_range", "The length must be between 30 and 255.", map[string]any{"min": 30, "max": 255})
		}
		if err := intRange(t.Duration, true, 10, 94670856); err != nil {
			te["duration"] = err
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
		if te := templateErrors(t); te != nil {
			errs[name] = te
		}
	}
	// The alert and OTP mail templates are checked even when their
	// feature is off, as PocketBase does (they can be sent separately).
	if te := templateErrors(o.AuthAlert.EmailTemplate); te != nil {
		errs["authAlert"] = ValidationErrors{"emailTemplate": te}
	}
	oe := ValidationErrors{}
	if te := templateErrors(o.OTP.EmailTemplate); te != nil {
		oe["emailTemplate"] = te
	}
	if o.OTP.Enabled {
		if err := intRange(int64(o.OTP.Duration), true, 10, 86400); err != nil {
			oe["duration"] = err
		}
		if err := intRange(int64(o.OTP.Length), true, 4, 0); err != nil {
			oe["length"] = err
		}
	}
	if len(oe) > 0 {
		errs["otp"] = oe
	}
	if o.MFA.Enabled {
		me := ValidationErrors{}
		if err := intRange(int64(o.MFA.Duration), true, 10, 86400); err != nil {
			me["duration"] = err
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
		for _, name := range o.PasswordAuth.IdentityFields {
			if c.Fields.GetByName(name) == nil {
				pe["identityFields"] = NewFieldError("validation_missing_field", "Invalid or missing field "+name+".", map[string]any{"fieldName": name})
				break
			}
			// An identity must find one record: PocketBase requires a
			// single-column UNIQUE index on it.
			if !app.hasUniqueIndex(c, name) {
				pe["identityFields"] = NewFieldError("validation_missing_unique_constraint",
					"The field "+name+" doesn't have a UNIQUE constraint.", map[string]any{"fieldName": name})
				break
			}
		}
		if len(pe) > 0 {
			errs["passwordAuth"] = pe
		}
	}
	// Providers are checked only while OAuth2 is on, as PocketBase does
	// (a disabled config may be kept half-filled); they are never used
	// while it is off.
	if o.OAuth2.Enabled {
		pe := ValidationErrors{}
		seen := map[string]bool{}
		for i, p := range o.OAuth2.Providers {
			ie := ValidationErrors{}
			if p.Name == "" {
				ie["name"] = ErrRequired()
			} else if known := app.config.OAuth2Providers; known != nil && !slices.Contains(known, p.Name) {
				ie["name"] = NewFieldError("validation_missing_provider", "Invalid or missing provider with name "+p.Name+".", map[string]any{"name": p.Name})
			} else if seen[p.Name] {
				ie["name"] = NewFieldError("validation_duplicated_provider", "The provider "+p.Name+" is already registered.", map[string]any{"name": p.Name})
			}
			seen[p.Name] = true
			if p.ClientId == "" {
				ie["clientId"] = ErrRequired()
			}
			if p.ClientSecret == "" {
				ie["clientSecret"] = ErrRequired()
			}
			for k, v := range map[string]string{"authURL": p.AuthURL, "tokenURL": p.TokenURL, "userInfoURL": p.UserInfoURL} {
				if u, err := url.Parse(v); v != "" && (err != nil || u.Scheme == "" || u.Host == "") {
					ie[k] = NewFieldError("validation_is_url", "Must be a valid URL.", nil)
				}
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

// intRange checks v the way PocketBase's validators do (and answers with
// their codes): 0 is "blank" (validation_required when required, else
// valid), below min is validation_min_greater_equal_than_required and
// above max (when max > 0) validation_max_less_equal_than_required, each
// with the bound as the "threshold" param.
func intRange(v int64, required bool, min, max int64) *FieldError {
	switch {
	case v == 0 && required:
		return ErrRequired()
	case v == 0:
		return nil
	case v < min:
		return NewFieldError("validation_min_greater_equal_than_required",
			"Must be no less than "+strconv.FormatInt(min, 10)+".", map[string]any{"threshold": min})
	case max > 0 && v > max:
		return NewFieldError("validation_max_less_equal_than_required",
			"Must be no greater than "+strconv.FormatInt(max, 10)+".", map[string]any{"threshold": max})
	}
	return nil
}

// templateErrors checks that a mail template has a subject and a body.
func templateErrors(t EmailTemplate) ValidationErrors {
	te := ValidationErrors{}
	if t.Subject == "" {
		te["subject"] = ErrRequired()
	}
	if t.Body == "" {
		te["body"] = ErrRequired()
	}
	if len(te) == 0 {
		return nil
	}
	return te
}

// hasUniqueIndex reports a single-column UNIQUE index of c on field.
func (app *App) hasUniqueIndex(c *Collection, field string) bool {
	for _, idx := range c.Indexes {
		p, err := app.store.ValidateIndex(context.Background(), c.Name, idx)
		if err == nil && p.Unique && len(p.Columns) == 1 && strings.EqualFold(p.Columns[0].Name, field) {
			return true
		}
	}
	return false
}
