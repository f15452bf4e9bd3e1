package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/cli"
	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

// TestPostgresBackupUnderWriteLoad (issue #26 item 3): a backup of a
// PostgreSQL database taken while four writers keep committing is one
// point in time although it reads the records in many queries: restored
// in place, it holds every record acknowledged before it started, and of
// each writer's sequence of records exactly a prefix (a later record
// without an earlier one would be a mix of two moments). The record saved
// after it and the files added after it are gone; its files are back.
func TestPostgresBackupUnderWriteLoad(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	defer func(n int) { portablePage = n }(portablePage)
	portablePage = 20 // many queries per archive
	dir := filepath.Join(t.TempDir(), "pb_data")
	openPG := func() *core.App {
		t.Helper()
		app, err := open(ctx, cli.Global{Dir: dir, QueryTimeout: 30, DB: dsn}, io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	app := openPG()
	notes := addNotes(t, app)
	file := filepath.Join(dir, "storage", "c1", "r1", "a.txt")
	must(t, os.MkdirAll(filepath.Dir(file), 0o755))
	must(t, os.WriteFile(file, []byte("hello"), 0o644))

	const writers = 4
	var (
		mu    sync.Mutex
		seqs  [writers][]string
		stop  = make(chan struct{})
		wg    sync.WaitGroup
		total = func() (n int) {
			mu.Lock()
			defer mu.Unlock()
			for _, s := range seqs {
				n += len(s)
			}
			return n
		}
	)
	for w := 0; w < writers; w++ {
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
				seqs[w] = append(seqs[w], id)
				mu.Unlock()
			}
		}()
	}
	for total() < 200 && !t.Failed() { // bounded: the writers stop on an error
	}
	mu.Lock()
	before := seqs
	for w := range before {
		before[w] = append([]string(nil), seqs[w]...)
	}
	mu.Unlock()
	name, err := app.CreateBackup(ctx, "under_load.zip")
	if err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if _, err := saveNote(ctx, app, notes, "after"); err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(filepath.Join(dir, "storage", "c1", "r1", "later.txt"), []byte("later"), 0o644))
	must(t, os.Remove(file))

	if err := restoreBackupInPlace(ctx, app, dir, name, io.Discard); err != nil {
		t.Fatal(err)
	}
	app = openPG()
	defer app.Terminate()
	got := noteIds(t, app)
	restored := 0
	for w, seq := range seqs {
		for _, id := range before[w] {
			if !got[id] {
				t.Fatalf("record %s, acknowledged before the backup, is missing after the restore", id)
			}
		}
		inPrefix := true
		for _, id := range seq {
			switch {
			case got[id] && !inPrefix:
				t.Fatalf("writer %d: record %s is in the backup but an earlier one of the same writer is not", w, id)
			case got[id]:
				restored++
			default:
				inPrefix = false
			}
		}
	}
	if restored != len(got) {
		t.Fatalf("%d records restored, %d of them from the writers: the record saved after the backup came back", len(got), restored)
	}
	if raw, err := os.ReadFile(file); err != nil || string(raw) != "hello" {
		t.Fatalf("storage file after restore: %q, %v", raw, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "storage", "c1", "r1", "later.txt")); !os.IsNotExist(err) {
		t.Fatalf("a file added after the backup survived the restore: %v", err)
	}
	assertNoScratch(t, dir)
}

// TestPostgresRestoreRefusesBadArchives: on PostgreSQL an archive failing
// any check of a restore answers an error wrapping core.ErrBadArchive and
// changes neither the database nor the files.
func TestPostgresRestoreRefusesBadArchives(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	dir := filepath.Join(t.TempDir(), "pb_data")
	app, err := open(ctx, cli.Global{Dir: dir, QueryTimeout: 30, DB: dsn}, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Terminate()
	notes := addNotes(t, app)
	id, err := saveNote(ctx, app, notes, "keep me")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "storage", "c1", "r1", "a.txt")
	must(t, os.MkdirAll(filepath.Dir(file), 0o755))
	must(t, os.WriteFile(file, []byte("hello"), 0o644))
	manifest := func(format, collections string) []byte {
		return []byte(`{"format":"` + format + `","engine":"postgres","collections":` + collections + `,"params":{},"migrations":[]}`)
	}
	okCols := `[{"id":"c_ok","name":"ok","type":"base","fields":[{"name":"id","type":"text","primaryKey":true}]}]`
	tests := []struct {
		name    string
		archive []byte
		limits  core.BackupLimits
	}{
		{"not a zip", []byte("PK\x03\x04 not really"), core.BackupLimits{}},
		{"no manifest", zipOf(t, map[string][]byte{"records/x.jsonl": nil}), core.BackupLimits{}},
		{"a SQLite data dir backup", zipOf(t, map[string][]byte{"data.db": []byte("SQLite format 3\x00")}), core.BackupLimits{}},
		{"unknown format", zipOf(t, map[string][]byte{portableManifest: manifest("basalt-export/99", "[]")}), core.BackupLimits{}},
		{"collection without a name", zipOf(t, map[string][]byte{portableManifest: manifest(portableFormat, `[{"id":"x"}]`)}), core.BackupLimits{}},
		{"records of an unlisted collection", zipOf(t, map[string][]byte{portableManifest: manifest(portableFormat, okCols), "records/other.jsonl": []byte("{}\n")}), core.BackupLimits{}},
		{"records that are not JSON", zipOf(t, map[string][]byte{portableManifest: manifest(portableFormat, okCols), "records/c_ok.jsonl": []byte("{not json\n")}), core.BackupLimits{}},
		{"unexpected entry", zipOf(t, map[string][]byte{portableManifest: manifest(portableFormat, okCols), "hooks/x.go": nil}), core.BackupLimits{}},
		{"entry escaping the dir", zipOf(t, map[string][]byte{portableManifest: manifest(portableFormat, okCols), "storage/../../x": nil}), core.BackupLimits{}},
		{"symbolic link", symlinkZip(t), core.BackupLimits{}},
		{"over the size limit", zipOf(t, map[string][]byte{portableManifest: manifest(portableFormat, okCols), "storage/big": bytes.Repeat([]byte("x"), 4096)}), core.BackupLimits{MaxExtractedSize: 1024}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app.SetBackupLimits(tc.limits)
			zipPath := filepath.Join(t.TempDir(), "a.zip")
			must(t, os.WriteFile(zipPath, tc.archive, 0o644))
			err := restorePortable(ctx, app, filepath.Join(dir, "storage"), zipPath)
			if !errors.Is(err, core.ErrBadArchive) {
				t.Fatalf("restore = %v, want an error wrapping ErrBadArchive", err)
			}
			if ids := noteIds(t, app); len(ids) != 1 || !ids[id] {
				t.Fatalf("notes after a refused restore: %v", ids)
			}
			if raw, err := os.ReadFile(file); err != nil || string(raw) != "hello" {
				t.Fatalf("file after a refused restore: %q %v", raw, err)
			}
			assertNoScratch(t, dir)
		})
	}
}
