package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/basalthq/basalt/internal/store/dialect"
	"github.com/basalthq/basalt/internal/store/dialect/postgres"
	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
	"github.com/basalthq/basalt/internal/store/dialect/sqlite"
)

func openTestDB(t *testing.T) *DB {
	t.Helper()
	var db *DB
	var err error
	if onPostgres(t) {
		db, err = OpenDB(context.Background(), postgres.Dialect{}, pgtest.DSN(t), dialect.Options{}, nil)
	} else {
		db, err = OpenDB(context.Background(), sqlite.Dialect{}, filepath.Join(t.TempDir(), "t.db"), dialect.Options{}, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Exec(context.Background(), `CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

func insert(ctx context.Context, id string, n int) error {
	_, err := Tx(ctx).NewQuery("INSERT INTO items (id, n) VALUES ({:id}, {:n})").Bind(map[string]any{"id": id, "n": n}).Execute()
	return err
}

func count(t *testing.T, db *DB) int {
	var n int
	if err := db.Builder(context.Background()).NewQuery("SELECT COUNT(*) FROM items").Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGroupCommitIsolatesFailures: concurrent writes share transactions,
// yet a failing write (duplicate key, error, panic) fails alone — with
// statements through dbx and through the writer's prepared statements
// (bound once per group and reused by its jobs, failed ones included).
func TestGroupCommitIsolatesFailures(t *testing.T) {
	forEngines(t, testGroupCommitIsolatesFailuresBoth)
}

func testGroupCommitIsolatesFailuresBoth(t *testing.T) {
	prepared := func(db *DB) func(ctx context.Context, id string, n int) error {
		return func(ctx context.Context, id string, n int) error {
			_, err := db.execWrite(ctx, "INSERT INTO items (id, n) VALUES (?, ?)", id, n)
			return err
		}
	}
	for _, tt := range []struct {
		name   string
		insert func(db *DB) func(ctx context.Context, id string, n int) error
	}{
		{"dbx", func(*DB) func(ctx context.Context, id string, n int) error { return insert }},
		{"prepared", prepared},
	} {
		t.Run(tt.name, func(t *testing.T) { testGroupCommitIsolatesFailures(t, tt.insert) })
	}
}

func testGroupCommitIsolatesFailures(t *testing.T, insertWith func(db *DB) func(ctx context.Context, id string, n int) error) {
	db := openTestDB(t)
	ctx := context.Background()
	insert := insertWith(db)
	if err := db.Write(ctx, func(ctx context.Context) error { return insert(ctx, "dup", 0) }); err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	var okCount, failCount atomic.Int64
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := db.Write(ctx, func(ctx context.Context) error {
				switch i % 10 {
				case 3:
					return insert(ctx, "dup", i) // unique violation
				case 5:
					if err := insert(ctx, fmt.Sprintf("half-%d", i), i); err != nil {
						return err
					}
					return errors.New("fails after a write") // its insert must vanish
				case 7:
					panic("boom")
				}
				return insert(ctx, fmt.Sprintf("ok-%d", i), i)
			})
			if err != nil {
				failCount.Add(1)
			} else {
				okCount.Add(1)
			}
		}(i)
	}
	wg.Wait()
	if okCount.Load() != n*7/10 || failCount.Load() != n*3/10 {
		t.Fatalf("ok=%d fail=%d", okCount.Load(), failCount.Load())
	}
	if got := count(t, db); got != 1+n*7/10 {
		t.Fatalf("rows = %d, want %d (failed writes must leave nothing)", got, 1+n*7/10)
	}
}

func TestNestedWriteAndAfterTx(t *testing.T) { forEngines(t, testNestedWriteAndAfterTx) }

func testNestedWriteAndAfterTx(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	var events []string
	var mu sync.Mutex
	record := func(s string) func(error) {
		return func(err error) {
			mu.Lock()
			events = append(events, fmt.Sprintf("%s:%v", s, err == nil))
			mu.Unlock()
		}
	}
	err := db.Write(ctx, func(ctx context.Context) error {
		AfterTx(ctx, record("outer"))
		if err := insert(ctx, "a", 1); err != nil {
			return err
		}
		// A failing nested write rolls back only itself and reports at once.
		nestedErr := db.Write(ctx, func(ctx context.Context) error {
			AfterTx(ctx, record("nested-failed"))
			_ = insert(ctx, "b", 2)
			return errors.New("nested failure")
		})
		if nestedErr == nil {
			t.Error("nested error lost")
		}
		// A successful nested write commits with the outer one.
		return db.Write(ctx, func(ctx context.Context) error {
			AfterTx(ctx, record("nested-ok"))
			return insert(ctx, "c", 3)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := count(t, db); got != 2 {
		t.Fatalf("rows = %d, want 2 (a and c)", got)
	}
	want := "[nested-failed:false outer:true nested-ok:true]"
	if fmt.Sprint(events) != want {
		t.Fatalf("events = %v, want %v", events, want)
	}
}

func TestReadsInsideWriteSeeOwnWrites(t *testing.T) { forEngines(t, testReadsInsideWriteSeeOwnWrites) }

func testReadsInsideWriteSeeOwnWrites(t *testing.T) {
	db := openTestDB(t)
	err := db.Write(context.Background(), func(ctx context.Context) error {
		if err := insert(ctx, "x", 1); err != nil {
			return err
		}
		var n int
		if err := db.Builder(ctx).NewQuery("SELECT COUNT(*) FROM items").Row(&n); err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("read inside tx saw %d rows", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWriteAfterCloseFails(t *testing.T) {
	db := openTestDB(t)
	db.Close()
	if err := db.Write(context.Background(), func(ctx context.Context) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

func BenchmarkWriteQueue(b *testing.B) {
	db, err := OpenDB(context.Background(), sqlite.Dialect{}, filepath.Join(b.TempDir(), "b.db"), dialect.Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	_ = db.Exec(context.Background(), `CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`, nil)
	var seq atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			if err := db.Write(context.Background(), func(ctx context.Context) error { return insert(ctx, fmt.Sprint(i), int(i)) }); err != nil {
				b.Error(err)
			}
		}
	})
}

// TestWALRestartsUnderConstantWrites: checkpoints run beside the writer,
// none inside commits. A background checkpoint cannot copy pages a reader
// still needs, and the writer keeps appending meanwhile, so the WAL would
// only grow; the write loop therefore checkpoints between groups while the
// WAL is long, and the WAL restarts from its beginning.
func TestWALRestartsUnderConstantWrites(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(ctx, sqlite.Dialect{}, filepath.Join(t.TempDir(), "wal.db"), dialect.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.walRestart = 64 // pages
	db.cpPause = time.Hour
	if err := db.Exec(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)`, nil); err != nil {
		t.Fatal(err)
	}
	next := 0
	write := func(n int) {
		t.Helper()
		for range n {
			next++
			if err := db.Exec(ctx, "INSERT INTO blobs (id, b) VALUES ({:id}, zeroblob(4096))", dbx.Params{"id": next}); err != nil {
				t.Fatal(err)
			}
		}
	}
	walPages := func() int {
		t.Helper()
		pages, _, err := db.Dialect.Checkpoint(ctx, db.conns.Checkpointer, true)
		if err != nil {
			t.Fatal(err)
		}
		return pages
	}

	write(100)
	// A reader inside a snapshot while the writer goes on.
	rtx, err := db.conns.Reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := rtx.QueryRowContext(ctx, "SELECT COUNT(*) FROM blobs").Scan(&n); err != nil {
		t.Fatal(err)
	}
	write(50)
	if !db.backgroundCheckpoint() {
		t.Fatal("a WAL of 150 blobs does not count as long")
	}
	_, copied, _ := db.Dialect.Checkpoint(ctx, db.conns.Checkpointer, true)
	if before := walPages(); copied >= before {
		t.Fatalf("the reader's snapshot did not hold the checkpoint back (%d of %d copied)", copied, before)
	}
	rtx.Rollback()

	write(2) // the write loop copies the rest after the first, restarts on the second
	if pages := walPages(); pages >= db.walRestart {
		t.Fatalf("WAL is %d pages after the writer's checkpoint: it did not restart", pages)
	}
	write(1) // the loop checkpoints after a group, once its callers have their result
	if db.walLong.Load() {
		t.Fatal("the write loop still checkpoints after the WAL restarted")
	}
	if got := countBlobs(t, db); got != next {
		t.Fatalf("rows = %d, want %d", got, next)
	}
}

func countBlobs(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.Builder(context.Background()).NewQuery("SELECT COUNT(*) FROM blobs").Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCheckpointWaitsForBacklog: while commits keep coming, the
// background checkpoint waits for a backlog worth its fsyncs (one that
// copies everything makes the next commit restart and sync the WAL), then
// copies it.
func TestCheckpointWaitsForBacklog(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(ctx, sqlite.Dialect{}, filepath.Join(t.TempDir(), "bl.db"), dialect.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.cpMinPages = 60
	db.cpIdle = time.Hour
	if err := db.Exec(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)`, nil); err != nil {
		t.Fatal(err)
	}
	insert := func(from, to int) {
		t.Helper()
		for i := from; i < to; i++ {
			if err := db.Exec(ctx, "INSERT INTO blobs (id, b) VALUES ({:id}, zeroblob(4096))", dbx.Params{"id": i}); err != nil {
				t.Fatal(err)
			}
		}
	}
	backlog := func() int {
		t.Helper()
		pages, err := db.conns.WALBacklog()
		if err != nil {
			t.Fatal(err)
		}
		return pages
	}
	insert(0, 10)
	time.Sleep(200 * time.Millisecond) // room for a checkpoint that should not come
	if pages := backlog(); pages < 10 {
		t.Fatalf("backlog %d pages after 10 blobs: checkpointed below the threshold", pages)
	}
	insert(10, 40) // ≥ 2 pages a blob: past the threshold
	deadline := time.Now().Add(10 * time.Second)
	for backlog() >= db.cpMinPages {
		if time.Now().After(deadline) {
			t.Fatalf("backlog still %d pages 10 s after passing the threshold", backlog())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := countBlobs(t, db); got != 40 {
		t.Fatalf("rows = %d, want 40", got)
	}
}

// TestBackgroundCheckpoint: committed pages reach the database file
// without any checkpoint inside a commit, and without further writes.
func TestBackgroundCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cp.db")
	db, err := OpenDB(ctx, sqlite.Dialect{}, path, dialect.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Exec(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)`, nil); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := db.Exec(ctx, "INSERT INTO blobs (id, b) VALUES ({:id}, zeroblob(4096))", dbx.Params{"id": i}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() >= 100*4096 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file is %d bytes 10 s after 400 KB were committed: no checkpoint ran", st.Size())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCancelledCallerKeepsItsGroup: a caller that goes away while its job
// runs must not take its group down. An interrupted write statement makes
// SQLite roll back the whole transaction, so started jobs run detached
// from their caller's cancellation.
func TestCancelledCallerKeepsItsGroup(t *testing.T) { forEngines(t, testCancelledCallerKeepsItsGroup) }

func testCancelledCallerKeepsItsGroup(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()

	started, release := make(chan struct{}), make(chan struct{})
	blocker := make(chan error, 1)
	go func() {
		blocker <- db.Write(ctx, func(ctx context.Context) error {
			close(started)
			<-release
			return insert(ctx, "first", 0)
		})
	}()
	<-started

	// b and the long write queue up behind the blocker: one group.
	bErr := make(chan error, 1)
	go func() { bErr <- db.Write(ctx, func(ctx context.Context) error { return insert(ctx, "b", 1) }) }()
	for len(db.queue) < 1 {
		time.Sleep(time.Millisecond)
	}
	const rows = 300000
	longCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	longErr := make(chan error, 1)
	go func() {
		longErr <- db.Write(longCtx, func(ctx context.Context) error {
			time.AfterFunc(5*time.Millisecond, cancel) // mid-statement
			_, err := Tx(ctx).NewQuery(fmt.Sprintf(`INSERT INTO items (id, n)
				WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %d)
				SELECT 'r' || x, x FROM c`, rows)).WithContext(ctx).Execute()
			return err
		})
	}()
	for len(db.queue) < 2 {
		time.Sleep(time.Millisecond)
	}
	close(release)

	if err := <-blocker; err != nil {
		t.Fatal(err)
	}
	if err := <-bErr; err != nil {
		t.Fatalf("b failed because its neighbour's caller went away: %v", err)
	}
	if err := <-longErr; err != nil {
		t.Fatalf("a started write was interrupted: %v", err)
	}
	if got := count(t, db); got != 2+rows {
		t.Fatalf("rows = %d, want %d", got, 2+rows)
	}
}

// TestStatementsIgnoreCancellationInsideAWrite: every statement path of a
// write transaction (dbx queries, prepared writes, savepoints, reads)
// runs to completion after the caller's context ended; the job itself
// still sees ctx.Err() and decides.
func TestStatementsIgnoreCancellationInsideAWrite(t *testing.T) {
	forEngines(t, testStatementsIgnoreCancellationInsideAWrite)
}

func testStatementsIgnoreCancellationInsideAWrite(t *testing.T) {
	db := openTestDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	var seen error
	err := db.Write(ctx, func(ctx context.Context) error {
		cancel()
		seen = ctx.Err()
		if _, err := db.execWrite(ctx, "INSERT INTO items (id, n) VALUES (?, ?)", "prepared", 1); err != nil {
			return fmt.Errorf("prepared write: %w", err)
		}
		if err := db.Write(ctx, func(ctx context.Context) error { return insert(ctx, "nested", 2) }); err != nil {
			return fmt.Errorf("nested write: %w", err)
		}
		rows, err := db.queryRows(ctx, "SELECT COUNT(*) FROM items", nil)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		defer rows.Close()
		var n int
		if !rows.Next() || rows.Scan(&n) != nil || n != 2 {
			return fmt.Errorf("read %d rows inside the write", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(seen, context.Canceled) {
		t.Fatalf("the job did not see its caller go away: %v", seen)
	}
	if got := count(t, db); got != 2 {
		t.Fatalf("rows = %d, want 2", got)
	}
}
