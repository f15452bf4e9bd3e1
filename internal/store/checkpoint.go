package store

import (
	"context"
	"database/sql"
	"runtime/debug"
	"time"
)

// checkpointPause is the least time between two background checkpoints:
// under constant writes one checkpoint covers the commits of this span.
// Longer spans copy each hot page once for more commits: random-key
// indexes dirty a different leaf per record, and at ~10,000 creates/s
// (~30,000 WAL frames/s) a 50 ms span copied most of them once per
// checkpoint; at 200 ms server CPU per create fell ~10% (bench/,
// create c=32 and update, Nov 2026).
const checkpointPause = 200 * time.Millisecond

// checkpointMinPages is the WAL backlog (in pages, ≈4 MB; SQLite's own
// automatic checkpoint threshold) a background checkpoint waits for
// while commits keep coming.
//
// A checkpoint that copies every page lets the next commit restart the
// WAL from its beginning, and that commit syncs the WAL's new header: an
// fsync on the write path. Checkpointing after every commit at 20
// creates/s made nearly every commit pay one, and those fsyncs queued
// behind the checkpoint's own held some commits 20–60 ms (bench/
// realtime_k1000, perf sched trace, Nov 2026).
const checkpointMinPages = 1000

// checkpointIdle is how long after the last commit a smaller backlog is
// checkpointed anyway, so the database file catches up when writes stop.
const checkpointIdle = time.Second

// walRestartPages is the WAL length (in pages, ≈64 MB) past which the
// write loop is asked to checkpoint itself between two groups. It must
// stay well above what the writer commits during checkpointPause, or the
// write loop ends up checkpointing on every busy span.
const walRestartPages = 16384

// checkpointLoop copies committed WAL pages into the database file after
// commits, on its own connection, so the writer never pays for the copy
// and its fsyncs inside a commit. It waits for a backlog of cpMinPages
// (or cpIdle without commits); under constant writes one checkpoint
// covers at least the commits of cpPause.
//
// The WAL only restarts from its beginning when a write transaction
// starts with every page already copied, which a checkpoint running
// beside a busy writer rarely catches. So once the WAL is long, the write
// loop checkpoints between two groups (see writerCheckpoint): it finds
// only the pages committed since the last background checkpoint.
func (db *DB) checkpointLoop() {
	defer close(db.cpDone)
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	defer idle.Stop()
	for {
		select {
		case <-db.committed:
			if !db.checkpointDue() {
				idle.Reset(db.cpIdle)
				continue
			}
		case <-idle.C:
		case <-db.closed:
			return
		}
		idle.Stop()
		if db.backgroundCheckpoint() {
			continue // behind: no pause until the writer restarted the WAL
		}
		select {
		case <-time.After(db.cpPause):
		case <-db.closed:
			return
		}
	}
}

// checkpointDue reports whether the WAL backlog is worth a checkpoint
// now; without an estimate every commit is.
func (db *DB) checkpointDue() bool {
	if db.conns.WALBacklog == nil {
		return true
	}
	pages, err := db.conns.WALBacklog()
	return err != nil || pages >= db.cpMinPages
}

// backgroundCheckpoint is one checkpoint of checkpointLoop; when the WAL
// is long it asks the write loop for a checkpoint and reports true.
func (db *DB) backgroundCheckpoint() (long bool) {
	defer db.recoverCheckpoint()
	if db.checkpointOn(db.conns.Checkpointer, "background") >= db.walRestart {
		db.walLong.Store(true)
		return true
	}
	return false
}

// writerCheckpoint runs between two groups while the WAL is long, until
// it is short again: once a checkpoint here copied everything (readers
// still inside an older snapshot can prevent that), the writer's next
// transaction writes from the WAL's start.
// recoverCheckpoint keeps a panic in a checkpoint (the driver's) from
// ending the process: the checkpoint is skipped, the loops go on.
func (db *DB) recoverCheckpoint() {
	if r := recover(); r != nil {
		db.logger.Error("store: checkpoint panic", "panic", r, "stack", string(debug.Stack()))
	}
}

func (db *DB) writerCheckpoint() {
	defer db.recoverCheckpoint()
	if !db.walLong.Load() {
		return
	}
	if db.checkpointOn(db.conns.Writer, "writer") < db.walRestart {
		db.walLong.Store(false)
	}
}

// checkpointOn runs a passive checkpoint on conn and returns the WAL's
// length in pages (0 on failure, which is logged).
func (db *DB) checkpointOn(conn *sql.DB, by string) (pages int) {
	defer func() {
		if r := recover(); r != nil {
			db.logger.Error("store: checkpoint panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pages, _, err := db.Dialect.Checkpoint(ctx, conn, true)
	outcome := "ok"
	if err != nil {
		outcome = "busy"
		if !db.Dialect.IsBusy(err) {
			outcome = "error"
			db.logger.Warn("store: checkpoint", "error", err)
		}
	}
	db.metrics.Load().Checkpoint(by, outcome, pages)
	return pages
}
