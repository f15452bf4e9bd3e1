package server

import (
	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/mail"
)

// settingsMailer returns the production mailer: SMTP from the app's
// settings when enabled, else the local sendmail binary (spec §10.7).
func settingsMailer(app *core.App) *mail.CoreMailer {
	return &mail.CoreMailer{Transport: func() mail.Mailer {
		s := app.Settings().SMTP
		if !s.Enabled {
			return &mail.Sendmail{Timeout: core.MailTimeout}
		}
		return &mail.SMTP{Host: s.Host, Port: s.Port, Username: s.Username, Password: s.Password,
			AuthMethod: s.AuthMethod, TLS: s.TLS, LocalName: s.LocalName, Timeout: core.MailTimeout}
	}}
}
