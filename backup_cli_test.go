package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

// TestCLIBackupRoundTrip: `backup create`, `list`, `verify` and
// `restore` on the built binary; the restore brings back the state of the
// backup and bad names are refused with nothing changed.
func TestCLIBackupRoundTrip(t *testing.T) {
	bin := buildBinary(t)
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { cliBackupRoundTrip(t, bin, engine) })
	}
}

// cliBackupRoundTrip is TestCLIBackupRoundTrip on one engine: on
// PostgreSQL the backup is a portable archive and the restore loads it
// into the database (issue #26 item 3).
func cliBackupRoundTrip(t *testing.T, bin, engine string) {
	dir := filepath.Join(t.TempDir(), "pb_data")
	flags := []string{"--dir", dir}
	if engine == "postgres" {
		flags = append(flags, "--db", pgtest.DSN(t))
	}
	mustRun := func(args ...string) string {
		t.Helper()
		out, err := run(t, bin, nil, append(args, flags...)...)
		if err != nil {
			t.Fatalf("basalt %v: %v\n%s", args, err, out)
		}
		return out
	}
	mustRun("superuser", "upsert", "first@example.com", "password123")
	if out := mustRun("backup", "create", "one.zip"); !strings.Contains(out, "one.zip") {
		t.Fatalf("create output: %s", out)
	}
	if out := mustRun("backup", "create"); !regexp.MustCompile(`pb_backup_acme_\d{14}\.zip`).MatchString(out) {
		t.Fatalf("generated name: %s", out)
	}
	if out := mustRun("backup", "list"); !strings.Contains(out, "one.zip\t") {
		t.Fatalf("list output: %s", out)
	}
	if out := mustRun("backup", "verify", "one.zip"); !strings.Contains(out, "is valid") || !strings.Contains(out, "_superusers\t1\n") {
		t.Fatalf("verify output: %s", out)
	}
	mustRun("superuser", "upsert", "second@example.com", "password123")
	if out := mustRun("backup", "verify", "one.zip"); !strings.Contains(out, "_superusers\t1\n") {
		t.Fatalf("verify after a change: %s", out)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"create with separator", []string{"backup", "create", "../x.zip"}, "Must be in a valid format"},
		{"create existing", []string{"backup", "create", "one.zip"}, "already exists"},
		{"verify missing", []string{"backup", "verify", "nope.zip"}, "Missing or invalid backup file"},
		{"restore with parent dir", []string{"backup", "restore", "../one.zip"}, "Missing or invalid backup file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, bin, nil, append(tc.args, flags...)...)
			if err == nil || !strings.Contains(out, tc.want) {
				t.Fatalf("basalt %v: err=%v, output %q, want %q", tc.args, err, out, tc.want)
			}
		})
	}

	if out := mustRun("backup", "restore", "one.zip"); !strings.Contains(out, "restored one.zip") {
		t.Fatalf("restore output: %s", out)
	}
	// The restored data has one superuser; the local backups are kept.
	out, _ := run(t, bin, nil, append([]string{"superuser", "delete", "second@example.com"}, flags...)...)
	if !strings.Contains(out, "not found") {
		t.Fatalf("the superuser made after the backup still exists after the restore: %s", out)
	}
	if out := mustRun("backup", "list"); !strings.Contains(out, "one.zip\t") {
		t.Fatalf("list after restore: %s", out)
	}
}

// TestCLIRestoreKill9: a restore killed with SIGKILL at varying moments
// leaves a data dir that opens and is wholly the old or the new one.
func TestCLIRestoreKill9(t *testing.T) {
	bin := buildBinary(t)
	for i, delay := range []time.Duration{0, 20 * time.Millisecond, 60 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond} {
		dir := filepath.Join(t.TempDir(), "pb_data")
		runIn := func(args ...string) (string, error) {
			return run(t, bin, nil, append(args, "--dir", dir)...)
		}
		if out, err := runIn("superuser", "upsert", "old@example.com", "password123"); err != nil {
			t.Fatal(err, out)
		}
		// Some storage files make the archive (and the swap) take time.
		for j := 0; j < 200; j++ {
			p := filepath.Join(dir, "storage", "c", "r", fmt.Sprintf("file%03d.bin", j))
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, make([]byte, 32<<10), 0o644)
		}
		if out, err := runIn("backup", "create", "snap.zip"); err != nil {
			t.Fatal(err, out)
		}
		if out, err := runIn("superuser", "upsert", "new@example.com", "password123"); err != nil {
			t.Fatal(err, out)
		}
		cmd := exec.Command(bin, "backup", "restore", "snap.zip", "--dir", dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()

		out, err := runIn("backup", "list")
		if err != nil || !strings.Contains(out, "snap.zip") {
			t.Fatalf("run %d (kill after %v): the data dir does not open or lost its backups: %v %s", i, delay, err, out)
		}
		// Old: two superusers; new: one. Never anything else.
		out, _ = runIn("superuser", "update", "new@example.com", "password456")
		restored := strings.Contains(out, "not found")
		out, _ = runIn("superuser", "update", "old@example.com", "password456")
		if !strings.Contains(out, "Successfully saved") {
			t.Fatalf("run %d: the superuser present in both states is missing: %s", i, out)
		}
		t.Logf("kill after %v: %s data dir", delay, map[bool]string{true: "restored", false: "previous"}[restored])
		for _, p := range []string{dir + ".restore-new", dir + ".restore-old", dir + ".restore-failed"} {
			if _, err := os.Stat(p); err == nil {
				t.Fatalf("run %d: %s left behind", i, p)
			}
		}
	}
}

// TestAPIRestoreRestartsOnRestoredData: POST /api/backups/{key}/restore
// on a running server answers 204, the process restarts by itself on the
// restored data (same data dir, local backups kept); a restore whose
// archive fails its check answers 400 and the server goes on unchanged.
func TestAPIRestoreRestartsOnRestoredData(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "pb_data")
	if out, err := run(t, bin, nil, "superuser", "upsert", "old@example.com", "password123", "--dir", dir); err != nil {
		t.Fatal(err, out)
	}
	cmd := exec.Command(bin, "serve", "--http", "127.0.0.1:0", "--dir", dir)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// Every start (the first and the one after the restore, same pid,
	// same stdout) prints its address.
	started := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`Server started at (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				started <- m[1]
			}
		}
	}()
	waitStart := func() string {
		t.Helper()
		select {
		case u := <-started:
			return u
		case <-time.After(30 * time.Second):
			t.Fatal("server did not (re)start")
		}
		return ""
	}
	base := waitStart()
	login := func(base, email string) (string, int) {
		st, body, err := postJSON(base+"/api/collections/_superusers/auth-with-password", "", map[string]any{"identity": email, "password": "password123"})
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := body["token"].(string)
		return tok, st
	}
	su, st := login(base, "old@example.com")
	if st != 200 {
		t.Fatalf("login: %d", st)
	}
	if st, body, _ := postJSON(base+"/api/backups", su, map[string]any{"name": "snap.zip"}); st != 204 {
		t.Fatalf("create: %d %v", st, body)
	}
	if st, body, _ := postJSON(base+"/api/collections/_superusers/records", su, map[string]any{
		"email": "new@example.com", "password": "password123", "passwordConfirm": "password123"}); st != 200 {
		t.Fatalf("second superuser: %d %v", st, body)
	}

	// A backup that is a zip but not a data dir: 400, nothing changes.
	bad := filepath.Join(dir, "backups", "other_app.zip")
	if err := os.WriteFile(bad, zipBytes(t, "hello.txt", "not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, body, _ := postJSON(base+"/api/backups/other_app.zip/restore", su, nil); st != 400 {
		t.Fatalf("restore of another app's archive: %d %v", st, body)
	}
	if _, st := login(base, "new@example.com"); st != 200 {
		t.Fatalf("data changed after a refused restore: login %d", st)
	}

	if st, body, _ := postJSON(base+"/api/backups/snap.zip/restore", su, nil); st != 204 {
		t.Fatalf("restore: %d %v", st, body)
	}
	base = waitStart()
	if _, st := login(base, "new@example.com"); st != 400 {
		t.Fatalf("superuser made after the backup: login %d after the restore, want 400", st)
	}
	su, st = login(base, "old@example.com")
	if st != 200 {
		t.Fatalf("superuser of the backup: login %d", st)
	}
	req, _ := http.NewRequest("GET", base+"/api/backups", nil)
	req.Header.Set("Authorization", su)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), `"snap.zip"`) {
		t.Fatalf("backups after the restore: %s", raw)
	}
	for _, p := range []string{dir + ".restore-new", dir + ".restore-old"} {
		if _, err := os.Stat(p); err == nil {
			t.Fatalf("%s left behind", p)
		}
	}
}

func zipBytes(t *testing.T, name, content string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create(name)
	io.WriteString(w, content)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCLIRestoreRefusedWhileServing: `backup restore` refuses to swap the
// data dir under a running server (which would keep serving and writing
// the old, renamed one), and changes nothing.
func TestCLIRestoreRefusedWhileServing(t *testing.T) {
	bin := buildBinary(t)
	dir := filepath.Join(t.TempDir(), "pb_data")
	if out, err := run(t, bin, nil, "superuser", "upsert", "a@example.com", "password123", "--dir", dir); err != nil {
		t.Fatal(err, out)
	}
	if out, err := run(t, bin, nil, "backup", "create", "snap.zip", "--dir", dir); err != nil {
		t.Fatal(err, out)
	}
	cmd, base := startServe(t, bin, dir)
	out, err := run(t, bin, nil, "backup", "restore", "snap.zip", "--dir", dir)
	if err == nil || !strings.Contains(out, "in use by a running server") {
		t.Fatalf("restore while serving: err=%v %s", err, out)
	}
	for _, p := range []string{dir + ".restore-new", dir + ".restore-old"} {
		if _, err := os.Stat(p); err == nil {
			t.Fatalf("%s left behind", p)
		}
	}
	if st, _, err := postJSON(base+"/api/collections/_superusers/auth-with-password", "", map[string]any{"identity": "a@example.com", "password": "password123"}); err != nil || st != 200 {
		t.Fatalf("server after a refused restore: %d %v", st, err)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if out, err := run(t, bin, nil, "backup", "restore", "snap.zip", "--dir", dir); err != nil {
		t.Fatalf("restore after the server stopped: %v %s", err, out)
	}
}
