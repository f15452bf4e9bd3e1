package core

import (
	"context"
	"errors"
	"fmt"
	"html"
	"runtime/debug"
	"strings"
	"time"

	"github.com/basalthq/basalt/core/hook"
	"github.com/basalthq/basalt/core/telemetry"
)

// Mail in core (spec §10.7). core renders the auth templates itself (a
// tiny single-pass placeholder replacer, RenderEmailTemplate) and hands a
// neutral MailMessage to a Mailer; the server adapts that to its SMTP /
// sendmail transports, wraps the HTML in a layout and adds the text
// alternative. Rendering here rather than in the transport lets
// OnMailerSend handlers see and change the final subject and body.

// MailAddress is one mailbox.
type MailAddress struct {
	Name  string
	Email string
}

// MailMessage is one e-mail as core builds it. HTML is a body fragment;
// the transport may wrap it in a layout. From empty means the settings'
// sender (meta.senderName / meta.senderAddress).
type MailMessage struct {
	From    MailAddress
	To      []MailAddress
	Subject string
	HTML    string
	Headers map[string]string
}

// Mailer delivers mails. Send must honour ctx and return promptly when it
// ends; App.SendMail bounds every call with MailTimeout.
type Mailer interface {
	Send(ctx context.Context, m *MailMessage) error
}

// MailTimeout bounds one delivery, synchronous or in the background, so a
// slow mail server never holds a request beyond it (spec §6.6: the login
// alert waits at most 15 s).
const MailTimeout = 15 * time.Second

// ErrNoMailer is returned by SendMail when no Mailer is installed.
var ErrNoMailer = errors.New("mail: no mailer configured")

// SetMailer installs the mailer (the server does it at start-up; tests
// install a capture).
func (app *App) SetMailer(m Mailer) {
	x := app.extras()
	x.mailMu.Lock()
	x.mailer = m
	x.mailMu.Unlock()
}

// Mailer returns the installed mailer, or nil.
func (app *App) Mailer() Mailer {
	x := app.extras()
	x.mailMu.RLock()
	defer x.mailMu.RUnlock()
	return x.mailer
}

// SendMail runs OnMailerSend for m and, unless a handler stops the chain,
// delivers it, waiting at most MailTimeout. An empty From is filled from
// the settings.
func (app *App) SendMail(ctx context.Context, m *MailMessage) error {
	if m.From.Email == "" {
		meta := app.Settings().Meta
		m.From = MailAddress{Name: meta.SenderName, Email: meta.SenderAddress}
	}
	e := &MailerEvent{App: app, Message: m}
	return app.extras().hooks.mailerSend.Trigger(e, func(e *MailerEvent) error {
		mailer := app.Mailer()
		if mailer == nil {
			return ErrNoMailer
		}
		ctx, span := telemetry.Start(ctx, "mail.send")
		err := app.sendWithTimeout(ctx, mailer, e.Message)
		telemetry.End(span, err)
		app.metrics.Mail(err)
		return err
	})
}

// sendWithTimeout delivers m through mailer, waiting at most MailTimeout.
func (app *App) sendWithTimeout(ctx context.Context, mailer Mailer, m *MailMessage) error {
	ctx, cancel := context.WithTimeout(ctx, MailTimeout)
	defer cancel()
	res := make(chan error, 1) // buffered: a late result must not leak the goroutine
	go func() {
		defer func() {
			if r := recover(); r != nil {
				app.logger.Error("mailer panicked", "panic", r, "stack", string(debug.Stack()))
				res <- fmt.Errorf("mail: mailer panicked: %v", r)
			}
		}()
		res <- mailer.Send(ctx, m)
	}()
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return fmt.Errorf("mail: send: %w", ctx.Err())
	}
}

// SendRecordMail runs the record mail hook of kind (Mail* constants) and
// then SendMail. meta is passed to the hook.
func (app *App) SendRecordMail(ctx context.Context, kind string, r *Record, m *MailMessage, meta map[string]any) error {
	h, ok := app.extras().hooks.mailerRecord[kind]
	if !ok {
		return fmt.Errorf("mail: unknown kind %q", kind)
	}
	e := &MailerRecordEvent{MailerEvent: MailerEvent{App: app, Message: m}, Record: r, Meta: meta}
	return h.Trigger(e, func(e *MailerRecordEvent) error {
		return app.SendMail(ctx, e.Message)
	})
}

// GoMail runs fn in the background after the caller's request: ctx's values
// are kept, its cancellation is not, fn is bounded by MailTimeout (plus
// queueing behind at most four concurrent background mails), and a panic
// is logged instead of crashing the process. done, when not nil, gets
// fn's error. Used for the asynchronous auth mails (spec §10.7).
func (app *App) GoMail(ctx context.Context, fn func(ctx context.Context) error, done func(error)) {
	x := app.extras()
	base := context.WithoutCancel(ctx)
	go func() {
		var err error
		defer func() {
			if r := recover(); r != nil {
				app.logger.Error("background mail panicked", "panic", r, "stack", string(debug.Stack()))
				err = fmt.Errorf("mail: panic: %v", r)
			}
			if err != nil {
				app.logger.Error("background mail failed", "err", err)
			}
			if done != nil {
				func() {
					defer func() {
						if r := recover(); r != nil {
							app.logger.Error("mail callback panicked", "panic", r)
						}
					}()
					done(err)
				}()
			}
		}()
		x.mailSlots <- struct{}{}
		defer func() { <-x.mailSlots }()
		ctx, cancel := context.WithTimeout(base, MailTimeout)
		defer cancel()
		err = fn(ctx)
	}()
}

// MailParams are the values of the template placeholders of spec §5.6.
type MailParams struct {
	AppName   string // {APP_NAME}
	AppURL    string // {APP_URL}; a trailing "/" is dropped
	Token     string // {TOKEN}
	OTP       string // {OTP}
	OTPId     string // {OTP_ID}
	AlertInfo string // {ALERT_INFO}
	// Record holds {RECORD:<field>} values; the caller leaves hidden
	// fields out, so such placeholders stay untouched.
	Record map[string]any
}

// RecordMailParams returns MailParams with the app name/URL from the
// settings and the non-hidden fields of r.
func (app *App) RecordMailParams(r *Record) MailParams {
	meta := app.Settings().Meta
	p := MailParams{AppName: meta.AppName, AppURL: meta.AppURL, Record: map[string]any{}}
	if r != nil {
		for _, f := range r.Collection().Fields {
			if f.GetHidden() {
				continue
			}
			p.Record[f.GetName()] = r.Get(f.GetName())
		}
	}
	return p
}

// RenderEmailTemplate fills t's placeholders in one pass (so a value that
// looks like a placeholder is never expanded again). Values are
// HTML-escaped in the body; in the subject control characters become
// spaces so a record value cannot break the header. Unknown placeholders
// are kept.
func RenderEmailTemplate(t EmailTemplate, p MailParams) (subject, body string) {
	p.AppURL = strings.TrimRight(p.AppURL, "/")
	subject = fillPlaceholders(t.Subject, p, func(s string) string { return s })
	subject = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, subject)
	return subject, fillPlaceholders(t.Body, p, html.EscapeString)
}

func fillPlaceholders(s string, p MailParams, escape func(string) string) string {
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
			b.WriteByte('{')
			s = s[open+1:]
		}
	}
	b.WriteString(s)
	return b.String()
}

func (p MailParams) lookup(key string) (string, bool) {
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
		return p.OTPId, true
	case "ALERT_INFO":
		return p.AlertInfo, true
	}
	if name, ok := strings.CutPrefix(key, "RECORD:"); ok {
		if v, ok := p.Record[name]; ok {
			return ToString(v), true
		}
	}
	return "", false
}

var _ hook.Resolver = (*MailerEvent)(nil)
