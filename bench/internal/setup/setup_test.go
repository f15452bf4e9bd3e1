package setup

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/basalthq/basalt/bench/internal/client"
)

// startPeer starts the PocketBase peer binary (bench/bin/pbpeer) on a free
// loopback port with a fresh data dir, or skips the test if it is not built.
func startPeer(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("BENCH_PBPEER")
	if bin == "" {
		bin, _ = filepath.Abs(filepath.Join("..", "..", "bin", "pbpeer"))
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("PocketBase peer binary %s not built: run `go build -o bin/pbpeer ./cmd/pbpeer` in bench/ (or set BENCH_PBPEER) to enable this test", bin)
	}
	dir := t.TempDir()
	if out, err := exec.Command(bin, "superuser", "upsert", "su@example.com", "su-password-123", "--dir", dir).CombinedOutput(); err != nil {
		t.Fatalf("superuser upsert: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "--http", addr, "--dir", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	url := "http://" + addr
	for deadline := time.Now().Add(15 * time.Second); ; {
		resp, err := http.Get(url + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("peer did not become healthy: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestRunIsIdempotent(t *testing.T) {
	url := startPeer(t)
	ctx := context.Background()
	anon := client.New(url)
	auth, err := anon.AuthWithPassword(ctx, "_superusers", "su@example.com", "su-password-123")
	if err != nil {
		t.Fatal(err)
	}
	su := anon.WithToken(auth.Token)
	opt := Options{Users: 3, Posts: 20, Workers: 4}
	var first *Dataset

	steps := []struct {
		name        string
		before      func(t *testing.T)
		wantReused  bool
		wantCreated int
	}{
		{name: "first run creates everything", wantReused: false, wantCreated: 3 + 3 + 20},
		{name: "second run reuses everything", wantReused: true, wantCreated: 0},
		{
			name: "extra post triggers a reset of posts only",
			before: func(t *testing.T) {
				if err := su.Do(ctx, http.MethodPost, "/api/collections/posts/records", PostData(99, first.UserIDs[0]), nil); err != nil {
					t.Fatal(err)
				}
			},
			wantReused: false, wantCreated: 20,
		},
		{name: "run after reset reuses again", wantReused: true, wantCreated: 0},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before(t)
			}
			ds, err := Run(ctx, su, opt)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if ds.Reused != st.wantReused || ds.Created != st.wantCreated {
				t.Errorf("Reused=%v Created=%d, want %v %d", ds.Reused, ds.Created, st.wantReused, st.wantCreated)
			}
			if len(ds.UserIDs) != opt.Users || len(ds.PostIDs) != opt.Posts {
				t.Errorf("got %d users %d posts, want %d %d", len(ds.UserIDs), len(ds.PostIDs), opt.Users, opt.Posts)
			}
			if first == nil {
				first = ds
			} else if fmt.Sprint(ds.UserIDs) != fmt.Sprint(first.UserIDs) {
				t.Errorf("user ids changed: %v, want %v", ds.UserIDs, first.UserIDs)
			}
			if n, err := su.Count(ctx, Members, ""); err != nil || n != opt.Users {
				t.Errorf("members = %d (%v), want %d", n, err, opt.Users)
			}
		})
	}
}
