package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basalthq/basalt/internal/store/dialect"
	"github.com/basalthq/basalt/internal/store/dialect/sqlite"
)

func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := OpenDB(context.Background(), sqlite.Dialect{}, filepath.Join(t.TempDir(), "t.db"), dialect.Options{}, nil)
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
// yet a failing write (duplicate key, error, panic) fails alone.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
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

func TestNestedWriteAndAfterTx(t *testing.T) {
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

func TestReadsInsideWriteSeeOwnWrites(t *testing.T) {
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

// TestWALStaysShortUnderConstantWrites: checkpoints run beside the writer
// (none inside commits), yet the WAL keeps restarting from its beginning
// while writes and reads never pause, instead of growing with every page
// written (a background checkpoint alone never catches the moment, and
// the WAL then grows past 3× the data written).
func TestWALStaysShortUnderConstantWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal.db")
	db, err := OpenDB(context.Background(), sqlite.Dialect{}, path, dialect.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.walRestart = 64 // pages: 256 KB
	db.cpPause = time.Millisecond
	ctx := context.Background()
	if err := db.Exec(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB NOT NULL)`, nil); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var n int
				if err := db.Builder(ctx).NewQuery("SELECT COUNT(*) FROM blobs WHERE id < 10").Row(&n); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(100 * time.Microsecond) // the gap between two requests

			}
		}()
	}
	const workers, perWorker, size = 8, 500, 4096
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				err := db.Write(ctx, func(ctx context.Context) error {
					_, err := Tx(ctx).NewQuery("INSERT INTO blobs (id, b) VALUES ({:id}, zeroblob({:n}))").
						Bind(map[string]any{"id": w*perWorker + i, "n": size}).Execute()
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				time.Sleep(500 * time.Microsecond) // a busy API, not a bulk load
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	var n int
	if err := db.Builder(ctx).NewQuery("SELECT COUNT(*) FROM blobs").Row(&n); err != nil || n != workers*perWorker {
		t.Fatalf("rows = %d, %v; want %d", n, err, workers*perWorker)
	}
	st, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	written := int64(workers * perWorker * size)
	if st.Size() > written/2 {
		t.Fatalf("WAL is %d bytes after writing %d: it did not restart", st.Size(), written)
	}
	t.Logf("WAL %d bytes after %d bytes written", st.Size(), written)
}
