package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds one delivery (dial, TLS, SMTP dialogue) when a
// mailer or Queue has no Timeout of its own.
const DefaultTimeout = 30 * time.Second

// The values of SMTP.AuthMethod (spec §1.9 settings.smtp.authMethod).
const (
	// AuthAuto uses PLAIN when the server offers it, else LOGIN.
	AuthAuto = ""
	// AuthPlain is the PLAIN mechanism of RFC 4616.
	AuthPlain = "PLAIN"
	// AuthLogin is the de-facto LOGIN mechanism (Outlook, older Exchange),
	// which net/smtp lacks.
	AuthLogin = "LOGIN"
)

// SMTP delivers mail through an SMTP server (spec §10.7). The zero value is
// not usable: Host is required. Credentials are only sent over TLS or to
// localhost, as net/smtp's PLAIN rule demands, so a misconfigured server
// cannot make us leak the password in clear text.
type SMTP struct {
	// Host is the server name, also used to verify its TLS certificate.
	Host string
	// Port defaults to 465 when TLS is true, 587 otherwise.
	Port int
	// Username and Password enable AUTH when either is set.
	Username string
	Password string
	// AuthMethod is AuthAuto (""), AuthPlain or AuthLogin.
	AuthMethod string
	// TLS true means implicit TLS from the first byte (SMTPS); false means
	// a plain connection upgraded with STARTTLS when the server offers it.
	TLS bool
	// LocalName is the name sent with EHLO/HELO; default "localhost".
	LocalName string
	// Timeout bounds the whole delivery, dial included; default
	// DefaultTimeout. A shorter ctx deadline wins.
	Timeout time.Duration
	// TLSConfig, when set, is cloned for TLS and STARTTLS (ServerName
	// defaults to Host); nil means the system roots and TLS 1.2+.
	TLSConfig *tls.Config
	// Now supplies the Date header; default time.Now.
	Now func() time.Time
	// Rand supplies Message-ID and MIME boundaries; default crypto/rand.
	Rand io.Reader

	// dial replaces the TCP dialer in tests, so a server on 127.0.0.1 can
	// be reached under a non-localhost Host name.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

var _ Mailer = (*SMTP)(nil)

// Send delivers m to every recipient in one SMTP transaction. It returns
// once the server accepted the message data, within Timeout or ctx's
// deadline, whichever comes first; errors wrap ctx.Err() when that bound or
// a cancellation cut the dialogue short.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	raw, err := m.encode(nowOr(s.Now), s.Rand)
	if err != nil {
		return err
	}
	if s.Host == "" {
		return errors.New("mail: smtp: no host configured")
	}
	switch strings.ToUpper(s.AuthMethod) {
	case AuthAuto, AuthPlain, AuthLogin:
	default:
		return fmt.Errorf("mail: smtp: unknown auth method %q", s.AuthMethod)
	}

	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	conn, err := s.connect(ctx)
	if err != nil {
		return s.fail(ctx, "connect", err)
	}
	defer conn.Close()
	// net/smtp has no context support: a connection deadline bounds every
	// read and write, and cancellation forces that deadline into the past.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if err := s.deliver(conn, m, raw); err != nil {
		return s.fail(ctx, "send", err)
	}
	return nil
}

// fail wraps err with the stage, and with ctx.Err() when the timeout or a
// cancellation is the real cause (the I/O error is then just a symptom).
func (s *SMTP) fail(ctx context.Context, stage string, err error) error {
	ctxErr := ctx.Err()
	if dl, ok := ctx.Deadline(); ok && ctxErr == nil && !time.Now().Before(dl) {
		// The connection deadline equals ctx's and may fire a moment
		// before ctx's own timer marks it done.
		ctxErr = context.DeadlineExceeded
	}
	if ctxErr != nil {
		return fmt.Errorf("mail: smtp %s %s: %w (%v)", stage, s.addr(), ctxErr, err)
	}
	return fmt.Errorf("mail: smtp %s %s: %w", stage, s.addr(), err)
}

func (s *SMTP) addr() string {
	port := s.Port
	if port == 0 {
		port = 587
		if s.TLS {
			port = 465
		}
	}
	return net.JoinHostPort(s.Host, strconv.Itoa(port))
}

func (s *SMTP) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = s.Host
	}
	return cfg
}

// connect dials the server and, for implicit TLS, completes the handshake.
func (s *SMTP) connect(ctx context.Context) (net.Conn, error) {
	dial := s.dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	conn, err := dial(ctx, "tcp", s.addr())
	if err != nil {
		return nil, err
	}
	if !s.TLS {
		return conn, nil
	}
	tc := tls.Client(conn, s.tlsConfig())
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// deliver runs the SMTP dialogue on conn.
func (s *SMTP) deliver(conn net.Conn, m *Message, raw []byte) error {
	// The server name given to NewClient is what PlainAuth and loginAuth
	// check for "localhost" when the connection is not encrypted.
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	if s.LocalName != "" {
		if err := c.Hello(s.LocalName); err != nil {
			return err
		}
	}
	if !s.TLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			// No fallback to plain text when the upgrade fails: that
			// would let an attacker strip TLS by breaking the handshake.
			if err := c.StartTLS(s.tlsConfig()); err != nil {
				return fmt.Errorf("starttls: %w", err)
			}
		}
	}
	if s.Username != "" || s.Password != "" {
		if err := c.Auth(s.auth(c)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(m.From.Email); err != nil {
		return err
	}
	for _, to := range m.To {
		if err := c.Rcpt(to.Email); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	// The server has accepted the message; a failing QUIT must not turn
	// that into an error that would make callers send it again.
	_ = c.Quit()
	return nil
}

// auth picks the mechanism: the configured one, or in auto mode PLAIN when
// offered (or when the server lists nothing) and LOGIN otherwise.
func (s *SMTP) auth(c *smtp.Client) smtp.Auth {
	method := strings.ToUpper(s.AuthMethod)
	if method == AuthAuto {
		method = AuthPlain
		if _, mechs := c.Extension("AUTH"); mechs != "" {
			fields := strings.Fields(strings.ToUpper(mechs))
			if !slices.Contains(fields, AuthPlain) && slices.Contains(fields, AuthLogin) {
				method = AuthLogin
			}
		}
	}
	if method == AuthLogin {
		return &loginAuth{username: s.Username, password: s.Password, host: s.Host}
	}
	return smtp.PlainAuth("", s.Username, s.Password, s.Host)
}

// loginAuth implements the LOGIN mechanism, which net/smtp lacks, with the
// same guard as smtp.PlainAuth: no credentials over an unencrypted
// connection unless the server is localhost.
type loginAuth struct {
	username, password, host string
}

var _ smtp.Auth = (*loginAuth)(nil)

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLocalhost(server.Name) {
		return "", nil, errors.New("unencrypted connection")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	// Servers send "Username:"/"Password:", some "User Name" or lower case.
	prompt := strings.ToLower(strings.TrimSpace(string(fromServer)))
	switch {
	case strings.HasPrefix(prompt, "user"):
		return []byte(a.username), nil
	case strings.HasPrefix(prompt, "pass"):
		return []byte(a.password), nil
	default:
		return nil, fmt.Errorf("unexpected LOGIN challenge %q", fromServer)
	}
}

// isLocalhost mirrors net/smtp's rule for when credentials may travel in
// clear text.
func isLocalhost(name string) bool {
	return name == "localhost" || name == "127.0.0.1" || name == "::1"
}
