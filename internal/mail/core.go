package mail

import (
	"context"

	"github.com/basalthq/basalt/core"
)

// CoreMailer adapts a transport to core.Mailer: core's message (a
// rendered HTML fragment) is wrapped in the mail layout, gets its plain
// text alternative from the transport, and is delivered within
// core.MailTimeout through a Queue so a transport that ignores its ctx
// still cannot hold the caller.
type CoreMailer struct {
	// Transport picks the transport for each mail; it is called per mail
	// so settings changes (SMTP on/off, host) apply at once.
	Transport func() Mailer
}

var _ core.Mailer = (*CoreMailer)(nil)

// Send converts msg and delivers it.
func (m *CoreMailer) Send(ctx context.Context, msg *core.MailMessage) error {
	out := &Message{
		From:    Address{Name: msg.From.Name, Email: msg.From.Email},
		Subject: msg.Subject,
		HTML:    Layout(msg.HTML),
		Headers: msg.Headers,
	}
	for _, to := range msg.To {
		out.To = append(out.To, Address{Name: to.Name, Email: to.Email})
	}
	q := &Queue{Mailer: m.Transport(), Timeout: core.MailTimeout}
	return q.Send(ctx, out)
}

// NewCoreMailer returns a core.Mailer that always delivers through t
// (tests pass a *Capture).
func NewCoreMailer(t Mailer) *CoreMailer {
	return &CoreMailer{Transport: func() Mailer { return t }}
}
