package testenv

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/mail"
)

// MailCapture is the capture mailer type, re-exported so API tests can
// hold one without importing internal/mail (DESIGN §3 forbids that edge).
type MailCapture = mail.Capture

// CaptureMail returns a func(app *core.App) error that installs a capture mailer on
// the app, so tests read the mails the server sends (rendered exactly as
// the SMTP transport would get them). then, when not nil, runs afterwards
// (e.g. the build's own hooks).
func CaptureMail(c *mail.Capture, then func(app *core.App) error) func(app *core.App) error {
	return func(app *core.App) error {
		app.SetMailer(mail.NewCoreMailer(c))
		if then != nil {
			return then(app)
		}
		return nil
	}
}

// StartServerWithMail is StartServer with a capture mailer installed.
func StartServerWithMail(t testing.TB, register ...func(app *core.App) error) (*Server, *mail.Capture) {
	t.Helper()
	c := &mail.Capture{}
	var then func(app *core.App) error
	if len(register) > 0 {
		then = register[0]
	}
	return StartServer(t, CaptureMail(c, then)), c
}

// WaitMail waits (at most 5 s) until the capture holds n messages and
// returns the n-th (1-based), failing the test otherwise.
func WaitMail(t testing.TB, c *mail.Capture, n int) mail.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msgs, err := c.Wait(ctx, n)
	if err != nil {
		t.Fatalf("wait for mail %d: %v", n, err)
	}
	return msgs[n-1]
}

var tokenInLink = regexp.MustCompile(`/auth/confirm-[a-z-]+/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)`)

// MailToken extracts the JWT of a verification, password-reset or
// e-mail-change link from a captured mail ("" when there is none).
func MailToken(m mail.Message) string {
	if sm := tokenInLink.FindStringSubmatch(m.HTML); sm != nil {
		return sm[1]
	}
	return ""
}
