package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/telemetry"
	"github.com/basalthq/basalt/internal/store/dialect"
)

// Options configures Open.
type Options struct {
	// Durability is "normal" (default) or "full" (see dialect.Options).
	Durability string
	// Logger receives store logs.
	Logger *slog.Logger
	// DSN, when set, names a server database (PostgreSQL) holding both
	// the data and the request logs; dataDir then holds only files.
	DSN string
}

// Store is the SQL implementation of core.Store over data.db (and
// auxiliary.db for logs).
type Store struct {
	db     *DB
	aux    *DB
	d      dialect.Dialect
	logger *slog.Logger

	// colMu guards cols, a name/id index of the collections the store
	// last saw, used to resolve relations while building SQL.
	colMu sync.RWMutex
	cols  map[string]*core.Collection

	colsMu    sync.RWMutex
	colsCache map[colsKey]string
	byIdCache map[*core.Collection][2]string    // see byIdSQL
	cteCache  map[*core.Collection]candidateSQL // see candidateCTE

	// recs caches records read by id for expands (nil when the engine
	// cannot tell when the data changed, see recordCache).
	recs *recordCache

	// node identifies this process in the change feed; feed is nil on
	// engines that are one process's file (see feed.go).
	node string
	feed *feed
}

var _ core.Store = (*Store)(nil)

// Open opens (creating when missing) dataDir/data.db and
// dataDir/auxiliary.db and makes sure the base tables exist.
func Open(ctx context.Context, d dialect.Dialect, dataDir string, opts Options) (*Store, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	dopts := dialect.Options{Durability: opts.Durability}
	dataDSN, auxDSN := filepath.Join(dataDir, "data.db"), filepath.Join(dataDir, "auxiliary.db")
	dataName, auxName := "data.db", "auxiliary.db"
	if opts.DSN != "" {
		// One server database: the logs are a table of it like the rest.
		dataDSN, auxDSN = opts.DSN, opts.DSN
		dataName, auxName = "database", "database (request logs)"
	}
	db, err := OpenDB(ctx, d, dataDSN, dopts, logger)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dataName, err)
	}
	// Request logs are not worth an fsync per batch, whatever the data's
	// durability: a crash of the OS may lose the last ones, never corrupt.
	aux, err := OpenDB(ctx, d, auxDSN, dialect.Options{Durability: "off"}, logger)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: %w", auxName, err)
	}
	s := &Store{db: db, aux: aux, d: d, logger: logger, cols: map[string]*core.Collection{},
		recs: newRecordCache(db.conns.DataVersion, db.conns.Commits)}
	if s.recs != nil {
		db.follower = s.recs
	}
	s.node = newNodeId()
	if db.conns.Listen != nil {
		s.feed = &feed{listen: db.conns.Listen}
	}
	if err := s.initBaseTables(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// DB returns the main database handle.
func (s *Store) DB() *DB { return s.db }

// Aux returns the auxiliary (logs) database handle.
func (s *Store) Aux() *DB { return s.aux }

// Close closes both databases.
func (s *Store) Close() error {
	return errors.Join(s.db.Close(), s.aux.Close())
}

func (s *Store) q(name string) string { return s.d.QuoteIdent(name) }

func (s *Store) initBaseTables(ctx context.Context) error {
	text := s.d.ColumnDefinition(dialect.KindText)
	js := s.d.ColumnDefinition(dialect.KindJSON)
	stmts := []string{
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (%s %s, %s %s, %s %s, %s %s)`,
			s.q("_params"), s.q("id"), s.d.ColumnDefinition(dialect.KindTextPK), s.q("value"), js,
			s.q("created"), text, s.q("updated"), text),
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (%s %s, %s %s)`,
			s.q("_migrations"), s.q("file"), "VARCHAR(255) PRIMARY KEY NOT NULL", s.q("applied"), s.d.ColumnDefinition(dialect.KindInteger)),
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (%s %s, %s %s, %s %s, %s %s, %s %s, %s %s, %s %s, %s %s, %s %s, %s %s, %s %s, %s %s, %s %s, %s %s)`,
			s.q("_collections"),
			s.q("id"), s.d.ColumnDefinition(dialect.KindTextPK),
			s.q("system"), s.d.ColumnDefinition(dialect.KindBool),
			s.q("type"), text,
			s.q("name"), "TEXT UNIQUE NOT NULL",
			s.q("fields"), s.d.ColumnDefinition(dialect.KindJSONArray),
			s.q("indexes"), s.d.ColumnDefinition(dialect.KindJSONArray),
			s.q("listRule"), "TEXT DEFAULT NULL",
			s.q("viewRule"), "TEXT DEFAULT NULL",
			s.q("createRule"), "TEXT DEFAULT NULL",
			s.q("updateRule"), "TEXT DEFAULT NULL",
			s.q("deleteRule"), "TEXT DEFAULT NULL",
			s.q("options"), js,
			s.q("created"), text,
			s.q("updated"), text),
	}
	if s.feed != nil {
		stmts = append(stmts, feedTables()...)
	}
	if err := s.db.Write(ctx, func(ctx context.Context) error {
		// Nodes starting together would race on the same DDL.
		if err := s.lockSchema(ctx); err != nil {
			return err
		}
		for _, st := range stmts {
			if _, err := Tx(ctx).NewQuery(st).Execute(); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return fmt.Errorf("create base tables: %w", err)
	}
	logs := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (%s %s, %s %s, %s %s, %s %s, %s %s, %s %s)`,
		s.q("_logs"), s.q("id"), s.d.ColumnDefinition(dialect.KindTextPK), s.q("level"), s.d.ColumnDefinition(dialect.KindInteger),
		s.q("message"), text, s.q("data"), js, s.q("created"), text, s.q("updated"), text)
	if err := s.aux.Exec(ctx, logs, nil); err != nil {
		return err
	}
	return s.aux.Exec(ctx, fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s)", s.q("idx_logs_created"), s.q("_logs"), s.q("created")), nil)
}

// RunInTx runs fn in one write transaction.
func (s *Store) RunInTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return s.db.Write(ctx, fn)
}

// GetParam reads a _params value.
func (s *Store) GetParam(ctx context.Context, key string) ([]byte, bool, error) {
	var v sql.NullString
	err := s.db.Builder(ctx).Select("value").From("_params").Where(dbx.HashExp{"id": key}).WithContext(ctx).Row(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return []byte(v.String), true, nil
}

// SetParam upserts a _params value.
func (s *Store) SetParam(ctx context.Context, key string, value []byte) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		now := nowString()
		res, err := Tx(ctx).Update("_params", dbx.Params{"value": string(value), "updated": now}, dbx.HashExp{"id": key}).WithContext(ctx).Execute()
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err = Tx(ctx).Insert("_params", dbx.Params{"id": key, "value": string(value), "created": now, "updated": now}).WithContext(ctx).Execute(); err != nil {
				return err
			}
		}
		return s.noteChange(ctx, ChangeSettings, "", key, "update", nil)
	})
}

// AppliedMigrations lists the applied migration file names in order.
//
// Inside a write transaction on a shared engine it first takes the
// cluster-wide schema lock, so MigrateUp's look-again-then-apply is
// serialised across nodes as it is across processes on SQLite.
func (s *Store) AppliedMigrations(ctx context.Context) ([]string, error) {
	if InTx(ctx) {
		if err := s.lockSchema(ctx); err != nil {
			return nil, err
		}
	}
	var rows []struct {
		File string `db:"file"`
	}
	err := s.db.Builder(ctx).Select("file").From("_migrations").OrderBy("applied ASC", "file ASC").WithContext(ctx).All(&rows)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.File
	}
	return out, nil
}

// RecordMigration marks file as applied (at unix-microsecond applied).
func (s *Store) RecordMigration(ctx context.Context, file string, applied int64) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := Tx(ctx).Insert("_migrations", dbx.Params{"file": file, "applied": applied}).WithContext(ctx).Execute()
		return err
	})
}

// ForgetMigration removes the record of file.
func (s *Store) ForgetMigration(ctx context.Context, file string) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := Tx(ctx).Delete("_migrations", dbx.HashExp{"file": file}).WithContext(ctx).Execute()
		return err
	})
}

// IntegrityCheck verifies data.db.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	return s.d.IntegrityCheck(ctx, s.db.ReaderDB())
}

// ParamKeys lists the keys of every _params value (export).
func (s *Store) ParamKeys(ctx context.Context) ([]string, error) {
	var rows []struct {
		Id string `db:"id"`
	}
	if err := s.db.Builder(ctx).Select("id").From("_params").OrderBy("id ASC").WithContext(ctx).All(&rows); err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Id
	}
	return out, nil
}

// UseMetrics reports the store on m: each database's write queue depth,
// group sizes, commit times and checkpoints, and the record and statement
// caches. The counters are read at scrape time, so they cost the queries
// one atomic add each. The app calls it when it is created.
func (s *Store) UseMetrics(m *telemetry.Metrics) {
	for _, d := range []struct {
		name string
		db   *DB
	}{{"data", s.db}, {"aux", s.aux}} {
		db := d.db
		db.metrics.Store(m.DB(d.name))
		labels := prometheus.Labels{"db": d.name}
		m.Func(telemetry.Gauge, "db_write_queue_depth", "Writes waiting in the write queue.", labels,
			func() float64 { return float64(len(db.queue)) })
		m.Func(telemetry.Counter, "stmt_cache_hits_total", "Prepared-statement cache lookups that found the statement.", labels,
			func() float64 { return float64(db.stmts.hits.Load() + db.pstmts.hits.Load() + db.wstmts.hits.Load()) })
		m.Func(telemetry.Counter, "stmt_cache_misses_total", "Prepared-statement cache lookups that had to prepare (or run unprepared).", labels,
			func() float64 {
				return float64(db.stmts.misses.Load() + db.pstmts.misses.Load() + db.wstmts.misses.Load())
			})
	}
	// The record cache is off on PostgreSQL: its series stay at 0 there
	// rather than vanish, so one dashboard fits both engines.
	rc := s.recs
	m.Func(telemetry.Counter, "record_cache_hits_total", "Records read by id that the record cache answered.", nil,
		func() float64 {
			if rc == nil {
				return 0
			}
			return float64(rc.hits.Load())
		})
	m.Func(telemetry.Counter, "record_cache_misses_total", "Records read by id that the record cache had to read.", nil,
		func() float64 {
			if rc == nil {
				return 0
			}
			return float64(rc.misses.Load())
		})
}
