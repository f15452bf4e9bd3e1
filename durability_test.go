package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// startServe runs `serve` on a loopback port and returns its base URL.
func startServe(t *testing.T, bin, dir string) (*exec.Cmd, string) {
	t.Helper()
	return startServeArgs(t, bin, "--dir", dir)
}

// startServeArgs runs `serve --http 127.0.0.1:0 args...`.
func startServeArgs(t *testing.T, bin string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--http", "127.0.0.1:0"}, args...)...)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`Server started at (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case u := <-found:
		return cmd, u
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	return nil, ""
}

func postJSON(url, token string, body any) (int, map[string]any, error) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, nil
}

// TestKill9Durability writes from many goroutines, kills the server with
// SIGKILL mid-burst, restarts it and checks that every write answered 200
// is there and the database passes an integrity check.
func TestKill9Durability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	if out, err := exec.Command(bin, "superuser", "upsert", "a@example.com", "password123", "--dir", dir).CombinedOutput(); err != nil {
		t.Fatalf("superuser: %v\n%s", err, out)
	}
	cmd, base := startServe(t, bin, dir)
	st, auth, err := postJSON(base+"/api/collections/_superusers/auth-with-password", "", map[string]any{"identity": "a@example.com", "password": "password123"})
	if err != nil || st != 200 {
		t.Fatalf("auth: %d %v %v", st, auth, err)
	}
	token := auth["token"].(string)
	if st, b, err := postJSON(base+"/api/collections", token, map[string]any{"name": "events", "createRule": "",
		"fields": []any{map[string]any{"name": "n", "type": "number"}}}); err != nil || st != 200 {
		t.Fatalf("collection: %d %v %v", st, b, err)
	}

	var mu sync.Mutex
	acked := map[string]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 400 && ctx.Err() == nil; i++ {
				st, b, err := postJSON(base+"/api/collections/events/records", "", map[string]any{"n": w*1000 + i})
				if err != nil {
					return // the server is gone
				}
				if st == 200 {
					mu.Lock()
					acked[b["id"].(string)] = true
					mu.Unlock()
				}
			}
		}(w)
	}
	// Kill once a good number of writes were acknowledged.
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	wg.Wait()
	mu.Lock()
	n := len(acked)
	mu.Unlock()
	if n < 300 {
		t.Fatalf("only %d writes acknowledged before the kill", n)
	}

	// Restart: the server must come up on the same data.
	_, base2 := startServe(t, bin, dir)
	if resp, err := http.Get(base2 + "/api/health"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("restart health: %v", err)
	}

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity: %q %v", res, err)
	}
	rows, err := db.Query(`SELECT id FROM events`)
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		present[id] = true
	}
	rows.Close()
	missing := 0
	for id := range acked {
		if !present[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged writes lost after kill -9", missing, n)
	}
	t.Logf("%d acknowledged writes, %d rows after restart, none lost", n, len(present))
}
