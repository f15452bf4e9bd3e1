package main

import (
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrateDownStaysDown (issue #22, defect 12): a migration reverted
// with `migrate down` stays reverted while other commands open the data
// dir; only `migrate up` or `serve` (which applies pending migrations, as
// PocketBase's does) bring it back.
func TestMigrateDownStaysDown(t *testing.T) {
	bin := buildBinary(t)
	root := t.TempDir()
	migDir := filepath.Join(root, "pb_migrations")
	dir := filepath.Join(root, "pb_data")
	if err := os.MkdirAll(migDir, 0o755); err != nil {
		t.Fatal(err)
	}
	const file = "1700000000_created_tasks.json"
	snapshot := `{"up":{"upsert":[{"id":"pbc_2601000001","name":"tasks","type":"base","listRule":"",
		"fields":[{"name":"title","type":"text"}]}]},"down":{"delete":["pbc_2601000001"]}}`
	if err := os.WriteFile(filepath.Join(migDir, file), []byte(snapshot), 0o644); err != nil {
		t.Fatal(err)
	}
	global := []string{"--dir", dir, "--migrationsDir", migDir}
	cli := func(args ...string) string {
		t.Helper()
		out, err := run(t, bin, nil, append(args, global...)...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	// applied reports whether the migration is recorded and its table exists.
	applied := func() (recorded, table bool) {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM _migrations WHERE file = ?`, file).Scan(&n); err != nil {
			t.Fatal(err)
		}
		var m int
		if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tasks'`).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return n == 1, m == 1
	}

	cli("migrate", "up")
	if rec, tab := applied(); !rec || !tab {
		t.Fatalf("after migrate up: recorded %v, table %v", rec, tab)
	}
	if out := cli("migrate", "down"); !strings.Contains(out, "Reverted "+file) {
		t.Fatalf("migrate down did not revert %s:\n%s", file, out)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"superuser upsert", []string{"superuser", "upsert", "a@example.com", "password123"}},
		{"migrate history-sync", []string{"migrate", "history-sync"}},
		{"superuser update", []string{"superuser", "update", "a@example.com", "password456"}},
		{"migrate collections", []string{"migrate", "collections"}},
	} {
		cli(tc.args...)
		if rec, tab := applied(); rec || tab {
			t.Fatalf("after `%s`: reverted migration re-applied (recorded %v, table %v)", tc.name, rec, tab)
		}
	}
	// A second `migrate down` reverts nothing more of this one: it is not
	// re-applied first and then reverted again.
	if out := cli("migrate", "down"); strings.Contains(out, "Reverted "+file) {
		t.Fatalf("migrate down reverted %s again (so it had been re-applied):\n%s", file, out)
	}
	if out := cli("migrate", "up"); !strings.Contains(out, "Applied "+file) {
		t.Fatalf("migrate up did not re-apply %s:\n%s", file, out)
	}
	if rec, tab := applied(); !rec || !tab {
		t.Fatalf("after migrate up: recorded %v, table %v", rec, tab)
	}

	// serve applies pending migrations, like PocketBase's serve.
	cli("migrate", "down")
	_, base := startServeArgs(t, bin, global...)
	resp, err := http.Get(base + "/api/collections/tasks/records")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("serve did not apply the pending migration: GET tasks records = %d", resp.StatusCode)
	}
}
