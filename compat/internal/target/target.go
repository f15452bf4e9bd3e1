// Package target builds and starts the two servers the harness compares —
// the PocketBase v0.36.8 peer and Basalt — on loopback with fresh data
// directories, creates a superuser on each and sends them requests.
package target

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Superuser credentials created on both servers.
const (
	SuperuserEmail    = "compat@example.com"
	SuperuserPassword = "compat-password-123"
)

// Spec says how to start one server. Both servers share PocketBase's CLI
// (`serve --http ADDR --dir DIR`, `superuser upsert EMAIL PASS --dir DIR`).
type Spec struct {
	// Name labels the server in reports ("pocketbase", "basalt").
	Name string
	// Bin is the executable.
	Bin string
	// ExtraArgs are appended to `serve` (e.g. a database DSN flag once
	// Basalt runs on another engine).
	ExtraArgs []string
	// Env is added to the process environment (e.g. BASALT_DB_DSN=...).
	Env []string
}

// Target is a running server.
type Target struct {
	Name  string
	URL   string
	Token string // superuser token

	cmd    *exec.Cmd
	dir    string
	logBuf *bytes.Buffer
	client *http.Client
}

// Build compiles the PocketBase peer (from the compat module at compatDir)
// and Basalt (from the repository root, compatDir/..) into outDir and
// returns their paths.
func Build(ctx context.Context, compatDir, outDir string) (pbBin, basaltBin string, err error) {
	pbBin = filepath.Join(outDir, "pbpeer")
	basaltBin = filepath.Join(outDir, "basalt")
	build := func(dir, out, pkg string) error {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s in %s: %w\n%s", pkg, dir, err, b)
		}
		return nil
	}
	if err := build(compatDir, pbBin, "./cmd/pbpeer"); err != nil {
		return "", "", err
	}
	if err := build(filepath.Join(compatDir, ".."), basaltBin, "."); err != nil {
		return "", "", err
	}
	return pbBin, basaltBin, nil
}

// Start runs spec with a fresh data directory under workDir on a free
// loopback port, creates the superuser and signs it in.
func Start(ctx context.Context, spec Spec, workDir string) (*Target, error) {
	dir, err := os.MkdirTemp(workDir, spec.Name+"-data-")
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), spec.Env...)
	up := exec.CommandContext(ctx, spec.Bin, "superuser", "upsert", SuperuserEmail, SuperuserPassword, "--dir", dir)
	up.Env = env
	if b, err := up.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s: superuser upsert: %w\n%s", spec.Name, err, b)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--http", addr, "--dir", dir}, spec.ExtraArgs...)
	cmd := exec.Command(spec.Bin, args...)
	cmd.Env = env
	logBuf := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logBuf, logBuf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: start: %w", spec.Name, err)
	}
	t := &Target{Name: spec.Name, URL: "http://" + addr, cmd: cmd, dir: dir, logBuf: logBuf,
		client: &http.Client{Timeout: 30 * time.Second}}
	if err := t.waitHealthy(ctx); err != nil {
		t.Stop()
		return nil, fmt.Errorf("%s: %w\n%s", spec.Name, err, logBuf.String())
	}
	res, err := t.Do(ctx, "POST", "/api/collections/_superusers/auth-with-password", "",
		[]byte(fmt.Sprintf(`{"identity":%q,"password":%q}`, SuperuserEmail, SuperuserPassword)))
	if err != nil || res.Status != 200 {
		t.Stop()
		return nil, fmt.Errorf("%s: superuser sign-in: %v %s", spec.Name, err, res.Raw)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal(res.Raw, &tok); err != nil || tok.Token == "" {
		t.Stop()
		return nil, fmt.Errorf("%s: superuser sign-in: no token in %s", spec.Name, res.Raw)
	}
	t.Token = tok.Token
	return t, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func (t *Target) waitHealthy(ctx context.Context) error {
	// Bounded: 600 × 50 ms = 30 s.
	for range 600 {
		if t.cmd.ProcessState != nil {
			return errors.New("exited before answering /api/health")
		}
		res, err := t.Do(ctx, "GET", "/api/health", "", nil)
		if err == nil && res.Status == 200 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return errors.New("did not answer /api/health within 30s")
}

// Log returns what the server printed so far.
func (t *Target) Log() string { return t.logBuf.String() }

// Stop ends the server process (and its process group) and removes its
// data directory.
func (t *Target) Stop() {
	if t.cmd.Process != nil {
		_ = syscall.Kill(-t.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() {
			defer func() { _ = recover() }()
			_ = t.cmd.Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-t.cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}
	_ = os.RemoveAll(t.dir)
}

// Response is one answer: its status, content type and raw body.
type Response struct {
	Status      int
	ContentType string
	Raw         []byte
}

// Do sends one request. token "" sends none; body nil sends no body, any
// other body is sent as JSON.
func (t *Target) Do(ctx context.Context, method, path, token string, body []byte) (Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, t.URL+path, rd)
	if err != nil {
		return Response{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := t.client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return Response{}, err
	}
	ct, _, _ := strings.Cut(res.Header.Get("Content-Type"), ";")
	return Response{Status: res.StatusCode, ContentType: ct, Raw: raw}, nil
}
