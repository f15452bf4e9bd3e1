package core

import (
	"context"
	"net"
	"net/url"
	"strings"
)

func init() {
	RegisterFieldType("url", func() Field { return &URLField{} })
}

// URLField holds an absolute URL.
type URLField struct {
	BaseField
	// ExceptDomains rejects URLs whose host is one of these.
	ExceptDomains []string `json:"exceptDomains"`
	// OnlyDomains accepts only URLs whose host is one of these; it cannot
	// be combined with ExceptDomains.
	OnlyDomains []string `json:"onlyDomains"`
	Required    bool     `json:"required"`
}

var _ Field = (*URLField)(nil)

// Type returns "url".
func (f *URLField) Type() string { return "url" }

// ColumnType is ColumnText.
func (f *URLField) ColumnType() ColumnType { return ColumnText }

// Normalize casts the input to a string.
func (f *URLField) Normalize(raw any) any { return inputString(raw) }

// FromDB returns the column text.
func (f *URLField) FromDB(v any) any { return toString(v) }

// ToDB returns the string.
func (f *URLField) ToDB(v any) any { return toString(v) }

// urlSchemes are the schemes a URL field accepts: those of the validator
// PocketBase uses (http(s), ws(s), ftp, tcp, udp). Anything else —
// javascript:, data:, vbscript: — is refused, so a stored URL is safe to
// render as a link in any client (issue #22).
var urlSchemes = map[string]bool{"http": true, "https": true, "ws": true, "wss": true, "ftp": true, "tcp": true, "udp": true}

// urlHost returns the host of a valid URL and ok=false for invalid ones.
// It requires an allowed scheme and a host that is an IP, "localhost" or
// a dotted DNS name, which is what users mean by "a url" in a form.
func urlHost(s string) (string, bool) {
	if strings.ContainsAny(s, " \t\r\n") {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || !urlSchemes[strings.ToLower(u.Scheme)] || u.Host == "" || u.Opaque != "" {
		return "", false
	}
	host := u.Hostname()
	if host == "" {
		return "", false
	}
	if net.ParseIP(host) != nil || strings.EqualFold(host, "localhost") {
		return host, true
	}
	if !strings.Contains(host, ".") || len(host) > 253 || !domainRe.MatchString(host) {
		return "", false
	}
	return host, true
}

// ValidateValue checks required, the URL format and the host lists.
func (f *URLField) ValidateValue(ctx context.Context, app *App, r *Record) error {
	v := toString(r.Get(f.Name))
	if v == "" {
		if f.Required {
			return ErrRequired()
		}
		return nil
	}
	host, ok := urlHost(v)
	if !ok {
		return NewFieldError("validation_invalid_url", "Must be a valid url.", nil)
	}
	if !domainAllowed(host, f.ExceptDomains, f.OnlyDomains) {
		return NewFieldError("validation_url_domain_not_allowed", "Url domain is not allowed.", nil)
	}
	return nil
}

// ValidateSettings checks the domain lists like the email field's.
func (f *URLField) ValidateSettings(ctx context.Context, app *App, c *Collection) error {
	return validateDomainLists(f.ExceptDomains, f.OnlyDomains)
}
