// Package s3server starts a real S3-protocol server for tests.
package s3server

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Start runs a real S3-protocol server (versitygw, posix backend; see
// internal/files/testdata/install-s3-server.sh) with one bucket for the
// test and returns its endpoint and the directory holding the bucket's
// objects. Without the binary the test skips, or fails when CI is set.
// The server is killed when the test ends.
func Start(t testing.TB, access, secret, bucket string) (endpoint, bucketDir string) {
	t.Helper()
	bin, _ := exec.LookPath("versitygw")
	if bin == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
				p := filepath.Join(dir, "bin", "versitygw")
				if _, err := os.Stat(p); err == nil && bin == "" {
					bin = p
				}
			}
		}
	}
	if bin == "" {
		msg := "versitygw not installed; run internal/files/testdata/install-s3-server.sh"
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set: " + msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	data, meta := filepath.Join(dir, "data"), filepath.Join(dir, "meta")
	// With the posix backend a bucket is a directory under the data root.
	for _, d := range []string{filepath.Join(data, bucket), meta} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--access", access, "--secret", secret, "--port", addr,
		"--region", "us-east-1", "--quiet", "posix", "--sidecar", meta, data)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Killed when the test ends; a crash of the test binary itself could
	// orphan it (internal/files uses Pdeathsig for that on Linux).
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(15 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not start: %s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr, filepath.Join(data, bucket)
}
