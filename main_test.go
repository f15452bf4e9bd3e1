package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildDir  string
)

// buildBinary builds the real binary once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "basalt-bin-")
		if buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "basalt")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	if hookBin != "" {
		os.RemoveAll(filepath.Dir(hookBin))
	}
	os.Exit(code)
}

// TestCLISmoke builds the real binary, runs `serve` on 127.0.0.1:0 and
// checks /api/health, then SIGTERM for a graceful stop.
func TestCLISmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	if out, err := exec.Command(bin, "superuser", "upsert", "a@example.com", "password123", "--dir", dir).CombinedOutput(); err != nil {
		t.Fatalf("superuser upsert: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "serve", "--nope").CombinedOutput(); err == nil {
		t.Fatalf("unknown flag accepted: %s", out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--http", "127.0.0.1:0", "--dir", dir)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	addr := ""
	re := regexp.MustCompile(`Server started at (http://\S+)`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	if addr == "" {
		t.Fatal("no bound address printed")
	}
	resp, err := http.Get(addr + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "API is healthy") {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
	if out, err := exec.Command(bin, "health", "--url", addr).CombinedOutput(); err != nil || !strings.Contains(string(out), "ok") {
		t.Fatalf("health command: %v %s", err, out)
	}
	// An open realtime stream neither blocks the graceful stop nor
	// outlives it.
	sse, err := http.Get(addr + "/api/realtime")
	if err != nil {
		t.Fatal(err)
	}
	defer sse.Body.Close()
	streamEnded := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, sse.Body)
		close(streamEnded)
	}()
	stopAt := time.Now()
	_ = cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	if d := time.Since(stopAt); d > 10*time.Second {
		t.Fatalf("graceful stop took %v with a realtime stream open", d)
	}
	select {
	case <-streamEnded:
	case <-time.After(5 * time.Second):
		t.Fatal("realtime stream still open after the server stopped")
	}
}
