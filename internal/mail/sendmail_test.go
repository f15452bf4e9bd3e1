package mail

import (
	"context"
	"errors"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeSendmail writes a shell script standing in for sendmail and returns
// its path and the directory where it records its arguments and stdin.
func fakeSendmail(t *testing.T, body string) (path, dir string) {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	dir = t.TempDir()
	path = filepath.Join(dir, "sendmail")
	script := "#!/bin/sh\nout=" + dir + "\n" + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

func TestSendmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		script  string
		timeout time.Duration
		wantErr string // substring; "" means success
		check   func(t *testing.T, dir string)
	}{
		{
			name:   "pipes the message with recipients as arguments",
			script: `printf '%s\n' "$@" > "$out/args"; cat > "$out/stdin"`,
			check: func(t *testing.T, dir string) {
				args, _ := os.ReadFile(filepath.Join(dir, "args"))
				if got, want := string(args), "-i\n-f\nsupport@acme.test\n--\nann@example.org\nbob@example.net\n"; got != want {
					t.Errorf("args = %q, want %q", got, want)
				}
				stdin, _ := os.ReadFile(filepath.Join(dir, "stdin"))
				if strings.Contains(string(stdin), "\r\n") {
					t.Error("stdin has CRLF line endings, want local LF")
				}
				msg, err := mail.ReadMessage(strings.NewReader(string(stdin)))
				if err != nil {
					t.Fatalf("stdin is not a message: %v", err)
				}
				if got := msg.Header.Get("Subject"); got != "Verify your Acme email" {
					t.Errorf("Subject = %q", got)
				}
			},
		},
		{
			name:    "failure includes stderr",
			script:  `cat > /dev/null; echo "no such user" >&2; exit 67`,
			wantErr: "no such user",
		},
		{
			name:    "hanging binary is killed at the timeout",
			script:  `exec sleep 30`,
			timeout: 200 * time.Millisecond,
			wantErr: "deadline exceeded",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path, dir := fakeSendmail(t, tt.script)
			s := &Sendmail{Path: path, Timeout: tt.timeout, Now: fixedNow}
			start := time.Now()
			err := s.Send(context.Background(), testMessage())
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("Send() took %v, want it bounded", elapsed)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Send() = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send() = %v", err)
			}
			tt.check(t, dir)
		})
	}
}

func TestSendmailRejectsInvalidMessage(t *testing.T) {
	t.Parallel()
	path, dir := fakeSendmail(t, `touch "$out/ran"`)
	m := testMessage()
	m.To[0].Email = "ann@example.org\n-oQ/tmp"
	if err := (&Sendmail{Path: path}).Send(context.Background(), m); !errors.Is(err, ErrInvalidMessage) {
		t.Fatalf("Send() = %v, want ErrInvalidMessage", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("sendmail ran for an invalid message")
	}
}
