package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCert is a self-signed certificate for "mail.test", "localhost" and
// 127.0.0.1, generated once per test binary, with a pool that trusts it.
var testCert = sync.OnceValues(func() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mail.test"},
		DNSNames:              []string{"mail.test", "localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
})

// serverOptions configure a testServer.
type serverOptions struct {
	implicitTLS bool   // TLS from the first byte
	startTLS    bool   // advertise and accept STARTTLS
	authMechs   string // advertised AUTH mechanisms, e.g. "PLAIN LOGIN"; "" = no AUTH
	users       map[string]string
	requireAuth bool          // refuse MAIL FROM before a successful AUTH
	stallGreet  bool          // never send the greeting
	stallAtData bool          // accept DATA content but never answer it
	greetDelay  time.Duration // delay before the greeting
}

// receivedMail is one message accepted by a testServer.
type receivedMail struct {
	helo     string
	from     string
	to       []string
	data     string
	tls      bool
	authUser string
	authMech string
}

// testServer is a small SMTP server speaking the real protocol (EHLO,
// STARTTLS, AUTH PLAIN/LOGIN, MAIL/RCPT/DATA, RSET, NOOP, QUIT) on
// 127.0.0.1:0, so the client is tested against wire behaviour, not mocks.
type testServer struct {
	opts serverOptions
	ln   net.Listener
	addr string
	done chan struct{} // closed at cleanup to release stalled handlers

	mu      sync.Mutex
	mails   []receivedMail
	conns   int
	authTry []string // mechanisms the client attempted
}

func startServer(t *testing.T, opts serverOptions) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &testServer{opts: opts, ln: ln, addr: ln.Addr().String(), done: make(chan struct{})}
	var wg sync.WaitGroup
	var connsMu sync.Mutex
	var open []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			connsMu.Lock()
			open = append(open, c)
			connsMu.Unlock()
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		close(s.done)
		ln.Close()
		connsMu.Lock()
		for _, c := range open {
			c.Close()
		}
		connsMu.Unlock()
		wg.Wait()
	})
	return s
}

func (s *testServer) tlsConfig() *tls.Config {
	cert, _ := testCert()
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}

func (s *testServer) received() []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMail(nil), s.mails...)
}

func (s *testServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func (s *testServer) authAttempts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.authTry...)
}

// stall blocks until the test ends, like a server that stopped answering.
func (s *testServer) stall() { <-s.done }

func (s *testServer) serve(c net.Conn) {
	isTLS := false
	if s.opts.implicitTLS {
		tc := tls.Server(c, s.tlsConfig())
		if err := tc.Handshake(); err != nil {
			return
		}
		c, isTLS = tc, true
	}
	if s.opts.stallGreet {
		s.stall()
		return
	}
	if s.opts.greetDelay > 0 {
		select {
		case <-time.After(s.opts.greetDelay):
		case <-s.done:
			return
		}
	}
	tp := textproto.NewConn(c)
	reply := func(format string, args ...any) bool { return tp.PrintfLine(format, args...) == nil }
	if !reply("220 mail.test ESMTP basalt-test") {
		return
	}
	var (
		cur      receivedMail
		helo     string
		authUser string
		authMech string
	)
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			helo = arg
			lines := []string{"mail.test greets " + arg, "PIPELINING"}
			if s.opts.startTLS && !isTLS {
				lines = append(lines, "STARTTLS")
			}
			if s.opts.authMechs != "" {
				lines = append(lines, "AUTH "+s.opts.authMechs)
			}
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				if !reply("250%s%s", sep, l) {
					return
				}
			}
		case "HELO":
			helo = arg
			reply("250 mail.test")
		case "STARTTLS":
			if !s.opts.startTLS || isTLS {
				reply("502 5.5.1 not available")
				continue
			}
			reply("220 2.0.0 ready to start TLS")
			tc := tls.Server(c, s.tlsConfig())
			if err := tc.Handshake(); err != nil {
				return
			}
			// RFC 3207: all state is discarded after the upgrade.
			c, isTLS, helo, authUser, authMech = tc, true, "", "", ""
			tp = textproto.NewConn(c)
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			mech = strings.ToUpper(mech)
			s.mu.Lock()
			s.authTry = append(s.authTry, mech)
			s.mu.Unlock()
			user, pass, ok := s.readAuth(tp, mech, initial)
			if !ok {
				return
			}
			if want, known := s.opts.users[user]; !known || want != pass {
				reply("535 5.7.8 authentication credentials invalid")
				continue
			}
			authUser, authMech = user, mech
			reply("235 2.7.0 authentication successful")
		case "MAIL":
			if s.opts.requireAuth && authUser == "" {
				reply("530 5.7.0 authentication required")
				continue
			}
			cur = receivedMail{helo: helo, from: angle(arg), tls: isTLS, authUser: authUser, authMech: authMech}
			reply("250 2.1.0 ok")
		case "RCPT":
			cur.to = append(cur.to, angle(arg))
			reply("250 2.1.5 ok")
		case "DATA":
			if len(cur.to) == 0 {
				reply("503 5.5.1 no recipients")
				continue
			}
			reply("354 end data with <CR><LF>.<CR><LF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			if s.opts.stallAtData {
				s.stall()
				return
			}
			cur.data = string(data)
			s.mu.Lock()
			s.mails = append(s.mails, cur)
			s.mu.Unlock()
			cur = receivedMail{}
			reply("250 2.0.0 queued")
		case "RSET":
			cur = receivedMail{}
			reply("250 2.0.0 ok")
		case "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 command not recognized")
		}
	}
}

// readAuth runs the PLAIN or LOGIN exchange and returns the credentials;
// ok is false when the connection broke.
func (s *testServer) readAuth(tp *textproto.Conn, mech, initial string) (user, pass string, ok bool) {
	readB64 := func(prompt string) (string, bool) {
		if err := tp.PrintfLine("334 %s", prompt); err != nil {
			return "", false
		}
		l, err := tp.ReadLine()
		if err != nil {
			return "", false
		}
		b, _ := base64.StdEncoding.DecodeString(l)
		return string(b), true
	}
	switch mech {
	case "PLAIN":
		var raw string
		if initial != "" {
			b, _ := base64.StdEncoding.DecodeString(initial)
			raw = string(b)
		} else if raw, ok = readB64(""); !ok {
			return "", "", false
		}
		parts := strings.Split(raw, "\x00")
		if len(parts) != 3 {
			return "", "", true
		}
		return parts[1], parts[2], true
	case "LOGIN":
		if user, ok = readB64(base64.StdEncoding.EncodeToString([]byte("Username:"))); !ok {
			return "", "", false
		}
		if pass, ok = readB64(base64.StdEncoding.EncodeToString([]byte("Password:"))); !ok {
			return "", "", false
		}
		return user, pass, true
	}
	return "", "", true
}

// angle extracts the address from "FROM:<a@b> SIZE=1".
func angle(arg string) string {
	start := strings.IndexByte(arg, '<')
	end := strings.IndexByte(arg, '>')
	if start < 0 || end < start {
		return arg
	}
	return arg[start+1 : end]
}
