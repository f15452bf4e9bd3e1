package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/basalthq/basalt/internal/store/dialect"
	"github.com/basalthq/basalt/internal/store/dialect/dialecttest"
	"github.com/basalthq/basalt/internal/store/dialect/sqlite"
)

func TestConformance(t *testing.T) {
	dialecttest.Run(t, sqlite.Dialect{}, filepath.Join(t.TempDir(), "c.db"))
}

// TestPragmasApplied: every pooled connection gets WAL and foreign keys;
// only the scan readers get memory-mapped reads (page reads without
// syscalls; WAL commits flush each reader's page cache, so list scans
// would otherwise re-read via pread): a read after a commit unmaps the
// file, which costs a point read more than it saves, and the writer's
// mapping only grew the RSS. Only the writer leaves checkpoints to the
// store.
func TestPragmasApplied(t *testing.T) {
	conns := openConns(t)
	// Only scans read through a mapping (see Open).
	for name, db := range map[string]*sql.DB{"writer": conns.Writer, "reader": conns.Reader, "point": conns.PointReader, "checkpointer": conns.Checkpointer} {
		var mode string
		var fk, mmap int64
		if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("%s journal_mode = %q %v", name, mode, err)
		}
		if err := db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("%s foreign_keys = %d %v", name, fk, err)
		}
		if err := db.QueryRow("PRAGMA mmap_size").Scan(&mmap); err != nil || (mmap > 0) != (name == "reader") {
			t.Errorf("%s mmap_size = %d %v", name, mmap, err)
		}
		var autocp int64
		if err := db.QueryRow("PRAGMA wal_autocheckpoint").Scan(&autocp); err != nil || (name == "writer") != (autocp == 0) {
			t.Errorf("%s wal_autocheckpoint = %d %v (only the writer leaves checkpoints to the store)", name, autocp, err)
		}
		if name == "reader" || name == "point" {
			if _, err := db.Exec("CREATE TABLE x (a)"); err == nil {
				t.Errorf("%s pool accepts writes", name)
			}
		}
	}
}

// TestWALBacklog: the lock-free estimate read from the WAL index equals
// the committed frames a checkpoint then finds, and drops to zero once
// they are copied.
func TestWALBacklog(t *testing.T) {
	ctx := t.Context()
	conns := openConns(t)
	if conns.WALBacklog == nil {
		t.Fatal("no WAL backlog estimate")
	}
	if _, err := conns.Writer.Exec("CREATE TABLE blobs (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := conns.Writer.Exec("INSERT INTO blobs VALUES (zeroblob(4096))"); err != nil {
			t.Fatal(err)
		}
	}
	backlog, err := conns.WALBacklog()
	if err != nil {
		t.Fatal(err)
	}
	logPages, copied, err := sqlite.Dialect{}.Checkpoint(ctx, conns.Checkpointer, true)
	if err != nil {
		t.Fatal(err)
	}
	if backlog < 20 || backlog != logPages || copied != logPages {
		t.Fatalf("backlog %d before a checkpoint of %d pages (%d copied)", backlog, logPages, copied)
	}
	if backlog, err = conns.WALBacklog(); err != nil || backlog != 0 {
		t.Fatalf("backlog after the checkpoint = %d, %v", backlog, err)
	}
}

// openConns opens every connection of a database in a temporary directory,
// closed when the test ends.
func openConns(t *testing.T) *dialect.Conns {
	t.Helper()
	conns, err := sqlite.Dialect{}.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"), dialect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conns.Close() })
	return conns
}

// openWithTable is openConns with a table t (a) created by the writer; it
// returns the database file's path too.
func openWithTable(t *testing.T) (*dialect.Conns, string) {
	t.Helper()
	conns := openConns(t)
	if _, err := conns.Writer.Exec("CREATE TABLE t (a)"); err != nil {
		t.Fatal(err)
	}
	var path string
	if err := conns.Writer.QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path); err != nil {
		t.Fatal(err)
	}
	return conns, path
}

// TestConcurrentOpenOfNewFile: connections opening the same new file at
// once (two processes started on an empty data dir) all succeed, although
// turning a new file to WAL can make SQLite refuse one of them at once.
func TestConcurrentOpenOfNewFile(t *testing.T) {
	const files, openers = 30, 6
	for i := range files {
		path := filepath.Join(t.TempDir(), "new"+strconv.Itoa(i)+".db")
		errs := make(chan error, openers)
		for range openers {
			go func() {
				conns, err := sqlite.Dialect{}.Open(t.Context(), path, dialect.Options{})
				if err == nil {
					conns.Close()
				}
				errs <- err
			}()
		}
		for range openers {
			if err := <-errs; err != nil {
				t.Fatalf("file %d: %v", i, err)
			}
		}
	}
}

// TestDataVersion: the version token changes with every commit — from the
// store's writer, from an outside connection, and across a checkpoint that
// restarts the log — and only then: reads leave it alone.
func TestDataVersion(t *testing.T) {
	ctx := t.Context()
	conns, path := openWithTable(t)
	if conns.DataVersion == nil {
		t.Fatal("no data version")
	}
	outside, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer outside.Close()

	version := func() string {
		t.Helper()
		v, ok := conns.DataVersion()
		if !ok {
			t.Fatal("data version not readable")
		}
		return v
	}
	inTx := func(stmts ...string) func() error {
		return func() error {
			tx, err := conns.Writer.Begin()
			if err != nil {
				return err
			}
			for _, q := range stmts {
				if _, err := tx.Exec(q); err != nil {
					tx.Rollback()
					return err
				}
			}
			return tx.Commit()
		}
	}
	steps := []struct {
		name    string
		run     func() error
		changes bool
		commits uint32
	}{
		{"nothing", func() error { return nil }, false, 0},
		{"read on the reader", func() error { return conns.Reader.QueryRow("SELECT count(*) FROM t").Scan(new(int)) }, false, 0},
		{"commit on the writer", func() error { _, err := conns.Writer.Exec("INSERT INTO t VALUES (1)"); return err }, true, 1},
		{"commit from outside", func() error { _, err := outside.Exec("INSERT INTO t VALUES (2)"); return err }, true, 1},
		{"two commits", func() error {
			if _, err := conns.Writer.Exec("INSERT INTO t VALUES (5)"); err != nil {
				return err
			}
			_, err := outside.Exec("INSERT INTO t VALUES (6)")
			return err
		}, true, 2},
		{"rolled back", func() error {
			tx, err := conns.Writer.Begin()
			if err != nil {
				return err
			}
			if _, err := tx.Exec("INSERT INTO t VALUES (3)"); err != nil {
				return err
			}
			return tx.Rollback()
		}, false, 0},
		// The store counts on these two: a transaction whose write
		// statements changed no row commits nothing, and one that changed
		// rows commits even when a savepoint undid them.
		{"write changing no row", inTx("UPDATE t SET a = 0 WHERE a = -1"), false, 0},
		{"changes undone by a savepoint", inTx("SAVEPOINT s", "INSERT INTO t VALUES (4)", "ROLLBACK TO s", "RELEASE s"), true, 1},
		{"checkpoint", func() error { _, _, err := sqlite.Dialect{}.Checkpoint(ctx, conns.Checkpointer, true); return err }, false, 0},
		{"commit restarting the log", func() error { _, err := conns.Writer.Exec("UPDATE t SET a = a + 1"); return err }, true, 1},
	}
	for _, st := range steps {
		before := version()
		if err := st.run(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		after := version()
		if n, ok := conns.Commits(before, after); !ok || n != st.commits {
			t.Errorf("%s: Commits = %d, %v; want %d", st.name, n, ok, st.commits)
		}
		if changed := after != before; changed != st.changes {
			t.Errorf("%s: version changed = %v, want %v", st.name, changed, st.changes)
		}
	}
}

// TestDataVersionOutlivesPools: the version stays the live one while every
// pool of the store is closed and another connection commits. SQLite
// deletes the WAL index when a process closes its last connection and the
// next opener builds a new file; the index's pinned connection prevents
// that, so the reader never watches a deleted file that no longer changes.
func TestDataVersionOutlivesPools(t *testing.T) {
	conns, path := openWithTable(t)
	before, ok := conns.DataVersion()
	if !ok {
		t.Fatal("data version not readable")
	}
	for _, db := range []*sql.DB{conns.Writer, conns.Checkpointer, conns.Reader, conns.PointReader} {
		db.Close()
	}
	outside, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer outside.Close()
	if _, err := outside.Exec("INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	after, ok := conns.DataVersion()
	if !ok {
		t.Fatal("data version not readable after the commit")
	}
	if n, ok := conns.Commits(before, after); !ok || n != 1 {
		t.Fatalf("Commits across the outside insert = %d, %v; want 1", n, ok)
	}
	if err := conns.Release(); err != nil {
		t.Fatal(err)
	}
	if _, ok := conns.DataVersion(); ok {
		t.Fatal("data version readable after Release")
	}
	if _, err := conns.WALBacklog(); err == nil {
		t.Fatal("backlog readable after Release")
	}
}
