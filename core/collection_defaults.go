package core

import (
	"fmt"
	"strings"
)

// Default e-mail templates of auth collections (spec §5.6); the mail
// package renders them. Wording is ours.
var (
	defaultVerificationTemplate = EmailTemplate{
		Subject: "Verify your {APP_NAME} email",
		Body:    "<p>Hello,</p>\n<p>Thank you for joining us at {APP_NAME}.</p>\n<p>Click on the button below to verify your email address.</p>\n<p>\n  <a class=\"btn\" href=\"{APP_URL}/_/#/auth/confirm-verification/{TOKEN}\" target=\"_blank\" rel=\"noopener\">Verify</a>\n</p>\n<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>",
	}
	defaultResetPasswordTemplate = EmailTemplate{
		Subject: "Reset your {APP_NAME} password",
		Body:    "<p>Hello,</p>\n<p>Click on the button below to reset your password.</p>\n<p>\n  <a class=\"btn\" href=\"{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}\" target=\"_blank\" rel=\"noopener\">Reset password</a>\n</p>\n<p><i>If you didn't ask to reset your password, you can ignore this email.</i></p>\n<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>",
	}
	defaultConfirmEmailChangeTemplate = EmailTemplate{
		Subject: "Confirm your {APP_NAME} new email address",
		Body:    "<p>Hello,</p>\n<p>Click on the button below to confirm your new email address.</p>\n<p>\n  <a class=\"btn\" href=\"{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}\" target=\"_blank\" rel=\"noopener\">Confirm new email</a>\n</p>\n<p><i>If you didn't ask to change your email address, you can ignore this email.</i></p>\n<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>",
	}
	defaultOTPTemplate = EmailTemplate{
		Subject: "OTP for {APP_NAME}",
		Body:    "<p>Hello,</p>\n<p>Your one-time password is: <strong>{OTP}</strong></p>\n<p><i>If you didn't ask for the one-time password, you can ignore this email.</i></p>\n<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>",
	}
	defaultAuthAlertTemplate = EmailTemplate{
		Subject: "Login from a new location",
		Body:    "<p>Hello,</p>\n<p>We noticed a login to your {APP_NAME} account from a new location:</p>\n<p><em>{ALERT_INFO}</em></p>\n<p><strong>If this wasn't you, you should immediately change your {APP_NAME} account password to revoke access from all other locations.</strong></p>\n<p>If this was you, you may disregard this email.</p>\n<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>",
	}
)

// DefaultAuthOptions returns the options of a new auth collection with
// fresh token secrets.
func DefaultAuthOptions() *AuthOptions {
	return &AuthOptions{
		AuthRule:                   StrPtr(""),
		ManageRule:                 nil,
		AuthAlert:                  AuthAlertConfig{Enabled: true, EmailTemplate: defaultAuthAlertTemplate},
		OAuth2:                     OAuth2Config{Providers: []OAuth2ProviderConfig{}},
		PasswordAuth:               PasswordAuthConfig{Enabled: true, IdentityFields: []string{FieldEmail}},
		MFA:                        MFAConfig{Duration: 1800},
		OTP:                        OTPConfig{Duration: 180, Length: 8, EmailTemplate: defaultOTPTemplate},
		AuthToken:                  TokenConfig{Secret: RandomToken(50), Duration: 604800},
		PasswordResetToken:         TokenConfig{Secret: RandomToken(50), Duration: 1800},
		EmailChangeToken:           TokenConfig{Secret: RandomToken(50), Duration: 1800},
		VerificationToken:          TokenConfig{Secret: RandomToken(50), Duration: 259200},
		FileToken:                  TokenConfig{Secret: RandomToken(50), Duration: 180},
		VerificationTemplate:       defaultVerificationTemplate,
		ResetPasswordTemplate:      defaultResetPasswordTemplate,
		ConfirmEmailChangeTemplate: defaultConfirmEmailChangeTemplate,
	}
}

// NewBaseCollection returns a blank base collection named name with its
// id field. Rules default to nil (superusers only).
func NewBaseCollection(name string) *Collection {
	return &Collection{Name: name, Type: CollectionTypeBase, Fields: FieldsList{NewIdField()}, Indexes: []string{}}
}

// NewAuthCollection returns a blank auth collection with the auth system
// fields and default options.
func NewAuthCollection(name string) *Collection {
	c := &Collection{Name: name, Type: CollectionTypeAuth, Indexes: []string{}, Auth: DefaultAuthOptions()}
	c.Fields = append(FieldsList{NewIdField()}, NewAuthSystemFields()...)
	return c
}

// NewViewCollection returns a blank view collection.
func NewViewCollection(name string) *Collection {
	return &Collection{Name: name, Type: CollectionTypeView, Fields: FieldsList{}, Indexes: []string{}}
}

// NewCollectionOfType returns the blank collection of a type. Like
// PocketBase's NewCollection, an unknown type gets the base scaffold with
// that type kept, so saving it answers the validation error keyed "type"
// (validation_in_invalid) instead of a decoding error.
func NewCollectionOfType(typ, name string) *Collection {
	switch typ {
	case "", CollectionTypeBase:
		return NewBaseCollection(name)
	case CollectionTypeAuth:
		return NewAuthCollection(name)
	case CollectionTypeView:
		return NewViewCollection(name)
	}
	c := NewBaseCollection(name)
	c.Type = typ
	return c
}

// authIndexes returns the auto-managed unique indexes of an auth
// collection (spec §5.1).
func authIndexes(c *Collection) []string {
	return []string{
		fmt.Sprintf("CREATE UNIQUE INDEX `idx_tokenKey_%s` ON `%s` (`tokenKey`)", c.Id, c.Name),
		fmt.Sprintf("CREATE UNIQUE INDEX `idx_email_%s` ON `%s` (`email`) WHERE `email` != ''", c.Id, c.Name),
	}
}

// ensureDefaults fills generated parts of c before validation: the id,
// field ids, missing system fields and auth indexes.
func (app *App) ensureDefaults(c *Collection) {
	if c.Id == "" && c.Name != "" {
		base := DefaultCollectionId(c.Type, c.Name)
		c.Id = base
		for i := 2; ; i++ {
			if existing, _ := app.FindCollectionByNameOrId(c.Id); existing == nil || existing == c {
				break
			}
			c.Id = fmt.Sprintf("%s%d", base, i)
		}
	}
	if c.Indexes == nil {
		c.Indexes = []string{}
	}
	if c.Type != CollectionTypeView {
		if c.Fields.GetByName(FieldId) == nil {
			c.Fields = append(FieldsList{NewIdField()}, c.Fields...)
		}
	}
	if c.IsAuth() {
		if c.Auth == nil {
			c.Auth = DefaultAuthOptions()
		}
		for _, sf := range NewAuthSystemFields() {
			if c.Fields.GetByName(sf.GetName()) == nil {
				c.Fields = append(c.Fields, sf)
			}
		}
		c.Auth.fillSecrets()
		// Replace our own auto indexes (their names carry the id) so a
		// rename keeps them pointing at the right table.
		kept := c.Indexes[:0:0]
		for _, idx := range c.Indexes {
			if strings.Contains(idx, "idx_tokenKey_"+c.Id) || strings.Contains(idx, "idx_email_"+c.Id) {
				continue
			}
			kept = append(kept, idx)
		}
		c.Indexes = append(authIndexes(c), kept...)
	}
	seen := map[string]int{}
	for _, f := range c.Fields {
		if f.GetId() == "" {
			id := DefaultFieldId(f.Type(), f.GetName())
			if n := seen[id]; n > 0 {
				id = fmt.Sprintf("%s%d", id, n+1)
			}
			f.SetId(id)
		}
		seen[f.GetId()]++
	}
}

func (o *AuthOptions) fillSecrets() {
	for _, t := range []*TokenConfig{&o.AuthToken, &o.PasswordResetToken, &o.EmailChangeToken, &o.VerificationToken, &o.FileToken} {
		if t.Secret == "" {
			t.Secret = RandomToken(50)
		}
	}
	if o.OAuth2.Providers == nil {
		o.OAuth2.Providers = []OAuth2ProviderConfig{}
	}
	if o.PasswordAuth.IdentityFields == nil {
		o.PasswordAuth.IdentityFields = []string{}
	}
}
