package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"
)

var testUsers = map[string]string{"mailer": "s3cret"}

// mailerFor returns an SMTP mailer that reaches srv whatever Host says, and
// trusts the test certificate.
func mailerFor(srv *testServer, host string) *SMTP {
	_, pool := testCert()
	return &SMTP{
		Host:      host,
		TLSConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		Timeout:   5 * time.Second,
		Now:       fixedNow,
		dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, srv.addr)
		},
	}
}

func TestSMTPSend(t *testing.T) {
	t.Parallel()
	authServer := serverOptions{startTLS: true, authMechs: "PLAIN LOGIN", users: testUsers, requireAuth: true}
	tests := []struct {
		name      string
		server    serverOptions
		host      string
		configure func(*SMTP)
		wantErr   string // substring; "" means success
		want      receivedMail
		wantAuths int // AUTH commands the server must have seen
	}{
		{
			name:   "plain connection without auth",
			server: serverOptions{},
			host:   "mail.test",
			want:   receivedMail{helo: "localhost"},
		},
		{
			name:      "starttls then auth plain",
			server:    authServer,
			host:      "mail.test",
			configure: func(s *SMTP) { s.Username, s.Password, s.AuthMethod = "mailer", "s3cret", AuthPlain },
			want:      receivedMail{helo: "localhost", tls: true, authUser: "mailer", authMech: "PLAIN"},
			wantAuths: 1,
		},
		{
			name:      "starttls then auth login",
			server:    authServer,
			host:      "mail.test",
			configure: func(s *SMTP) { s.Username, s.Password, s.AuthMethod = "mailer", "s3cret", "login" },
			want:      receivedMail{helo: "localhost", tls: true, authUser: "mailer", authMech: "LOGIN"},
			wantAuths: 1,
		},
		{
			name:      "auto auth picks login when plain is not offered",
			server:    serverOptions{startTLS: true, authMechs: "LOGIN", users: testUsers, requireAuth: true},
			host:      "mail.test",
			configure: func(s *SMTP) { s.Username, s.Password = "mailer", "s3cret" },
			want:      receivedMail{helo: "localhost", tls: true, authUser: "mailer", authMech: "LOGIN"},
			wantAuths: 1,
		},
		{
			name:      "implicit tls with auth",
			server:    serverOptions{implicitTLS: true, authMechs: "PLAIN", users: testUsers, requireAuth: true},
			host:      "mail.test",
			configure: func(s *SMTP) { s.TLS, s.Username, s.Password = true, "mailer", "s3cret" },
			want:      receivedMail{helo: "localhost", tls: true, authUser: "mailer", authMech: "PLAIN"},
			wantAuths: 1,
		},
		{
			name:      "local name is sent in EHLO",
			server:    serverOptions{startTLS: true},
			host:      "mail.test",
			configure: func(s *SMTP) { s.LocalName = "app.example.com" },
			want:      receivedMail{helo: "app.example.com", tls: true},
		},
		{
			name:      "auth refused",
			server:    authServer,
			host:      "mail.test",
			configure: func(s *SMTP) { s.Username, s.Password = "mailer", "wrong" },
			wantErr:   "535",
			wantAuths: 1,
		},
		{
			name:      "no plain credentials over clear text to a remote host",
			server:    serverOptions{authMechs: "PLAIN LOGIN", users: testUsers},
			host:      "mail.test",
			configure: func(s *SMTP) { s.Username, s.Password, s.AuthMethod = "mailer", "s3cret", AuthPlain },
			wantErr:   "unencrypted connection",
		},
		{
			name:      "no login credentials over clear text to a remote host",
			server:    serverOptions{authMechs: "PLAIN LOGIN", users: testUsers},
			host:      "mail.test",
			configure: func(s *SMTP) { s.Username, s.Password, s.AuthMethod = "mailer", "s3cret", AuthLogin },
			wantErr:   "unencrypted connection",
		},
		{
			name:      "clear text credentials allowed to localhost",
			server:    serverOptions{authMechs: "LOGIN", users: testUsers, requireAuth: true},
			host:      "127.0.0.1",
			configure: func(s *SMTP) { s.Username, s.Password = "mailer", "s3cret" },
			want:      receivedMail{helo: "localhost", authUser: "mailer", authMech: "LOGIN"},
			wantAuths: 1,
		},
		{
			name:      "untrusted certificate fails instead of falling back to clear text",
			server:    serverOptions{startTLS: true},
			host:      "mail.test",
			configure: func(s *SMTP) { s.TLSConfig = &tls.Config{} },
			wantErr:   "starttls",
		},
		{
			name:      "unknown auth method",
			server:    serverOptions{},
			host:      "mail.test",
			configure: func(s *SMTP) { s.AuthMethod = "CRAM-MD5" },
			wantErr:   "unknown auth method",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, tt.server)
			m := mailerFor(srv, tt.host)
			if tt.configure != nil {
				tt.configure(m)
			}
			msg := testMessage()
			err := m.Send(context.Background(), msg)
			if got := len(srv.authAttempts()); got != tt.wantAuths {
				t.Errorf("AUTH commands seen by the server = %d, want %d", got, tt.wantAuths)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Send() error = %v, want one containing %q", err, tt.wantErr)
				}
				if got := srv.received(); len(got) != 0 {
					t.Errorf("server received %d mails, want none", len(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("Send() error = %v", err)
			}
			got := srv.received()
			if len(got) != 1 {
				t.Fatalf("server received %d mails, want 1", len(got))
			}
			r := got[0]
			if r.helo != tt.want.helo || r.tls != tt.want.tls || r.authUser != tt.want.authUser || r.authMech != tt.want.authMech {
				t.Errorf("session = {helo %q tls %v user %q mech %q}, want {helo %q tls %v user %q mech %q}",
					r.helo, r.tls, r.authUser, r.authMech, tt.want.helo, tt.want.tls, tt.want.authUser, tt.want.authMech)
			}
			if r.from != msg.From.Email {
				t.Errorf("MAIL FROM = %q, want %q", r.from, msg.From.Email)
			}
			if strings.Join(r.to, ",") != "ann@example.org,bob@example.net" {
				t.Errorf("RCPT TO = %v, want both recipients", r.to)
			}
			parsed, err := mail.ReadMessage(strings.NewReader(r.data))
			if err != nil {
				t.Fatalf("server data is not a message: %v", err)
			}
			if got, want := parsed.Header.Get("Subject"), msg.Subject; got != want {
				t.Errorf("Subject = %q, want %q", got, want)
			}
		})
	}
}

func TestSMTPTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		server    serverOptions
		configure func(*SMTP)
	}{
		{name: "server never greets", server: serverOptions{stallGreet: true}},
		{name: "server never answers the data", server: serverOptions{stallAtData: true}},
		{name: "server greets after the timeout", server: serverOptions{greetDelay: 10 * time.Second}},
		{
			name:      "server never completes the TLS handshake",
			server:    serverOptions{stallGreet: true},
			configure: func(s *SMTP) { s.TLS = true },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, tt.server)
			m := mailerFor(srv, "mail.test")
			m.Timeout = 200 * time.Millisecond
			if tt.configure != nil {
				tt.configure(m)
			}
			start := time.Now()
			err := m.Send(context.Background(), testMessage())
			// A generous bound: this checks that the timeout is enforced at
			// all, not how precisely.
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("Send() returned after %v, want within 2s of a 200ms timeout", elapsed)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Send() error = %v, want context.DeadlineExceeded", err)
			}
		})
	}
}

func TestSMTPContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		ctx    func() (context.Context, context.CancelFunc)
		server serverOptions
		want   error
	}{
		{
			name: "cancelled while the server stalls",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(100*time.Millisecond, cancel)
				return ctx, cancel
			},
			server: serverOptions{stallAtData: true},
			want:   context.Canceled,
		},
		{
			name: "ctx deadline shorter than the mailer timeout",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 150*time.Millisecond)
			},
			server: serverOptions{stallGreet: true},
			want:   context.DeadlineExceeded,
		},
		{
			name: "already cancelled",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			},
			want: context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, tt.server)
			m := mailerFor(srv, "mail.test")
			m.Timeout = 10 * time.Second
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			err := m.Send(ctx, testMessage())
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("Send() returned after %v, want well within 2s", elapsed)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Send() error = %v, want %v", err, tt.want)
			}
			if got := srv.received(); len(got) != 0 {
				t.Errorf("server received %d mails, want none", len(got))
			}
		})
	}
}

func TestSMTPRejectsInvalidMessageBeforeConnecting(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverOptions{})
	m := mailerFor(srv, "mail.test")
	msg := testMessage()
	msg.Subject = "Hi\r\nBcc: victim@example.com"
	if err := m.Send(context.Background(), msg); !errors.Is(err, ErrInvalidMessage) {
		t.Fatalf("Send() error = %v, want ErrInvalidMessage", err)
	}
	if got := srv.connections(); got != 0 {
		t.Errorf("server saw %d connections, want 0", got)
	}
}

func TestSMTPDefaultPort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		smtp SMTP
		want string
	}{
		{name: "starttls default", smtp: SMTP{Host: "mx.example.com"}, want: "mx.example.com:587"},
		{name: "implicit tls default", smtp: SMTP{Host: "mx.example.com", TLS: true}, want: "mx.example.com:465"},
		{name: "explicit port", smtp: SMTP{Host: "mx.example.com", Port: 2525}, want: "mx.example.com:2525"},
		{name: "ipv6 host", smtp: SMTP{Host: "::1", Port: 25}, want: "[::1]:25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.smtp.addr(); got != tt.want {
				t.Errorf("addr() = %q, want %q", got, tt.want)
			}
		})
	}
}
