package mail

import (
	"encoding/json"
	"fmt"
	"html"
	"strings"
	"time"
)

// Template is an e-mail template as stored in an auth collection's options
// (spec §5.6): Subject is plain text and Body an HTML fragment, both holding
// {PLACEHOLDER}s that Render fills in.
type Template struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Params are the values of the template placeholders (spec §5.6).
type Params struct {
	AppName   string // {APP_NAME}
	AppURL    string // {APP_URL}; a trailing "/" is dropped so links never hold "//_/"
	Token     string // {TOKEN}: verification, password-reset or e-mail-change token
	OTP       string // {OTP}: the one-time password
	OTPID     string // {OTP_ID}
	AlertInfo string // {ALERT_INFO}; see FormatAlertInfo
	// Record holds the auth record's non-hidden fields for {RECORD:<name>}.
	// Strings, numbers and bools print as such, nil as "", anything else
	// as JSON. The caller leaves hidden fields out: a placeholder with no
	// entry stays in the text untouched.
	Record map[string]any
}

// Render fills t's placeholders with p in a single pass, so a value that
// itself looks like a placeholder is never expanded. Values are HTML-escaped
// in the body; in the subject, which is plain text, control characters are
// replaced by spaces so a record value cannot break the Subject header.
// Unknown placeholders are left as they are. The body is not wrapped in a
// layout; see Layout.
func Render(t Template, p Params) (subject, body string) {
	p.AppURL = strings.TrimRight(p.AppURL, "/")
	subject = replacePlaceholders(t.Subject, p, func(s string) string { return s })
	subject = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, subject)
	return subject, replacePlaceholders(t.Body, p, html.EscapeString)
}

func replacePlaceholders(s string, p Params, escape func(string) string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(s[:open])
		if v, ok := p.lookup(s[open+1 : open+end]); ok {
			b.WriteString(escape(v))
			s = s[open+end+1:]
		} else {
			// Not ours: keep the "{" and rescan after it, so "{{TOKEN}" works.
			b.WriteByte('{')
			s = s[open+1:]
		}
	}
	b.WriteString(s)
	return b.String()
}

func (p Params) lookup(key string) (string, bool) {
	switch key {
	case "APP_NAME":
		return p.AppName, true
	case "APP_URL":
		return p.AppURL, true
	case "TOKEN":
		return p.Token, true
	case "OTP":
		return p.OTP, true
	case "OTP_ID":
		return p.OTPID, true
	case "ALERT_INFO":
		return p.AlertInfo, true
	}
	if name, ok := strings.CutPrefix(key, "RECORD:"); ok {
		if v, ok := p.Record[name]; ok {
			return stringify(v), true
		}
	}
	return "", false
}

func stringify(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// FormatAlertInfo formats the {ALERT_INFO} value of the login alert (spec
// §5.6): "<UTC datetime> - <IP> <user agent>", the datetime in the API's
// timestamp layout.
func FormatAlertInfo(at time.Time, ip, userAgent string) string {
	return at.UTC().Format("2006-01-02 15:04:05.000Z") + " - " + ip + " " + userAgent
}

// The default templates of a new auth collection. The subjects match
// PocketBase's so settings look the same to clients; the bodies are our own
// wording. The links open the admin dashboard's confirmation pages, as
// PocketBase does (spec §5.6). Treat them as constants.
var (
	// DefaultVerificationTemplate asks a new user to confirm their address.
	DefaultVerificationTemplate = Template{
		Subject: "Verify your {APP_NAME} email",
		Body: `<p>Hi,</p>
<p>Please confirm that this address belongs to you to finish setting up your {APP_NAME} account.</p>
<p><a class="btn" href="{APP_URL}/_/#/auth/confirm-verification/{TOKEN}" target="_blank" rel="noopener">Confirm my email</a></p>
<p><i>Did not sign up? Nothing to do — without confirmation the address stays unverified.</i></p>
<p>The {APP_NAME} team</p>`,
	}

	// DefaultResetPasswordTemplate carries a password-reset link.
	DefaultResetPasswordTemplate = Template{
		Subject: "Reset your {APP_NAME} password",
		Body: `<p>Hi,</p>
<p>Someone asked to reset the password of your {APP_NAME} account. Use the button below to choose a new one.</p>
<p><a class="btn" href="{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}" target="_blank" rel="noopener">Choose a new password</a></p>
<p><i>If it was not you, ignore this email: your current password keeps working.</i></p>
<p>The {APP_NAME} team</p>`,
	}

	// DefaultConfirmEmailChangeTemplate is sent to the new address to
	// confirm an e-mail change.
	DefaultConfirmEmailChangeTemplate = Template{
		Subject: "Confirm your {APP_NAME} new email address",
		Body: `<p>Hi,</p>
<p>Your {APP_NAME} account is about to use this address. Confirm the change with the button below.</p>
<p><a class="btn" href="{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}" target="_blank" rel="noopener">Use this email address</a></p>
<p><i>Not expecting this? Ignore this email and the account keeps its current address.</i></p>
<p>The {APP_NAME} team</p>`,
	}

	// DefaultOTPTemplate carries a one-time password.
	DefaultOTPTemplate = Template{
		Subject: "OTP for {APP_NAME}",
		Body: `<p>Hi,</p>
<p>Here is your one-time password to sign in to {APP_NAME}:</p>
<p class="code"><strong>{OTP}</strong></p>
<p><i>It expires shortly. If you did not ask for it, ignore this email; nobody can sign in without the code.</i></p>
<p>The {APP_NAME} team</p>`,
	}

	// DefaultAuthAlertTemplate warns about a login from an unknown device
	// or network (spec §6.6).
	DefaultAuthAlertTemplate = Template{
		Subject: "Login from a new location",
		Body: `<p>Hi,</p>
<p>Your {APP_NAME} account was just signed in to from a device or network we had not seen before:</p>
<p><strong>{ALERT_INFO}</strong></p>
<p>If that was you, there is nothing to do.</p>
<p>If it was not, change your {APP_NAME} password right away: doing so signs out every other session.</p>
<p>The {APP_NAME} team</p>`,
	}
)

// Layout wraps a rendered template body in a minimal standalone HTML
// document with inline styles (mail clients ignore external CSS). body is
// trusted HTML and is not escaped; the text alternative is generated from
// the result, skipping the head.
func Layout(body string) string {
	return layoutHead + body + layoutFoot
}

const layoutHead = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { margin: 0; padding: 0; background: #f4f5f7; color: #1f2933; font: 15px/1.5 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
.wrapper { padding: 24px 12px; }
.content { max-width: 560px; margin: 0 auto; padding: 24px 28px; background: #ffffff; border-radius: 6px; }
a { color: #1a5fb4; }
.btn { display: inline-block; padding: 10px 18px; background: #1f2933; color: #ffffff !important; text-decoration: none; border-radius: 4px; }
.code { font-size: 22px; letter-spacing: 3px; }
i { color: #616e7c; }
</style>
</head>
<body>
<div class="wrapper">
<div class="content">
`

const layoutFoot = `
</div>
</div>
</body>
</html>
`
