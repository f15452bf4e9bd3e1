package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
)

type ctxKey struct{}

// TestWriteOutsideTheRunningTransaction: a write made inside a write
// transaction with a context that does not carry it (the outer one,
// context.Background(), a context derived from the outer one), with the
// queue empty or full, fails with core.ErrWriteOutsideTransaction instead
// of waiting forever for the writer that runs the transaction itself;
// the transaction sees the error, later writes work and Close returns.
// Issue #22 (11): the writer blocked forever, and so did every later
// write and the shutdown.
func TestWriteOutsideTheRunningTransaction(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		inner     func(outer context.Context) context.Context
		fullQueue bool
	}{
		{name: "outer context", inner: func(outer context.Context) context.Context { return outer }},
		{name: "background context", inner: func(context.Context) context.Context { return context.Background() }},
		{name: "context derived from the outer one", inner: func(outer context.Context) context.Context {
			return context.WithValue(outer, ctxKey{}, 1)
		}},
		{name: "outer context, queue full", inner: func(outer context.Context) context.Context { return outer }, fullQueue: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := openTestDB(t)
			outer, cancel := context.WithCancel(context.Background())
			defer cancel()
			var queued sync.WaitGroup
			var innerErr error
			result := make(chan error, 1)
			go func() {
				result <- db.Write(outer, func(txCtx context.Context) error {
					if err := insert(txCtx, "in-tx", 1); err != nil {
						return err
					}
					if tc.fullQueue {
						// Other callers fill the queue while the writer is
						// busy here; they are served once this job returns.
						for i := range cap(db.queue) + 8 {
							queued.Go(func() {
								if err := db.Write(context.Background(), func(ctx context.Context) error {
									return insert(ctx, fmt.Sprint("q", i), i)
								}); err != nil {
									t.Errorf("queued write %d: %v", i, err)
								}
							})
						}
						for len(db.queue) < cap(db.queue) {
							time.Sleep(time.Millisecond)
						}
					}
					innerErr = db.Write(tc.inner(outer), func(ctx context.Context) error { return insert(ctx, "misuse", 2) })
					return innerErr
				})
			}()
			var err error
			select {
			case err = <-result:
			case <-time.After(10 * time.Second):
				t.Fatal("the transaction still waits 10 s after its write with a context outside it (deadlock)")
			}
			if !errors.Is(innerErr, core.ErrWriteOutsideTransaction) {
				t.Fatalf("inner write err = %v, want ErrWriteOutsideTransaction", innerErr)
			}
			if !errors.Is(err, core.ErrWriteOutsideTransaction) {
				t.Fatalf("transaction err = %v, want the inner error", err)
			}
			queued.Wait()
			if err := db.Write(context.Background(), func(ctx context.Context) error { return insert(ctx, "after", 3) }); err != nil {
				t.Fatalf("write after the misuse: %v", err)
			}
			want := 1 // "after"; the transaction rolled back and the refused write never ran
			if tc.fullQueue {
				want += cap(db.queue) + 8
			}
			if got := count(t, db); got != want {
				t.Fatalf("rows = %d, want %d", got, want)
			}
			closed := make(chan error, 1)
			go func() { closed <- db.Close() }()
			select {
			case err := <-closed:
				if err != nil {
					t.Fatalf("close: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Close still blocked 10 s after the misuse")
			}
		})
	}
}

// TestLongWriteIsNotMistakenForMisuse: a write that waits behind a long
// job, from another goroutine and with the same context as that job,
// waits for it and succeeds (only the writer's own goroutine is refused).
func TestLongWriteIsNotMistakenForMisuse(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	ctx := context.Background()
	started := make(chan struct{})
	release := make(chan struct{})
	long := make(chan error, 1)
	go func() {
		long <- db.Write(ctx, func(ctx context.Context) error {
			close(started)
			<-release
			return insert(ctx, "long", 1)
		})
	}()
	<-started
	second := make(chan error, 1)
	go func() {
		second <- db.Write(ctx, func(ctx context.Context) error { return insert(ctx, "second", 2) })
	}()
	// Hold the writer well past the self-check of the waiting write.
	time.Sleep(10 * db.selfCheck)
	select {
	case err := <-second:
		t.Fatalf("the waiting write returned %v while the long job still ran", err)
	default:
	}
	close(release)
	if err := <-long; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatalf("the write behind the long job: %v", err)
	}
	if got := count(t, db); got != 2 {
		t.Fatalf("rows = %d, want 2", got)
	}
}
