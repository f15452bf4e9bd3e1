package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/basalthq/basalt/bench/internal/report"
)

// TestSmokeAgainstBasalt builds Basalt from this repository, starts it on
// loopback with a fresh data dir and runs every scenario for one second
// on a small dataset: the harness keeps working against the real server
// (the full side-by-side run is manual, see README.md). Skipped with
// -short.
func TestSmokeAgainstBasalt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "basalt")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("..", "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build basalt: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "pb_data")
	if out, err := exec.Command(bin, "superuser", "upsert", "bench@example.com", "bench-password-123", "--dir", data).CombinedOutput(); err != nil {
		t.Fatalf("superuser upsert: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	var serverLog bytes.Buffer
	srv := exec.Command(bin, "serve", "--http", addr, "--dir", data)
	srv.Stdout, srv.Stderr = &serverLog, &serverLog
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
		if t.Failed() {
			t.Logf("server output:\n%s", serverLog.String())
		}
	})
	url := "http://" + addr
	waitHealthy(t, url)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"-url", url, "-label", "basalt", "-scenario", "all", "-duration", "1s",
		"-users", "10", "-posts", "200", "-realtime-k", "20", "-realtime-fast-k", "20",
		"-pid", strconv.Itoa(srv.Process.Pid), "-json"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("loadgen: %v\n%s", err, stderr.String())
	}
	var res report.Run
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("loadgen JSON: %v\n%s", err, stdout.String())
	}
	seen := map[string]bool{}
	for _, r := range res.Results {
		seen[r.Scenario] = true
		if !r.Valid || r.Errors > 0 || r.Requests == 0 {
			t.Errorf("%s: valid=%v errors=%d requests=%d note=%q", r.Scenario, r.Valid, r.Errors, r.Requests, r.Note)
		}
	}
	for _, want := range []string{"view", "list", "list_expand", "list_auth", "create_c32", "create_rule", "update",
		"mixed", "auth", "upload", "realtime_k20", "realtime_k20_r100"} {
		if !seen[want] {
			t.Errorf("no result for %s (got %v)", want, res.Results)
		}
	}
	if t.Failed() {
		t.Logf("loadgen output:\n%s", stderr.String())
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitHealthy(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url + "/api/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server at %s not healthy after 30s", url)
}
