package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// Sendmail delivers mail by piping it to the local sendmail binary, the
// fallback PocketBase uses when SMTP is disabled (spec §10.7). The zero
// value is ready to use.
type Sendmail struct {
	// Path is the sendmail binary; default: "sendmail" from PATH, else
	// /usr/sbin/sendmail, else /usr/lib/sendmail.
	Path string
	// Timeout bounds one run of the binary; default DefaultTimeout.
	Timeout time.Duration
	// Now supplies the Date header; default time.Now.
	Now func() time.Time
	// Rand supplies Message-ID and MIME boundaries; default crypto/rand.
	Rand io.Reader
}

var _ Mailer = (*Sendmail)(nil)

// Send runs `sendmail -i -f <from> -- <recipients...>` with the message on
// stdin. Recipients are passed as arguments after "--" rather than read
// from the headers (-t), so a header can never add recipients or options.
func (s *Sendmail) Send(ctx context.Context, m *Message) error {
	raw, err := m.encode(nowOr(s.Now), s.Rand)
	if err != nil {
		return err
	}
	path, err := s.path()
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	args := append([]string{"-i", "-f", m.From.Email, "--"}, m.recipients()...)
	cmd := exec.CommandContext(ctx, path, args...)
	// sendmail expects local (LF) line endings on stdin and adds CRLF itself.
	cmd.Stdin = bytes.NewReader(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")))
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4 << 10}
	cmd.Stdout = io.Discard
	// Without WaitDelay a grandchild holding the pipes open could keep
	// Wait blocked after the kill.
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("mail: sendmail: %w (%v)", ctxErr, err)
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("mail: sendmail: %w: %s", err, msg)
		}
		return fmt.Errorf("mail: sendmail: %w", err)
	}
	return nil
}

func (s *Sendmail) path() (string, error) {
	if s.Path != "" {
		return s.Path, nil
	}
	if p, err := exec.LookPath("sendmail"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/sendmail", "/usr/lib/sendmail"} {
		if p, err := exec.LookPath(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("mail: sendmail: binary not found (configure SMTP instead)")
}

// limitedWriter keeps the first n bytes and discards the rest, so a chatty
// binary cannot grow an error message without bound.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
