package main

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

func run(t *testing.T, bin string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestCLIBadInput: each bad input is one clear error, a non-zero exit, and
// nothing half-written.
func TestCLIBadInput(t *testing.T) {
	bin := buildBinary(t)
	notSQLite := t.TempDir()
	if err := os.WriteFile(filepath.Join(notSQLite, "data.db"), []byte("this is not a database, just text that is long enough to look like a header"), 0o644); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(t.TempDir(), "ro")
	if err := os.MkdirAll(readOnly, 0o555); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"unknown flag", []string{"serve", "--nope"}, nil, "unknown flag"},
		{"unknown command", []string{"frobnicate"}, nil, "unknown command"},
		{"corrupt data.db", []string{"superuser", "upsert", "a@example.com", "password123", "--dir", notSQLite}, nil, "data.db"},
		{"invalid email", []string{"superuser", "upsert", "not-an-email", "password123", "--dir", t.TempDir()}, nil, "invalid email"},
		{"bad env value", []string{"superuser", "upsert", "a@example.com", "password123", "--dir", t.TempDir()}, []string{"BASALT_QUERY_TIMEOUT=abc"}, "BASALT_QUERY_TIMEOUT"},
		{"bad log format", []string{"superuser", "upsert", "a@example.com", "password123", "--dir", t.TempDir(), "--logFormat", "xml"}, nil, "--logFormat"},
		{"bad log format env", []string{"superuser", "upsert", "a@example.com", "password123", "--dir", t.TempDir()}, []string{"BASALT_LOG_FORMAT=xml"}, "--logFormat"},
		{"encryption key missing", []string{"superuser", "upsert", "a@example.com", "password123", "--dir", t.TempDir(), "--encryptionEnv", "NO_SUCH_KEY_VAR"}, nil, "32-character key"},
		// issue #26: the database is named with what is wrong, the password never.
		{"unsupported --db", []string{"superuser", "upsert", "a@example.com", "password123", "--dir", t.TempDir(), "--db", "mysql://u:hunter2@h/db"}, nil, `unsupported database "mysql://u:xxxxx@h/db"`},
		{"unreachable BASALT_DB", []string{"superuser", "upsert", "a@example.com", "password123", "--dir", t.TempDir()}, []string{"BASALT_DB=postgres://u:hunter2@127.0.0.1:1/app?connect_timeout=5"}, `cannot connect to 127.0.0.1:1 database "app"`},
	}
	if os.Geteuid() != 0 { // root ignores directory permissions
		cases = append(cases, struct {
			name string
			args []string
			env  []string
			want string
		}{"unwritable dir", []string{"superuser", "upsert", "a@example.com", "password123", "--dir", readOnly}, nil, "not writable"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, bin, tc.env, tc.args...)
			if err == nil {
				t.Fatalf("exit 0, want failure; output:\n%s", out)
			}
			if !strings.Contains(out, tc.want) {
				t.Fatalf("output lacks %q:\n%s", tc.want, out)
			}
			if strings.Contains(out, "hunter2") {
				t.Fatalf("output shows the password:\n%s", out)
			}
		})
	}
	// The corrupt file is left as it was.
	raw, _ := os.ReadFile(filepath.Join(notSQLite, "data.db"))
	if !strings.HasPrefix(string(raw), "this is not a database") {
		t.Fatal("corrupt data.db was modified")
	}
}

// TestPortInUse: serve on a busy port fails with a clear error.
func TestPortInUse(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	_, base := startServe(t, bin, dir)
	addr := strings.TrimPrefix(base, "http://")
	out, err := run(t, bin, nil, "serve", "--http", addr, "--dir", t.TempDir())
	if err == nil || !strings.Contains(out, "listen on") {
		t.Fatalf("want a listen error, got %v:\n%s", err, out)
	}
}

// TestAutomigrateReplay: collection changes made on one data dir write
// snapshot migrations that `migrate up` replays on another.
func TestAutomigrateReplay(t *testing.T) {
	bin := buildBinary(t)
	root := t.TempDir()
	migDir := filepath.Join(root, "pb_migrations")
	dirA := filepath.Join(root, "a")
	if out, err := run(t, bin, nil, "superuser", "upsert", "a@example.com", "password123", "--dir", dirA, "--migrationsDir", migDir); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	_, base := startServeArgs(t, bin, "--dir", dirA, "--migrationsDir", migDir)
	st, auth, err := postJSON(base+"/api/collections/_superusers/auth-with-password", "", map[string]any{"identity": "a@example.com", "password": "password123"})
	if err != nil || st != 200 {
		t.Fatalf("auth %d %v", st, err)
	}
	token := auth["token"].(string)
	if st, b, _ := postJSON(base+"/api/collections", token, map[string]any{"name": "tasks", "listRule": "",
		"fields": []any{map[string]any{"name": "title", "type": "text"}, map[string]any{"name": "done", "type": "bool"}}}); st != 200 {
		t.Fatalf("create: %d %v", st, b)
	}
	if st, b, _ := postJSON(base+"/api/collections", token, map[string]any{"name": "tmp"}); st != 200 {
		t.Fatalf("create tmp: %d %v", st, b)
	}
	req, _ := http.NewRequest("DELETE", base+"/api/collections/tmp", nil)
	req.Header.Set("Authorization", token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("delete tmp: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(migDir, "*.json"))
	if len(files) != 3 {
		t.Fatalf("want 3 migration files, got %v", files)
	}

	// The same migrations replay on either engine (issue #26).
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dirB := filepath.Join(root, "b-"+engine)
			args := []string{"--dir", dirB, "--migrationsDir", migDir}
			if engine == "postgres" {
				args = append(args, "--db", pgtest.DSN(t))
			}
			if out, err := run(t, bin, nil, append([]string{"migrate", "up"}, args...)...); err != nil {
				t.Fatalf("migrate up: %v\n%s", err, out)
			}
			_, baseB := startServeArgs(t, bin, args...)
			resp, err := http.Get(baseB + "/api/collections/tasks/records")
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("tasks missing on the replayed dir: %v %v", err, resp)
			}
			var env map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&env)
			resp.Body.Close()
			if resp, _ := http.Get(baseB + "/api/collections/tmp/records"); resp.StatusCode != 404 {
				t.Fatalf("tmp should not exist after replay: %d", resp.StatusCode)
			}
		})
	}
}

// TestSuperuserOTP: `superuser otp` creates a code that authenticates as
// the first factor (superusers with OTP get MFA, hence 401 + mfaId).
func TestSuperuserOTP(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	if out, err := run(t, bin, nil, "superuser", "upsert", "a@example.com", "password123", "--dir", dir); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err := run(t, bin, nil, "superuser", "otp", "a@example.com", "--dir", dir); err == nil || !strings.Contains(out, "not enabled") {
		t.Fatalf("otp without OTP enabled: %v\n%s", err, out)
	}
	cmd, base := startServe(t, bin, dir)
	st, auth, _ := postJSON(base+"/api/collections/_superusers/auth-with-password", "", map[string]any{"identity": "a@example.com", "password": "password123"})
	if st != 200 {
		t.Fatalf("auth %d", st)
	}
	req, _ := http.NewRequest("PATCH", base+"/api/collections/_superusers", strings.NewReader(`{"otp":{"enabled":true}}`))
	req.Header.Set("Authorization", auth["token"].(string))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("enable otp: %v %v", err, resp.StatusCode)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	out, err := run(t, bin, nil, "superuser", "otp", "a@example.com", "--dir", dir)
	if err != nil {
		t.Fatalf("otp: %v\n%s", err, out)
	}
	var id, pass string
	for _, line := range strings.Split(out, "\n") {
		if i := strings.Index(line, "Id:"); i >= 0 {
			id = strings.TrimSpace(line[i+3:])
		}
		if i := strings.Index(line, "Pass:"); i >= 0 {
			pass = strings.TrimSpace(line[i+5:])
		}
	}
	_, base = startServe(t, bin, dir)
	st, body, _ := postJSON(base+"/api/collections/_superusers/auth-with-otp", "", map[string]any{"otpId": id, "password": pass})
	if st != 401 || body["mfaId"] == nil {
		t.Fatalf("auth-with-otp: %d %v", st, body)
	}
}

// TestInstallerLink: a fresh data dir prints a one-time installer link
// whose token can create the first superuser; the installer account then
// disappears.
func TestInstallerLink(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve", "--http", "127.0.0.1:0", "--dir", dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string, 16)
	go func() {
		buf := make([]byte, 64<<10)
		acc := ""
		for {
			n, err := out.Read(buf)
			acc += string(buf[:n])
			for {
				i := strings.IndexByte(acc, '\n')
				if i < 0 {
					break
				}
				lines <- acc[:i]
				acc = acc[i+1:]
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	var base, token string
	deadline := time.After(20 * time.Second)
	for token == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("server exited")
			}
			if i := strings.Index(l, "Server started at "); i >= 0 {
				base = strings.TrimSpace(l[i+len("Server started at "):])
			}
			if i := strings.Index(l, "/_/#/pbinstal/"); i >= 0 {
				token = strings.TrimSpace(l[i+len("/_/#/pbinstal/"):])
			}
		case <-deadline:
			t.Fatal("no installer link printed")
		}
	}
	st, b, err := postJSON(base+"/api/collections/_superusers/records", token, map[string]any{
		"email": "first@example.com", "password": "password123", "passwordConfirm": "password123"})
	if err != nil || st != 200 {
		t.Fatalf("create first superuser: %d %v %v", st, b, err)
	}
	// The installer link is single-use: once a superuser exists its
	// account is gone, so a replay creates nothing (checked below).
	if st, b, _ := postJSON(base+"/api/collections/_superusers/records", token, map[string]any{
		"email": "second@example.com", "password": "password123", "passwordConfirm": "password123"}); st == 200 {
		t.Fatalf("installer token replayed: %d %v", st, b)
	}
	st, auth, _ := postJSON(base+"/api/collections/_superusers/auth-with-password", "", map[string]any{"identity": "first@example.com", "password": "password123"})
	if st != 200 {
		t.Fatalf("login: %d", st)
	}
	req, _ := http.NewRequest("GET", base+"/api/collections/_superusers/records", nil)
	req.Header.Set("Authorization", auth["token"].(string))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if list["totalItems"].(float64) != 1 {
		t.Fatalf("superusers after install: %v", list)
	}
}

// TestNewerDataDirRefused: a data dir holding a system migration this
// binary does not know was written by a newer Basalt; start-up stops with
// a clear error and the data is left alone.
func TestNewerDataDirRefused(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	if out, err := run(t, bin, nil, "superuser", "upsert", "a@example.com", "password123", "--dir", dir); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO _migrations (file, applied) VALUES ('basalt_9999_from_the_future', 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(filepath.Join(dir, "data.db"))
	out, err := run(t, bin, nil, "serve", "--http", "127.0.0.1:0", "--dir", dir)
	if err == nil || !strings.Contains(out, "newer Basalt") {
		t.Fatalf("want a newer-version error, got %v:\n%s", err, out)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "data.db"))
	if string(before) != string(after) {
		t.Fatal("data.db changed")
	}
}

// TestConcurrentStartOnFreshDir: processes started together on an empty
// data dir (a `superuser upsert` while the server boots, as container
// entrypoints do) all succeed; each system migration runs once.
func TestConcurrentStartOnFreshDir(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	const n = 4
	errs := make(chan string, n)
	for i := range n {
		go func() {
			out, err := run(t, bin, nil, "superuser", "upsert", "a"+strconv.Itoa(i)+"@example.com", "password123", "--dir", dir)
			if err != nil {
				errs <- err.Error() + "\n" + out
				return
			}
			errs <- ""
		}()
	}
	for range n {
		if e := <-errs; e != "" {
			t.Errorf("concurrent start failed: %s", e)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var dup int
	if err := db.QueryRow(`SELECT count(*) FROM (SELECT file FROM _migrations GROUP BY file HAVING count(*) > 1)`).Scan(&dup); err != nil || dup != 0 {
		t.Fatalf("migrations recorded twice: %d %v", dup, err)
	}
	var users int
	if err := db.QueryRow(`SELECT count(*) FROM _superusers`).Scan(&users); err != nil || users != n {
		t.Fatalf("superusers = %d %v, want %d", users, err, n)
	}
}
