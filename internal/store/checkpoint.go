package store

import (
	"context"
	"database/sql"
	"runtime/debug"
	"time"
)

// checkpointPause is the least time between two background checkpoints:
// under constant writes one checkpoint covers the commits of this span.
const checkpointPause = 50 * time.Millisecond

// walRestartPages is the WAL length (in pages, ≈16 MB) past which the
// write loop is asked to checkpoint itself between two groups.
const walRestartPages = 4096

// checkpointLoop copies committed WAL pages into the database file after
// commits, on its own connection, so the writer never pays for the copy
// and its fsyncs inside a commit. While the WAL is short, one checkpoint
// covers the commits of checkpointPause.
//
// The WAL only restarts from its beginning when a write transaction
// starts with every page already copied, which a checkpoint running
// beside a busy writer rarely catches. So once the WAL is long, the write
// loop checkpoints between two groups (see writerCheckpoint): it finds
// only the pages committed since the last background checkpoint.
func (db *DB) checkpointLoop() {
	defer close(db.cpDone)
	for {
		select {
		case <-db.committed:
		case <-db.closed:
			return
		}
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

// backgroundCheckpoint is one checkpoint of checkpointLoop; when the WAL
// is long it asks the write loop for a checkpoint and reports true.
func (db *DB) backgroundCheckpoint() (long bool) {
	if db.checkpointOn(db.conns.Checkpointer) >= db.walRestart {
		db.walLong.Store(true)
		return true
	}
	return false
}

// writerCheckpoint runs between two groups while the WAL is long, until
// it is short again: once a checkpoint here copied everything (readers
// still inside an older snapshot can prevent that), the writer's next
// transaction writes from the WAL's start.
func (db *DB) writerCheckpoint() {
	if !db.walLong.Load() {
		return
	}
	if db.checkpointOn(db.conns.Writer) < db.walRestart {
		db.walLong.Store(false)
	}
}

// checkpointOn runs a passive checkpoint on conn and returns the WAL's
// length in pages (0 on failure, which is logged).
func (db *DB) checkpointOn(conn *sql.DB) (pages int) {
	defer func() {
		if r := recover(); r != nil {
			db.logger.Error("store: checkpoint panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pages, _, err := db.Dialect.Checkpoint(ctx, conn, true)
	if err != nil && !db.Dialect.IsBusy(err) {
		db.logger.Warn("store: checkpoint", "error", err)
	}
	return pages
}
