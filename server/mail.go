package server

import (
	"context"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/mail"
)

// Mailer adapts a mail transport to core.Mailer: core's message (a
// rendered HTML fragment) is wrapped in the mail layout, gets its plain
// text alternative from the transport, and is delivered within
// core.MailTimeout through a mail.Queue so a transport that ignores its
// ctx still cannot hold the caller.
type Mailer struct {
	// Transport picks the transport for each mail; it is called per mail
	// so settings changes (SMTP on/off, host) apply at once.
	Transport func() mail.Mailer
}

var _ core.Mailer = (*Mailer)(nil)

// Send converts m and delivers it.
func (m *Mailer) Send(ctx context.Context, msg *core.MailMessage) error {
	out := &mail.Message{
		From:    mail.Address{Name: msg.From.Name, Email: msg.From.Email},
		Subject: msg.Subject,
		HTML:    mail.Layout(msg.HTML),
		Headers: msg.Headers,
	}
	for _, to := range msg.To {
		out.To = append(out.To, mail.Address{Name: to.Name, Email: to.Email})
	}
	q := &mail.Queue{Mailer: m.Transport(), Timeout: core.MailTimeout}
	return q.Send(ctx, out)
}

// NewMailer returns a core.Mailer that always delivers through t (tests
// pass a *mail.Capture).
func NewMailer(t mail.Mailer) *Mailer {
	return &Mailer{Transport: func() mail.Mailer { return t }}
}

// settingsMailer returns the production mailer: SMTP from the app's
// settings when enabled, else the local sendmail binary (spec §10.7).
func settingsMailer(app *core.App) *Mailer {
	return &Mailer{Transport: func() mail.Mailer {
		s := app.Settings().SMTP
		if !s.Enabled {
			return &mail.Sendmail{Timeout: core.MailTimeout}
		}
		return &mail.SMTP{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password,
			AuthMethod: s.AuthMethod, TLS: s.TLS, LocalName: s.LocalName, Timeout: core.MailTimeout}
	}}
}
