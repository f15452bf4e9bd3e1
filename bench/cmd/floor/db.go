package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"time"

	"github.com/basalthq/basalt/bench/internal/setup"
	_ "modernc.org/sqlite" // the same pure-Go driver PocketBase and Basalt use
)

// schema mirrors the tables PocketBase creates for the benchmark
// collections (same column types, defaults and indexes).
var schema = []string{
	"CREATE TABLE IF NOT EXISTS `users` (`avatar` TEXT DEFAULT '' NOT NULL, `created` TEXT DEFAULT '' NOT NULL, `email` TEXT DEFAULT '' NOT NULL, `emailVisibility` BOOLEAN DEFAULT FALSE NOT NULL, `id` TEXT PRIMARY KEY NOT NULL, `name` TEXT DEFAULT '' NOT NULL, `password` TEXT DEFAULT '' NOT NULL, `tokenKey` TEXT DEFAULT '' NOT NULL, `updated` TEXT DEFAULT '' NOT NULL, `verified` BOOLEAN DEFAULT FALSE NOT NULL)",
	"CREATE UNIQUE INDEX IF NOT EXISTS `idx_floor_users_email` ON `users` (`email`) WHERE `email` != ''",
	"CREATE TABLE IF NOT EXISTS `posts` (`author` TEXT DEFAULT '' NOT NULL, `body` TEXT DEFAULT '' NOT NULL, `created` TEXT DEFAULT '' NOT NULL, `id` TEXT PRIMARY KEY NOT NULL, `published` BOOLEAN DEFAULT FALSE NOT NULL, `tags` JSON DEFAULT '[]' NOT NULL, `title` TEXT DEFAULT '' NOT NULL, `updated` TEXT DEFAULT '' NOT NULL, `views` NUMERIC DEFAULT 0 NOT NULL)",
	"CREATE INDEX IF NOT EXISTS `idx_bench_posts_created` ON `posts` (`created`)",
	"CREATE INDEX IF NOT EXISTS `idx_bench_posts_author` ON `posts` (`author`)",
}

// pragmas match a typical PocketBase/Basalt SQLite setup: WAL,
// synchronous=NORMAL, busy timeout, foreign keys.
const pragmas = "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
	"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)"

// openDBs opens a reader pool and a single-connection writer on path.
func openDBs(path string, readers int) (rdb, wdb *sql.DB, err error) {
	wdb, err = sql.Open("sqlite", "file:"+path+pragmas)
	if err != nil {
		return nil, nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	for _, q := range schema {
		if _, err := wdb.Exec(q); err != nil {
			return nil, nil, fmt.Errorf("schema: %w", err)
		}
	}
	rdb, err = sql.Open("sqlite", "file:"+path+pragmas)
	if err != nil {
		return nil, nil, err
	}
	rdb.SetMaxOpenConns(readers)
	rdb.SetMaxIdleConns(readers)
	return rdb, wdb, nil
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// newID returns a random 15-character [a-z0-9] id like PocketBase's.
func newID() string {
	var b [15]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b[:])
}

// timeLayout is the PocketBase datetime format.
const timeLayout = "2006-01-02 15:04:05.000Z"

// seed fills an empty database with users and posts generated exactly like
// the loadgen's API setup does.
func seed(ctx context.Context, wdb *sql.DB, users, posts int) error {
	var n int
	if err := wdb.QueryRowContext(ctx, "SELECT COUNT(*) FROM posts").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	tx, err := wdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	base := time.Now().UTC().Add(-time.Hour)
	ids := make([]string, users)
	for i := range users {
		ids[i] = newID()
		ts := base.Format(timeLayout)
		if _, err := tx.ExecContext(ctx, "INSERT INTO users (id, email, name, verified, created, updated) VALUES (?, ?, ?, TRUE, ?, ?)",
			ids[i], setup.UserEmail(i), fmt.Sprintf("User %d", i), ts, ts); err != nil {
			return err
		}
	}
	ins, err := tx.PrepareContext(ctx, insertSQL)
	if err != nil {
		return err
	}
	for i := range posts {
		d := setup.PostData(i, ids[i%users])
		p := postInput{Title: d["title"].(string), Body: d["body"].(string), Views: float64(d["views"].(int)),
			Published: d["published"].(bool), Author: d["author"].(string), Tags: d["tags"].([]string)}
		ts := base.Add(time.Duration(i) * time.Millisecond).Format(timeLayout)
		if _, err := ins.ExecContext(ctx, p.args(newID(), ts)...); err != nil {
			return err
		}
	}
	return tx.Commit()
}
