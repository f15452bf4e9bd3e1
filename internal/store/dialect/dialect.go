// Package dialect defines what differs between the SQL engines Basalt runs
// on (DESIGN §4). Everything engine-specific — connection setup, column
// types, JSON functions, introspection and error classification — is a
// method of Dialect; the store above writes only portable dbx SQL.
package dialect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ColumnKind is the storage kind of a column, mirrored from core's field
// column types so this package stays a leaf.
type ColumnKind int

// The column kinds (see core.ColumnType).
const (
	KindText ColumnKind = iota
	KindTextPK
	KindNumber
	KindBool
	KindJSON
	KindJSONArray
	KindGeoPoint
	// KindInteger is a 64-bit integer of the system tables (migration
	// times, log levels); no field stores one.
	KindInteger
)

// Options configures a connection.
type Options struct {
	// Durability "full" makes every commit survive power loss; the default
	// ("normal") survives a process crash (SQLite synchronous=NORMAL in WAL);
	// "off" leaves flushing to the OS (used for request logs only).
	Durability string
	// MaxReaders bounds the reader pool (default: one per CPU, at least
	// 2: reads are CPU-bound, and every SQLite reader maps the file, which
	// counts in the RSS once per connection; 2 and 4 readers gave the same
	// list throughput on 2 cores, bench/ Nov 2026).
	MaxReaders int
	// ReadOnly opens the database for reading only (no writer).
	ReadOnly bool
}

// Conns is a pair of handles: one writer connection (all writes are
// serialised through it) and a pool of readers.
type Conns struct {
	Writer *sql.DB
	Reader *sql.DB
	// PointReader, when set, serves reads of a few rows by primary key
	// (a record by id, relation checks, the auth record of a token):
	// an engine may tune it differently from Reader, which also runs
	// scans. Nil means Reader serves those too.
	PointReader *sql.DB
	// Checkpointer, when set, is a connection for write-ahead-log
	// checkpoints, which the engine then no longer runs inside commits:
	// the store runs them in the background, off the write path (an
	// automatic checkpoint inside a commit makes every write queued
	// behind that commit wait for the copy and its fsyncs).
	Checkpointer *sql.DB
	// WALBacklog, when set, estimates how many committed pages the
	// write-ahead log holds that are not yet in the database file, without
	// a lock: the store checkpoints when the backlog is worth it rather
	// than after every commit (each checkpoint that copies everything
	// makes the next commit restart the log, and that commit syncs it).
	WALBacklog func() (pages int, err error)
	// DataVersion, when set, returns a token that changes whenever any
	// connection of any process commits to the database, read without a
	// lock or a transaction; ok is false when it cannot tell (a torn or
	// missing read). The store's record cache trusts its entries only
	// while the token stays the same, which keeps the cache coherent with
	// writes it never saw (another process, the sqlite3 shell).
	DataVersion func() (token string, ok bool)
	// Commits, set with DataVersion, returns how many commits lie between
	// two of its tokens (0: the same data, even if the tokens differ); ok
	// is false when they cannot be compared. With it the store tells its
	// own commits, whose changes it knows, from everyone else's.
	Commits func(from, to string) (n uint32, ok bool)
	// Release, when set, frees what the engine holds besides the pools.
	// Close calls it after closing every pool, never before: SQLite's
	// WAL-index reader must not close its descriptor while connections
	// still hold locks on the file.
	Release func() error
	// DriverName is the dbx builder name matching the engine.
	DriverName string
	// Listen, when set (server engines with a notification channel:
	// PostgreSQL's LISTEN/NOTIFY), opens a dedicated connection named
	// name, listens on channel, calls ready once listening and wake for
	// every notification, until ctx ends or the connection fails; it
	// returns the reason. Callers re-listen, and re-read what they
	// follow after ready, since notifications sent while nobody
	// listened are gone.
	Listen func(ctx context.Context, channel, name string, ready, wake func()) error
}

// Close closes every pool, then calls Release.
func (c *Conns) Close() error {
	var err error
	for _, db := range []*sql.DB{c.Writer, c.Checkpointer, c.Reader, c.PointReader} {
		if db != nil {
			err = errors.Join(err, db.Close())
		}
	}
	if c.Release != nil {
		err = errors.Join(err, c.Release())
	}
	return err
}

// ValueType is the SQL type of an expression in a filter, as far as the
// translator knows it. SQLite compares values of any two types (with its
// affinity rules); a strictly typed engine needs them made comparable
// (see Dialect.Coerce).
type ValueType uint8

// The value types.
const (
	// TypeUnknown is NULL or an expression of no fixed type.
	TypeUnknown ValueType = iota
	TypeText
	TypeNumber
	TypeBool
	// TypeJSON is a value extracted from JSON (a JSON path): SQLite's
	// json_extract returns a scalar of any type, PostgreSQL a jsonb.
	TypeJSON
)

// Value is a typed SQL expression of a comparison.
type Value struct {
	SQL  string
	Type ValueType
	// Column marks a bare column reference, which has SQLite's type
	// affinity (a number compared with a text column is compared as
	// text, a text with a numeric column as a number).
	Column bool
}

// Caps are behaviours of an engine the store adapts to.
type Caps struct {
	// StatementErrorAbortsTx: a failed statement aborts the whole
	// transaction (PostgreSQL) instead of undoing only itself (SQLite),
	// so a statement whose error the caller may survive runs under a
	// savepoint of its own.
	StatementErrorAbortsTx bool
	// DistinctByGroup: SELECT DISTINCT cannot be ordered by expressions
	// outside its select list (PostgreSQL), so a query whose joins may
	// repeat main rows is grouped by the main row's id instead and its
	// ORDER BY terms aggregated.
	DistinctByGroup bool
	// NullsLast: the engine sorts NULLs after every value in ascending
	// order (PostgreSQL); SQLite sorts them first, which the store then
	// asks for explicitly.
	NullsLast bool
	// TextIsUTF8: text values must be valid UTF-8 without NUL bytes
	// (PostgreSQL refuses anything else), so a filter value that is not
	// is made valid before it is bound: no stored text can equal it.
	TextIsUTF8 bool
}

// Column describes one column of a table or view.
type Column struct {
	Name string
	Type string
	PK   bool
}

// Dialect is one SQL engine.
type Dialect interface {
	// Name is a short engine name ("sqlite", "postgres").
	Name() string

	// Open connects to dsn (a file path for SQLite) with the engine's
	// settings applied to every connection.
	Open(ctx context.Context, dsn string, opts Options) (*Conns, error)

	// ColumnDefinition is the column type and constraints for a kind,
	// e.g. "TEXT DEFAULT '' NOT NULL".
	ColumnDefinition(kind ColumnKind) string

	// QuoteIdent quotes an identifier.
	QuoteIdent(name string) string

	// JSONArray normalises expr to a JSON array: the value when it is one,
	// [] for empty/NULL, otherwise a one-item array (spec §3.9).
	JSONArray(expr string) string
	// JSONArrayLength is the number of items of JSONArray(expr).
	JSONArrayLength(expr string) string
	// JSONEach is a table-valued expression listing the items of
	// JSONArray(expr) with a "value" column.
	JSONEach(expr string) string
	// JSONExtract extracts a JSON path ("$.a[0].b") from expr, treating
	// non-JSON text as a JSON string.
	JSONExtract(expr, path string) string
	// Random is the random-order expression.
	Random() string
	// RowId is the insertion-order pseudo column.
	RowId() string
	// Strftime formats a time value: fmtExpr, valueExpr and modifiers are
	// SQL expressions; an empty valueExpr means now.
	Strftime(fmtExpr string, args ...string) string
	// Lower is a lower-casing expression.
	Lower(expr string) string
	// NullSafeNotEqual is a IS NOT b.
	NullSafeNotEqual(a, b string) string
	// NullSafeEqual is a IS b.
	NullSafeEqual(a, b string) string
	// Like is the case-insensitive (for ASCII) pattern match of expr
	// against pattern, with backslash as the escape character; negate gives the
	// NOT LIKE form (spec §3.2).
	Like(expr, pattern string, negate bool) string
	// GeoDistance is the Haversine distance in km (Earth radius 6371)
	// between two points given as SQL expressions in degrees (spec §3.7).
	GeoDistance(lonA, latA, lonB, latB string) string

	// Param types a bound placeholder holding a value of type t, for
	// engines that cannot infer it from the context.
	Param(placeholder string, t ValueType) string
	// Coerce makes l and r comparable with =, <, IS and the like; SQLite
	// compares any two values and returns them unchanged.
	Coerce(l, r Value) (string, string)
	// AsText is expr of type t as text (LIKE, COALESCE with '').
	AsText(expr string, t ValueType) string
	// AsNumber is expr of type t as a number (geoDistance arguments).
	AsNumber(expr string, t ValueType) string
	// Subquery wraps a SELECT to be used as a FROM item.
	Subquery(query string) string
	// IndexSQL translates a CREATE INDEX statement written in SQLite's
	// syntax (PocketBase's collection indexes) into the engine's.
	IndexSQL(stmt string) string
	// Caps reports the engine's behaviours the store adapts to.
	Caps() Caps
	// GroupOrder is an ORDER BY term of a query grouped by the main row
	// (Caps.DistinctByGroup): expr's least (greatest when desc) non-NULL
	// value over the group. dir is the term's direction suffix.
	GroupOrder(expr string, desc bool, dir string) string

	// TableColumns lists the columns of a table or view.
	TableColumns(ctx context.Context, db *sql.DB, table string) ([]Column, error)
	// TableExists reports whether a table or view with the name exists.
	TableExists(ctx context.Context, q Queryer, table string) (bool, error)
	// IndexNames lists the named indexes of a table.
	IndexNames(ctx context.Context, q Queryer, table string) ([]string, error)
	// Objects lists every user table and view name.
	Objects(ctx context.Context, q Queryer) ([]string, error)

	// IsUniqueViolation reports a unique-constraint error and, when the
	// engine tells, the "table.column" names involved.
	IsUniqueViolation(err error) (bool, []string)
	// IsBusy reports a lock/serialisation error worth retrying.
	IsBusy(err error) bool
	// IsConstraint reports any constraint violation (foreign key, check).
	IsConstraint(err error) bool

	// IntegrityCheck verifies the database file; nil means healthy.
	IntegrityCheck(ctx context.Context, db *sql.DB) error
	// Snapshot writes a consistent copy of the database to the new file
	// dest while other connections keep writing: the copy holds exactly
	// the transactions committed when it started (backups, issue 23).
	Snapshot(ctx context.Context, db *sql.DB, dest string) error
	// Checkpoint flushes the write-ahead log, if the engine has one:
	// passive copies what it can without waiting for readers or writers
	// (the background checkpoints); otherwise it copies everything and
	// truncates the log (at close). It returns the log's length and how
	// much of it is now in the database, in pages (0, 0 for engines
	// without one).
	Checkpoint(ctx context.Context, db *sql.DB, passive bool) (logPages, copied int, err error)
}

// Queryer is what introspection needs: a *sql.DB, *sql.Conn or *sql.Tx.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Haversine is the great-circle distance in km between two lon/lat points
// given as SQL expressions, in the math functions both engines have
// (asin, sqrt, power, sin, cos, radians): the GeoDistance of a dialect.
func Haversine(lonA, latA, lonB, latB string) string {
	return fmt.Sprintf("(6371 * 2 * asin(sqrt(power(sin((radians(%[4]s) - radians(%[2]s)) / 2), 2) + cos(radians(%[2]s)) * cos(radians(%[4]s)) * power(sin((radians(%[3]s) - radians(%[1]s)) / 2), 2))))",
		lonA, latA, lonB, latB)
}
