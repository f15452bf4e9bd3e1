package store

import (
	"context"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/basalthq/basalt/core"
)

// A write job's life: queued, then started by the write loop, or given up
// by its caller before that (see waitJob). Only one of the two happens.
const (
	jobQueued int32 = iota
	jobStarted
	jobAbandoned
)

// selfWriteCheck is how long a job runs before the writes waiting behind
// it check whether they were made by the job itself.
const selfWriteCheck = 20 * time.Millisecond

// The one wait that never ends is a write queued from inside the job the
// write loop is running: RunInTransaction's callback, or a hook of a
// save, writing with a context that does not carry the transaction (the
// outer one, context.Background(), ...). The loop runs jobs on its own
// goroutine, so that caller is the loop itself, waiting for a job only it
// could start: every later write hung behind it and Close never returned
// (issue #22, defect 11).
//
// A context cannot tell such a caller from another (many goroutines share
// context.Background(); a callback may derive its own), only its goroutine
// can, and Go offers no cheap way to ask "am I the writer's goroutine": a
// goroutine id costs a stack trace (~30 µs). So the question is asked only
// of writes waiting behind a job that has run for selfWriteCheck: a
// watcher (watchWriter) sees the same job still running after that long
// and wakes every write waiting at that moment (suspect); each compares
// its goroutine id with the loop's, once. The loop's own gives its job up
// before the loop could start it and returns
// core.ErrWriteOutsideTransaction: the transaction's callback sees the
// error and the loop carries on. The others go on waiting. Writes answered
// before a job ran that long (nearly all) pay nothing but one more select
// case; the loop pays an atomic store and a non-blocking send per job.

// waitJob waits for a queued job's result.
func (db *DB) waitJob(job *writeJob) error {
	suspect := *db.suspect.Load()
	for {
		select {
		case err := <-job.done:
			return err
		case <-db.loopDone:
			// A job that raced with Close after the final drain was never
			// run.
			select {
			case err := <-job.done:
				return err
			default:
				return ErrClosed
			}
		case <-suspect:
			suspect = nil // the answer does not change
			if db.onWriterGoroutine() && job.state.CompareAndSwap(jobQueued, jobAbandoned) {
				return core.ErrWriteOutsideTransaction
			}
		}
	}
}

// enqueue queues job once the queue has room, unless the caller is the
// loop's running job itself (see waitJob).
func (db *DB) enqueue(ctx context.Context, job *writeJob) error {
	suspect := *db.suspect.Load()
	for {
		select {
		case <-db.closed:
			return ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		case db.queue <- job:
			return nil
		case <-suspect:
			suspect = nil
			if db.onWriterGoroutine() {
				return core.ErrWriteOutsideTransaction
			}
		}
	}
}

// onWriterGoroutine reports whether the caller runs on the write loop's
// goroutine, and logs where when it does.
func (db *DB) onWriterGoroutine() bool {
	if goroutineID() != db.writerGID.Load() {
		return false
	}
	db.logger.Error("store: a write inside a write transaction did not use the transaction's context; it was refused",
		"err", core.ErrWriteOutsideTransaction, "stack", string(stackOf()))
	return true
}

// jobStarting is called by the loop before each job: it wakes the
// watcher when it waits for one.
func (db *DB) jobStarting(j *writeJob) {
	db.running.Store(j)
	select {
	case db.jobStarted <- struct{}{}:
	default:
	}
}

// watchWriter wakes the waiting writes (see waitJob) whenever the loop
// has run the same job for db.selfCheck. It sleeps while the loop is idle
// and polls every db.selfCheck while it is busy.
func (db *DB) watchWriter() {
	defer close(db.watchDone)
	defer func() {
		if r := recover(); r != nil {
			db.logger.Error("store: writer watch panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	t := time.NewTimer(time.Hour)
	t.Stop()
	for {
		select {
		case <-db.jobStarted:
		case <-db.loopDone:
			return
		}
		for j := db.running.Load(); j != nil; j = db.running.Load() {
			t.Reset(db.selfCheck)
			select {
			case <-t.C:
			case <-db.loopDone:
				return
			}
			if db.running.Load() == j {
				next := make(chan struct{})
				close(*db.suspect.Swap(&next))
			}
		}
	}
}

// goroutineID returns the current goroutine's id, parsed from the first
// line of its stack trace ("goroutine 123 [running]:"). It costs a stack
// walk, so it is only used off the hot path.
func goroutineID() uint64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	b := buf[:n]
	const prefix = "goroutine "
	if len(b) < len(prefix) {
		return 0
	}
	b = b[len(prefix):]
	end := 0
	for end < len(b) && b[end] >= '0' && b[end] <= '9' {
		end++
	}
	id, _ := strconv.ParseUint(string(b[:end]), 10, 64)
	return id
}

func stackOf() []byte {
	buf := make([]byte, 8<<10)
	return buf[:runtime.Stack(buf, false)]
}
