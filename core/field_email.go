package core

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func init() {
	RegisterFieldType("email", func() Field { return &EmailField{} })
}

// EmailField holds an e-mail address.
type EmailField struct {
	BaseField
	// ExceptDomains rejects addresses of these domains.
	ExceptDomains []string `json:"exceptDomains"`
	// OnlyDomains accepts only addresses of these domains; it cannot be
	// combined with ExceptDomains.
	OnlyDomains []string `json:"onlyDomains"`
	Required    bool     `json:"required"`
}

var _ Field = (*EmailField)(nil)

// Type returns "email".
func (f *EmailField) Type() string { return "email" }

// ColumnType is ColumnText.
func (f *EmailField) ColumnType() ColumnType { return ColumnText }

// Normalize casts the input to a string.
func (f *EmailField) Normalize(raw any) any { return inputString(raw) }

// FromDB returns the column text.
func (f *EmailField) FromDB(v any) any { return toString(v) }

// ToDB returns the string.
func (f *EmailField) ToDB(v any) any { return toString(v) }

// emailRe is the WHATWG HTML "valid e-mail address" syntax, the same
// shape the validator library PocketBase uses accepts.
var emailRe = regexp.MustCompile(`^[a-zA-Z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$`)

// IsEmail reports whether s is a syntactically valid e-mail address (no
// DNS lookup), as the email field validates it.
func IsEmail(s string) bool {
	return len(s) <= 254 && emailRe.MatchString(s)
}

// ValidateValue checks required, the address format and the domain lists.
func (f *EmailField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	v := toString(r.Get(f.Name))
	if v == "" {
		if f.Required {
			return ErrRequired()
		}
		return nil
	}
	if !IsEmail(v) {
		return NewFieldError("validation_is_email", "Must be a valid email address.", nil)
	}
	domain := v[strings.LastIndexByte(v, '@')+1:]
	if !domainAllowed(domain, f.ExceptDomains, f.OnlyDomains) {
		return NewFieldError("validation_email_domain_not_allowed", "Email domain is not allowed.", nil)
	}
	return nil
}

// ValidateSettings checks the domain lists: valid domains, and only one
// of the two lists set.
func (f *EmailField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	return validateDomainLists(f.ExceptDomains, f.OnlyDomains)
}

// domainAllowed compares case-insensitively, as domains are.
func domainAllowed(domain string, except, only []string) bool {
	in := func(list []string) bool {
		return slices.ContainsFunc(list, func(d string) bool { return strings.EqualFold(d, domain) })
	}
	if len(except) > 0 && in(except) {
		return false
	}
	return len(only) == 0 || in(only)
}

var domainRe = regexp.MustCompile(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))*$`)

func validateDomainLists(except, only []string) error {
	errs := ValidationErrors{}
	each := func(key string, list, other []string) {
		if len(list) > 0 && len(other) > 0 {
			errs[key] = NewFieldError("validation_empty", "Must be blank.", nil)
			return
		}
		items := ValidationErrors{}
		for i, d := range list {
			if len(d) > 253 || !domainRe.MatchString(d) {
				items[strconv.Itoa(i)] = NewFieldError("validation_is_domain", "Must be a valid domain.", nil)
			}
		}
		if len(items) > 0 {
			errs[key] = items
		}
	}
	each("exceptDomains", except, only)
	each("onlyDomains", only, except)
	return errs.Filter()
}
