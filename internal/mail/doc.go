// Package mail sends Basalt's e-mails and renders the auth e-mail templates.
//
// A Mailer delivers one Message. SMTP talks to a mail server (implicit TLS
// or STARTTLS, PLAIN/LOGIN auth, credentials never in clear text except to
// localhost) and Sendmail pipes to the local sendmail binary, the two
// transports of spec §10.7. Capture records messages for tests. Queue wraps
// any Mailer so that mails sent after a transaction commits go out in the
// background with a bounded timeout and recovered panics, and synchronous
// mails never hold a request beyond a bound.
//
// Every message is validated before it leaves (Message.Validate): CR, LF and
// other control characters in addresses, subject and headers are rejected
// rather than stripped, so header injection fails loudly. Messages are
// encoded as MIME multipart/alternative with a plain-text part generated
// from the HTML (HTMLToText) when none is given.
//
// Templates hold the auth mails of spec §5.6 (verification, password reset,
// e-mail change, OTP, login alert); Render fills their {PLACEHOLDERS},
// HTML-escaping values in the body, and Layout wraps a body in a simple
// HTML document.
//
// The package imports nothing of Basalt's own; the server adapts core's
// settings and records to these types.
package mail
