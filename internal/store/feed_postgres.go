package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/basalthq/basalt/core"
)

// The change feed lets several nodes share one PostgreSQL database
// (issue #26 item 2). Every committed record, collection and settings
// change is a row of _changes, written by the same transaction as the
// change itself (a rolled-back write leaves no row) and announced with
// NOTIFY from a trigger (PostgreSQL delivers it at commit, never before,
// never for a rollback). Each node listens, and on every wake-up reads
// the rows it has not seen yet.
//
// Reading "after the last id" would lose rows: ids come from a sequence
// at insert time, so a transaction holding id 5 may commit after one
// holding id 6 that the reader already passed. The feed's cursor is the
// writers' transaction id instead: a row is read once every transaction
// older than it has ended (its xid is below the oldest running one,
// pg_snapshot_xmin), and from then on no row can appear below the
// cursor. The price is that a long-running write transaction anywhere in
// the cluster holds back delivery of the changes committed after it.
//
// The table is shaped for later uses besides cache and realtime
// following: replaying a client's missed events after a reconnect and
// webhook delivery (a monotonically increasing id, the kind, collection,
// record id, action, a JSON payload and the time).

// Change kinds of the feed.
const (
	// ChangeRecord is a record created, updated or deleted.
	ChangeRecord = "record"
	// ChangeCollections is a collection saved or deleted: reload them.
	ChangeCollections = "collections"
	// ChangeSettings is a _params value written (Record holds its key).
	ChangeSettings = "settings"
)

// Defaults of the feed's follower.
const (
	feedChannel      = "basalt_changes"
	feedBatch        = 500
	feedIdlePoll     = 5 * time.Second
	feedPruneEvery   = 5 * time.Minute
	feedRetention    = time.Hour
	feedMaxPending   = time.Second
	feedRelistenWait = 5 * time.Second
)

// schemaLockKey is the pg_advisory_xact_lock key that serialises schema
// changes and migration runs across nodes ("basalt" in ASCII).
const schemaLockKey = 0x626173616c74

// Change is one committed change read from the feed.
type Change struct {
	// Id increases with every change written (not in commit order).
	Id int64
	// Node is the writing node's id (see Store.NodeId).
	Node string
	// Kind is ChangeRecord, ChangeCollections or ChangeSettings.
	Kind string
	// Collection is the collection id (records and collections).
	Collection string
	// Record is the record id, or the _params key of a settings change.
	Record string
	// Action is "create", "update" or "delete" ("save" or "delete" for
	// collections).
	Action string
	// Data is JSON: the field values of a deleted record (the row is gone
	// when the change is read); nil otherwise.
	Data []byte
	// Created is when the change was written.
	Created time.Time
}

// feed is the store's side of the change feed (nil on engines without a
// notification channel: SQLite is one process's file).
type feed struct {
	node   string
	listen func(ctx context.Context, channel, name string, ready, wake func()) error
}

func newNodeId() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// NodeId identifies this store's process in the change feed and the
// _nodes table.
func (s *Store) NodeId() string { return s.node }

// Clustered reports whether the engine is a shared server database that
// several nodes may use at once (the change feed is on).
func (s *Store) Clustered() bool { return s.feed != nil }

// feedTables are created with the base tables on a clustered engine.
func feedTables() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS "_changes" ("id" BIGSERIAL PRIMARY KEY,
			"tx" xid8 NOT NULL DEFAULT pg_current_xact_id(), "node" TEXT NOT NULL, "kind" TEXT NOT NULL,
			"collection" TEXT NOT NULL DEFAULT '', "record" TEXT NOT NULL DEFAULT '', "action" TEXT NOT NULL DEFAULT '',
			"data" JSONB, "created" TIMESTAMPTZ NOT NULL DEFAULT now())`,
		`CREATE INDEX IF NOT EXISTS "idx_changes_tx" ON "_changes" ("tx", "id")`,
		`CREATE INDEX IF NOT EXISTS "idx_changes_created" ON "_changes" ("created")`,
		`CREATE OR REPLACE FUNCTION "basalt_changes_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN PERFORM pg_notify('` + feedChannel + `', ''); RETURN NULL; END $$`,
		`DROP TRIGGER IF EXISTS "basalt_changes_notify" ON "_changes"`,
		`CREATE TRIGGER "basalt_changes_notify" AFTER INSERT ON "_changes" FOR EACH STATEMENT EXECUTE FUNCTION "basalt_changes_notify"()`,
		`CREATE TABLE IF NOT EXISTS "_nodes" ("id" TEXT PRIMARY KEY, "storage" TEXT NOT NULL,
			"started" TIMESTAMPTZ NOT NULL DEFAULT now(), "seen" TIMESTAMPTZ NOT NULL DEFAULT now())`,
		`CREATE TABLE IF NOT EXISTS "_cluster" ("id" INTEGER PRIMARY KEY, "config" BIGINT NOT NULL)`,
		`INSERT INTO "_cluster" ("id", "config") VALUES (1, 0) ON CONFLICT DO NOTHING`,
		`CREATE TABLE IF NOT EXISTS "_cron_runs" ("job" TEXT NOT NULL, "tick" TIMESTAMPTZ NOT NULL,
			"node" TEXT NOT NULL, PRIMARY KEY ("job", "tick"))`,
	}
}

const insertChangeSQL = `INSERT INTO "_changes" ("node", "kind", "collection", "record", "action", "data") VALUES (?, ?, ?, ?, ?, ?::jsonb)`

// noteChange writes a change row in the transaction ctx carries (no-op
// when the feed is off). data, when not nil, is JSON.
func (s *Store) noteChange(ctx context.Context, kind, collection, record, action string, data []byte) error {
	if s.feed == nil {
		return nil
	}
	var d sql.NullString
	if data != nil {
		d = sql.NullString{String: string(data), Valid: true}
	}
	if _, err := s.db.execPrepared(ctx, insertChangeSQL, s.node, kind, collection, record, action, d); err != nil {
		return err
	}
	if kind != ChangeRecord {
		// Every node compares this counter before each request (see
		// core.App.Refresh); collection changes hold the schema lock, so
		// the row lock is rarely waited for.
		_, err := s.db.execPrepared(ctx, `UPDATE "_cluster" SET "config" = "config" + 1 WHERE "id" = 1`)
		return err
	}
	return nil
}

// ConfigVersion returns the count of collection and settings changes
// committed by any node (0 without a feed).
func (s *Store) ConfigVersion(ctx context.Context) (int64, error) {
	if s.feed == nil {
		return 0, nil
	}
	var v int64
	err := s.db.ReaderDB().QueryRowContext(ctx, `SELECT "config" FROM "_cluster" WHERE "id" = 1`).Scan(&v)
	return v, err
}

// noteRecordChange writes a record change with the record's field values
// as written: other nodes deliver and rule-check the event from them when
// the row has changed or gone by the time they read the feed (a create
// deleted before they caught up was otherwise lost), as the writing
// node's own clients get it.
func (s *Store) noteRecordChange(ctx context.Context, r *core.Record, id, action string) error {
	if s.feed == nil {
		return nil
	}
	var data []byte
	if action == "delete" {
		var err error
		if data, err = json.Marshal(r.Data()); err != nil {
			return err
		}
	}
	return s.noteChange(ctx, ChangeRecord, r.Collection().Id, id, action, data)
}

// lockSchema takes the cluster-wide schema lock for the transaction ctx
// carries (no-op when the feed is off: one process serialises its own
// writes).
func (s *Store) lockSchema(ctx context.Context) error {
	if s.feed == nil {
		return nil
	}
	_, err := s.db.execPrepared(ctx, "SELECT pg_advisory_xact_lock(?)", int64(schemaLockKey))
	return err
}

// feedCursor is where the follower stands: every change of a
// transaction below tx was read, and of transaction tx those up to id.
type feedCursor struct {
	tx string
	id int64
}

// feedHorizon returns the oldest transaction id still running: every
// change of a transaction below it is committed or gone for good.
func (s *Store) feedHorizon(ctx context.Context) (string, error) {
	var x string
	err := s.db.ReaderDB().QueryRowContext(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text`).Scan(&x)
	return x, err
}

// readChanges returns up to feedBatch changes after cur that are final,
// the new cursor, and whether more may be waiting (a full batch, or
// committed rows not final yet because an older transaction still runs).
func (s *Store) readChanges(ctx context.Context, cur feedCursor) ([]Change, feedCursor, bool, error) {
	horizon, err := s.feedHorizon(ctx)
	if err != nil {
		return nil, cur, false, err
	}
	rows, err := s.db.ReaderDB().QueryContext(ctx, `SELECT "id", "tx"::text, "node", "kind", "collection", "record", "action", "data"::text, "created"
		FROM "_changes" WHERE ("tx" > ?::xid8 OR ("tx" = ?::xid8 AND "id" > ?)) AND "tx" < ?::xid8
		ORDER BY "tx", "id" LIMIT ?`, cur.tx, cur.tx, cur.id, horizon, feedBatch)
	if err != nil {
		return nil, cur, false, err
	}
	defer rows.Close()
	var out []Change
	last := cur
	for rows.Next() {
		var c Change
		var tx string
		var data sql.NullString
		if err := rows.Scan(&c.Id, &tx, &c.Node, &c.Kind, &c.Collection, &c.Record, &c.Action, &data, &c.Created); err != nil {
			return nil, cur, false, err
		}
		if data.Valid {
			c.Data = []byte(data.String)
		}
		out = append(out, c)
		last = feedCursor{tx: tx, id: c.Id}
	}
	if err := rows.Err(); err != nil {
		return nil, cur, false, err
	}
	if len(out) == feedBatch {
		return out, last, true, nil
	}
	var pending bool
	if err := s.db.ReaderDB().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM "_changes" WHERE "tx" >= ?::xid8)`, horizon).Scan(&pending); err != nil {
		return nil, cur, false, err
	}
	return out, feedCursor{tx: horizon}, pending, nil
}

// FollowChanges calls fn, on one goroutine in commit order of the feed,
// with every change other nodes commit from now until ctx ends. It
// listens for the feed's notifications, re-reads after each reconnect of
// the listening connection (nothing is lost while it was down: the rows
// stay) and polls every few seconds besides. It also prunes changes older
// than an hour. It returns at once; without a feed it does nothing.
func (s *Store) FollowChanges(ctx context.Context, fn func(Change)) error {
	if s.feed == nil {
		return nil
	}
	horizon, err := s.feedHorizon(ctx)
	if err != nil {
		return fmt.Errorf("change feed: %w", err)
	}
	wake := make(chan struct{}, 1)
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	go s.listenLoop(ctx, signal)
	go s.followLoop(ctx, feedCursor{tx: horizon}, wake, fn)
	return nil
}

func (s *Store) listenLoop(ctx context.Context, signal func()) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("store: change feed listener panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	for ctx.Err() == nil {
		err := s.feed.listen(ctx, feedChannel, "basalt-feed "+s.node, signal, signal)
		if ctx.Err() != nil {
			return
		}
		s.logger.Warn("store: change feed listener lost its connection; reconnecting", "err", err)
		// Whatever was announced meanwhile is read by the poll that the
		// next ready (or the idle timer) triggers.
		signal()
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (s *Store) followLoop(ctx context.Context, cur feedCursor, wake <-chan struct{}, fn func(Change)) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("store: change feed panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	timer := time.NewTimer(feedIdlePoll)
	defer timer.Stop()
	retry := 5 * time.Millisecond
	lastPrune := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-timer.C:
		}
		next := feedIdlePoll
		for ctx.Err() == nil {
			rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			changes, nc, more, err := s.readChanges(rctx, cur)
			cancel()
			if err != nil {
				if ctx.Err() == nil {
					s.logger.Warn("store: read change feed", "err", err)
				}
				next = time.Second
				break
			}
			cur = nc
			for _, c := range changes {
				if c.Node != s.node {
					s.deliverChange(fn, c)
				}
			}
			if !more {
				retry = 5 * time.Millisecond
				break
			}
			if len(changes) < feedBatch {
				// Committed rows wait for an older transaction: look
				// again soon, backing off while it lasts.
				next = retry
				retry = min(2*retry, feedMaxPending)
				break
			}
		}
		if time.Since(lastPrune) > feedPruneEvery {
			lastPrune = time.Now()
			s.pruneChanges(ctx)
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(next)
	}
}

func (s *Store) deliverChange(fn func(Change), c Change) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("store: change feed consumer panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	fn(c)
}

// pruneChanges keeps the feed bounded: changes older than feedRetention
// are deleted (any node may do it; the deletes are idempotent).
func (s *Store) pruneChanges(ctx context.Context) {
	err := s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.db.execPrepared(ctx, `DELETE FROM "_changes" WHERE "created" < now() - ?::interval`, fmt.Sprintf("%d seconds", int(feedRetention/time.Second)))
		if err != nil {
			return err
		}
		_, err = s.db.execPrepared(ctx, `DELETE FROM "_cron_runs" WHERE "tick" < now() - interval '1 day'`)
		return err
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		s.logger.Warn("store: prune change feed", "err", err)
	}
}

// ClaimCronTick claims job's run of the minute tick for this node; it
// reports false when another node claimed it first. Each (job, tick)
// pair is a row: an advisory try-lock alone would let a slower node run
// the job again once a fast run released the lock within the same
// minute. Rows older than a day are pruned with the feed.
func (s *Store) ClaimCronTick(ctx context.Context, job string, tick time.Time) (bool, error) {
	if s.feed == nil {
		return true, nil
	}
	claimed := false
	err := s.db.Write(ctx, func(ctx context.Context) error {
		res, err := s.db.execPrepared(ctx, `INSERT INTO "_cron_runs" ("job", "tick", "node") VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			job, tick.UTC(), s.node)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	return claimed, err
}

// nodesLockKey serialises node registrations, so two nodes starting at
// once cannot both see the other missing.
const nodesLockKey = schemaLockKey + 1

// RegisterNode records this node in _nodes with its file storage kind
// ("local" or "s3") after forgetting nodes not seen for ttl, and returns
// the ids of the other live nodes. With refuse set, it registers nothing
// when other nodes are live (the caller refuses to start). Without a
// feed it returns nothing.
func (s *Store) RegisterNode(ctx context.Context, storage string, ttl time.Duration, refuse bool) ([]string, error) {
	if s.feed == nil {
		return nil, nil
	}
	var others []string
	err := s.db.Write(ctx, func(ctx context.Context) error {
		others = nil
		if _, err := s.db.execPrepared(ctx, "SELECT pg_advisory_xact_lock(?)", int64(nodesLockKey)); err != nil {
			return err
		}
		if _, err := s.db.execPrepared(ctx, `DELETE FROM "_nodes" WHERE "seen" < now() - ?::interval`, ttlInterval(ttl)); err != nil {
			return err
		}
		rows, err := Tx(ctx).NewQuery(`SELECT "id" FROM "_nodes" WHERE "id" <> {:id} ORDER BY "started"`).
			Bind(map[string]any{"id": s.node}).WithContext(ctx).Rows()
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			others = append(others, id)
		}
		rows.Close()
		if refuse && len(others) > 0 {
			return nil
		}
		_, err = s.db.execPrepared(ctx, `INSERT INTO "_nodes" ("id", "storage") VALUES (?, ?)
			ON CONFLICT ("id") DO UPDATE SET "storage" = EXCLUDED."storage", "seen" = now()`, s.node, storage)
		return err
	})
	return others, err
}

// HeartbeatNode refreshes this node's _nodes row (see RegisterNode).
func (s *Store) HeartbeatNode(ctx context.Context, storage string) error {
	if s.feed == nil {
		return nil
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.db.execPrepared(ctx, `INSERT INTO "_nodes" ("id", "storage") VALUES (?, ?)
			ON CONFLICT ("id") DO UPDATE SET "storage" = EXCLUDED."storage", "seen" = now()`, s.node, storage)
		return err
	})
}

// ForgetNode removes this node's _nodes row (at a clean shutdown).
func (s *Store) ForgetNode(ctx context.Context) error {
	if s.feed == nil {
		return nil
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.db.execPrepared(ctx, `DELETE FROM "_nodes" WHERE "id" = ?`, s.node)
		return err
	})
}

func ttlInterval(d time.Duration) string {
	return fmt.Sprintf("%d milliseconds", d.Milliseconds())
}
