package mail

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
)

// Mailer delivers one message. Implementations must honour ctx: a cancelled
// or expired ctx makes Send return promptly with an error wrapping ctx.Err().
type Mailer interface {
	Send(ctx context.Context, m *Message) error
}

// ErrInvalidMessage is wrapped by every error that rejects a message before
// any delivery is attempted: missing or malformed addresses, and line breaks
// or control characters that would allow header injection.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Address is one mailbox: an optional display name and an e-mail address.
type Address struct {
	Name  string
	Email string
}

// String formats a as an RFC 5322 mailbox: `"Display Name" <user@host>`,
// with the name quoted when it holds specials and RFC 2047 encoded when it
// holds non-ASCII characters; `<user@host>` when there is no name. It does
// not validate a; Message.Validate does.
func (a Address) String() string {
	// net/mail already implements the quoting and encoded-word rules
	// correctly; re-implementing them would only add bugs.
	return (&mail.Address{Name: a.Name, Address: a.Email}).String()
}

// validate reports why a cannot be put in a header or an SMTP envelope.
func (a Address) validate(field string) error {
	if a.Email == "" {
		return fmt.Errorf("%w: %s: empty e-mail address", ErrInvalidMessage, field)
	}
	if hasControl(a.Name) || hasControl(a.Email) {
		return fmt.Errorf("%w: %s: control character or line break in address", ErrInvalidMessage, field)
	}
	for i := 0; i < len(a.Email); i++ {
		// Non-ASCII addresses would need SMTPUTF8 and IDNA, which we do not
		// implement; failing loudly beats a server rejecting the message later.
		if a.Email[i] >= 0x80 {
			return fmt.Errorf("%w: %s: non-ASCII e-mail address %q", ErrInvalidMessage, field, a.Email)
		}
	}
	parsed, err := mail.ParseAddress(a.Email)
	if err != nil || parsed.Name != "" || parsed.Address != a.Email {
		return fmt.Errorf("%w: %s: malformed e-mail address %q", ErrInvalidMessage, field, a.Email)
	}
	return nil
}

// Message is one e-mail. HTML is the preferred body; Text is its plain-text
// alternative and is generated from HTML (HTMLToText) when empty. Headers
// holds extra headers (e.g. Reply-To, List-Unsubscribe); it may override the
// generated Date and Message-ID but not the structural headers (From, To,
// Subject, MIME-Version, Content-*).
type Message struct {
	From    Address
	To      []Address
	Subject string
	HTML    string
	Text    string
	Headers map[string]string
}

// reservedHeaders are built from the Message fields; letting Headers set
// them would produce duplicate or contradictory headers.
var reservedHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Subject": true,
	"Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true,
}

// Validate reports whether m can be sent safely: a valid From, at least one
// valid To, and no CR, LF or other control character in any address, the
// subject or a header. Errors wrap ErrInvalidMessage. Every Mailer in this
// package validates before sending.
func (m *Message) Validate() error {
	if m == nil {
		return fmt.Errorf("%w: nil message", ErrInvalidMessage)
	}
	if err := m.From.validate("from"); err != nil {
		return err
	}
	if len(m.To) == 0 {
		return fmt.Errorf("%w: no recipient", ErrInvalidMessage)
	}
	for i, a := range m.To {
		if err := a.validate(fmt.Sprintf("to[%d]", i)); err != nil {
			return err
		}
	}
	if hasControl(m.Subject) {
		return fmt.Errorf("%w: control character or line break in subject", ErrInvalidMessage)
	}
	for k, v := range m.Headers {
		if !isToken(k) {
			return fmt.Errorf("%w: malformed header name %q", ErrInvalidMessage, k)
		}
		if reservedHeaders[textproto.CanonicalMIMEHeaderKey(k)] {
			return fmt.Errorf("%w: header %q is set from the message fields", ErrInvalidMessage, k)
		}
		if hasControl(v) {
			return fmt.Errorf("%w: control character or line break in header %q", ErrInvalidMessage, k)
		}
	}
	return nil
}

// clone returns a deep copy of m, so a queued message is immune to later
// changes by the caller.
func (m *Message) clone() *Message {
	c := *m
	c.To = slices.Clone(m.To)
	c.Headers = maps.Clone(m.Headers)
	return &c
}

// recipients returns the bare e-mail addresses of m.To, for envelopes and logs.
func (m *Message) recipients() []string {
	out := make([]string, len(m.To))
	for i, a := range m.To {
		out[i] = a.Email
	}
	return out
}

// hasControl reports whether s holds an ASCII control character (CR and LF
// included, TAB excluded). Rejecting them, rather than stripping them, makes
// header injection attempts visible to the caller.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return (r < 0x20 && r != '\t') || r == 0x7f
	}) >= 0
}

// isToken reports whether s is a valid header field name (RFC 5322 ftext).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}
