package server

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/cli"
	"github.com/basalthq/basalt/internal/store"
	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
	"github.com/basalthq/basalt/internal/store/dialect/sqlite"
)

func openBackupApp(t *testing.T, dir string) *core.App {
	t.Helper()
	app, err := open(context.Background(), cli.Global{Dir: dir, QueryTimeout: 30}, io.Discard, nil)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	return app
}

func addNotes(t *testing.T, app *core.App) *core.Collection {
	t.Helper()
	c := core.NewBaseCollection("notes")
	c.Fields = append(c.Fields, &core.TextField{BaseField: core.BaseField{Name: "title"}})
	if err := app.SaveCollection(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

func saveNote(ctx context.Context, app *core.App, c *core.Collection, title string) (string, error) {
	r := core.NewRecord(c)
	r.Set("title", title)
	if err := app.Save(ctx, r); err != nil {
		return "", err
	}
	return r.Id(), nil
}

func noteIds(t *testing.T, app *core.App) map[string]bool {
	t.Helper()
	recs, err := app.FindRecordsByFilter(context.Background(), "notes", "", "", 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range recs {
		out[r.Id()] = true
	}
	return out
}

// TestBackupUnderWriteLoadRestores: a backup taken while writers keep
// committing restores (through `backup restore`) to a data dir that
// passes integrity_check and holds every record acknowledged before the
// backup started, plus the storage files.
func TestBackupUnderWriteLoadRestores(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pb_data")
	app := openBackupApp(t, dir)
	notes := addNotes(t, app)
	if err := os.MkdirAll(filepath.Join(dir, "storage", "c1", "r1"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "storage", "c1", "r1", "a.txt"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}

	var (
		mu    sync.Mutex
		acked []string
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				id, err := saveNote(ctx, app, notes, "x")
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		}()
	}
	// Let the load build up, then note what was acknowledged before the
	// backup starts; the writers go on during the backup.
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 300 {
			break
		}
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	name, err := app.CreateBackup(ctx, "under_load.zip")
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	duringBackup := len(acked) - len(before)
	mu.Unlock()
	close(stop)
	wg.Wait()
	t.Logf("%d records before the backup, %d acknowledged while it ran", len(before), duringBackup)
	if _, err := saveNote(ctx, app, notes, "after"); err != nil {
		t.Fatal(err)
	}
	if err := app.Terminate(); err != nil {
		t.Fatal(err)
	}

	app = openBackupApp(t, dir)
	if err := restoreBackup(ctx, app, dir, name, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CheckDataDir(ctx, sqlite.Dialect{}, dir); err != nil {
		t.Fatalf("restored data dir: %v", err)
	}
	app = openBackupApp(t, dir)
	defer app.Terminate()
	got := noteIds(t, app)
	for _, id := range before {
		if !got[id] {
			t.Fatalf("record %s, acknowledged before the backup, is missing after the restore", id)
		}
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "storage", "c1", "r1", "a.txt")); err != nil || string(raw) != "hello" {
		t.Fatalf("storage file after restore: %q, %v", raw, err)
	}
	if _, err := os.Stat(filepath.Join(dir, core.BackupsDirName, name)); err != nil {
		t.Fatalf("the local backups did not survive the restore: %v", err)
	}
	for _, leftover := range []string{restoreNewDir(dir), restoreOldDir(dir)} {
		if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s left behind: %v", leftover, err)
		}
	}
}

// zipOf builds an archive in memory from name → content.
func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// symlinkZip is an archive whose storage entry is a symbolic link.
func symlinkZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "storage/link"}
	h.SetMode(os.ModeSymlink | 0o777)
	w, err := zw.CreateHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("/etc/passwd"))
	must(t, zw.Close())
	return buf.Bytes()
}

// TestRestoreRefusesBadArchives: an archive failing any check of a restore
// leaves the data dir exactly as it was, with no scratch dirs left.
func TestRestoreRefusesBadArchives(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pb_data")
	app := openBackupApp(t, dir)
	notes := addNotes(t, app)
	id, err := saveNote(ctx, app, notes, "keep me")
	if err != nil {
		t.Fatal(err)
	}
	good, err := app.CreateBackup(ctx, "good.zip")
	if err != nil {
		t.Fatal(err)
	}
	goodZip, err := os.ReadFile(filepath.Join(dir, core.BackupsDirName, good))
	if err != nil {
		t.Fatal(err)
	}
	app.Terminate()

	corruptDB := bytes.Repeat([]byte("SQLite format 3\x00"), 512)
	tests := []struct {
		name    string
		archive []byte
		want    string
	}{
		{"not a zip", []byte("just text"), "not a zip"},
		{"zip-slip", zipOf(t, map[string][]byte{"../evil.txt": []byte("x"), "data.db": nil}), "escapes"},
		{"absolute entry", zipOf(t, map[string][]byte{"/etc/evil": []byte("x")}), "escapes"},
		{"backslash entry", zipOf(t, map[string][]byte{`..\evil`: []byte("x")}), "escapes"},
		{"backups inside", zipOf(t, map[string][]byte{"backups/x.zip": []byte("x")}), "never holds"},
		{"another app", zipOf(t, map[string][]byte{"hello.txt": []byte("x")}), "no data.db"},
		{"corrupt database", zipOf(t, map[string][]byte{"data.db": corruptDB}), "data.db"},
		{"oversized", goodZip, "expands past"},
		{"symlink entry", symlinkZip(t), "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := openBackupApp(t, dir)
			if tt.name == "oversized" {
				app.SetBackupLimits(core.BackupLimits{MaxExtractedSize: 1024})
			}
			key := strings.ReplaceAll(tt.name, " ", "_") + ".zip"
			if err := os.WriteFile(filepath.Join(dir, core.BackupsDirName, key), tt.archive, 0o644); err != nil {
				t.Fatal(err)
			}
			err := restoreBackup(ctx, app, dir, key, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("restore error = %v, want one mentioning %q", err, tt.want)
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil.txt")); err == nil {
				t.Fatal("an archive entry was written outside the data dir")
			}
			app = openBackupApp(t, dir)
			defer app.Terminate()
			if !noteIds(t, app)[id] {
				t.Fatal("the data changed after a refused restore")
			}
			assertNoScratch(t, dir)
		})
	}
}

func assertNoScratch(t *testing.T, dir string) {
	t.Helper()
	for _, p := range []string{restoreNewDir(dir), restoreOldDir(dir), filepath.Clean(dir) + ".restore-failed"} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s left behind", p)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, core.TempDirName))
	if len(entries) > 0 {
		t.Fatalf("scratch files left in %s: %v", core.TempDirName, entries)
	}
}

// TestRecoverInterruptedRestore: whatever step of the directory swap a
// crash (kill -9) interrupts, the next start finds a data dir that opens
// and is entirely the old or entirely the new one.
func TestRecoverInterruptedRestore(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// crash leaves the directories as a kill -9 at that step would.
		crash   func(t *testing.T, dir string)
		wantNew bool
	}{
		{"while extracting", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(restoreNewDir(dir), "storage"), 0o755)
			os.WriteFile(filepath.Join(restoreNewDir(dir), "data.db"), []byte("partial"), 0o644)
		}, false},
		{"after moving the old dir aside", func(t *testing.T, dir string) {
			must(t, os.Rename(dir, restoreOldDir(dir)))
		}, false},
		{"after moving the new dir in", func(t *testing.T, dir string) {
			must(t, os.Rename(dir, restoreOldDir(dir)))
			must(t, os.Rename(restoreNewDir(dir), dir))
		}, true},
		{"new dir in place but corrupt", func(t *testing.T, dir string) {
			must(t, os.Rename(dir, restoreOldDir(dir)))
			must(t, os.Rename(restoreNewDir(dir), dir))
			must(t, os.WriteFile(filepath.Join(dir, "data.db"), bytes.Repeat([]byte("x"), 4096), 0o644))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pb_data")
			app := openBackupApp(t, dir)
			notes := addNotes(t, app)
			oldId, _ := saveNote(ctx, app, notes, "old")
			name, err := app.CreateBackup(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			newOnly, _ := saveNote(ctx, app, notes, "after the backup")
			// Stage the backup as a restore does, then crash.
			if _, err := checkBackup(ctx, app, name, restoreNewDir(dir)); err != nil {
				t.Fatal(err)
			}
			app.Terminate()
			if tt.name == "while extracting" {
				os.RemoveAll(restoreNewDir(dir))
			}
			tt.crash(t, dir)

			app = openBackupApp(t, dir)
			defer app.Terminate()
			ids := noteIds(t, app)
			if !ids[oldId] {
				t.Fatal("a record present in both old and new data is missing")
			}
			if ids[newOnly] == tt.wantNew {
				t.Fatalf("record written after the backup present=%v; want the %s data dir", ids[newOnly], map[bool]string{true: "restored", false: "previous"}[tt.wantNew])
			}
			if _, err := os.Stat(filepath.Join(dir, core.BackupsDirName, name)); err != nil {
				t.Fatalf("local backups lost: %v", err)
			}
			assertNoScratch(t, dir)
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestAutoBackupCron: settings.backups.cron schedules __pbAutoBackup__
// (and clearing it removes the job); a run writes an @auto_pb_backup_
// archive and keeps only the newest cronMaxKeep automatic backups, never
// touching the others.
func TestAutoBackupCron(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) { autoBackupCron(t, engine) })
	}
}

// autoBackupCron is TestAutoBackupCron on one engine (on PostgreSQL the
// automatic backup is a portable archive, rotated the same way).
func autoBackupCron(t *testing.T, engine string) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pb_data")
	db := ""
	if engine == "postgres" {
		db = pgtest.DSN(t)
	}
	app, err := open(ctx, cli.Global{Dir: dir, QueryTimeout: 30, DB: db}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Terminate()
	if app.Cron().Has(core.CronAutoBackup) {
		t.Fatal("auto backups scheduled without settings.backups.cron")
	}
	s := app.Settings().Clone()
	s.Backups.Cron = "0 3 * * *"
	s.Backups.CronMaxKeep = 2
	if err := app.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, j := range app.Cron().List() {
		found = found || (j.Id == core.CronAutoBackup && j.Expression == "0 3 * * *")
	}
	if !found {
		t.Fatalf("jobs = %v, want %s at 0 3 * * *", app.Cron().List(), core.CronAutoBackup)
	}

	// Older automatic backups and a manual one.
	bdir := filepath.Join(dir, core.BackupsDirName)
	old := map[string]time.Duration{
		"@auto_pb_backup_acme_20200101000000.zip": 72 * time.Hour,
		"@auto_pb_backup_acme_20200102000000.zip": 48 * time.Hour,
		"@auto_pb_backup_acme_20200103000000.zip": 24 * time.Hour,
		"manual.zip": 96 * time.Hour,
	}
	for name, age := range old {
		p := filepath.Join(bdir, name)
		must(t, os.WriteFile(p, []byte("PK\x03\x04"), 0o644))
		at := time.Now().Add(-age)
		must(t, os.Chtimes(p, at, at))
	}
	must(t, app.Cron().Run(core.CronAutoBackup))
	// Stop waits for the run (and its rotation) to finish.
	stopCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	must(t, app.Cron().Stop(stopCtx))

	list, err := app.ListBackups(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, b := range list {
		keys = append(keys, b.Key)
	}
	if len(keys) != 3 || keys[0] != "@auto_pb_backup_acme_20200103000000.zip" ||
		!strings.HasPrefix(keys[1], "@auto_pb_backup_acme_2") || keys[1] == keys[0] || keys[2] != "manual.zip" {
		t.Fatalf("backups after rotation = %v, want the new auto backup, the newest old one and manual.zip", keys)
	}
	// The new archive is the engine's kind: a data dir with data.db on
	// SQLite, the portable archive on PostgreSQL.
	zr, err := zip.OpenReader(filepath.Join(bdir, keys[1]))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	want := map[string]string{"sqlite": "data.db", "postgres": portableManifest}[engine]
	found = false
	for _, f := range zr.File {
		found = found || f.Name == want
	}
	if !found {
		t.Fatalf("the %s auto backup has no %s", engine, want)
	}

	s = app.Settings().Clone()
	s.Backups.Cron = ""
	if err := app.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if app.Cron().Has(core.CronAutoBackup) {
		t.Fatal("clearing settings.backups.cron left the job scheduled")
	}
}
