// Package sqlite is the embedded SQLite dialect (modernc.org/sqlite, pure
// Go, so CGO_ENABLED=0 builds work).
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/basalthq/basalt/internal/store/dialect"
)

// Dialect is the SQLite dialect. Its zero value is ready.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// Name returns "sqlite".
func (Dialect) Name() string { return "sqlite" }

func dsn(path string, pragmas []string, extra string) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	s := "file:" + path + "?" + q.Encode()
	if extra != "" {
		s += "&" + extra
	}
	return s
}

// Open opens path with WAL, foreign keys and a busy timeout on every
// connection: the writer (BEGIN IMMEDIATE), a scan-reader pool, a
// point-reader pool and a checkpoint connection (the last without a
// writer: read-only opens have neither). A file that is not a SQLite
// database is reported as an error.
func (Dialect) Open(ctx context.Context, path string, opts dialect.Options) (*dialect.Conns, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
	}
	sync := "NORMAL"
	switch strings.ToLower(opts.Durability) {
	case "full":
		sync = "FULL"
	case "off":
		sync = "OFF"
	}
	common := []string{
		"busy_timeout(10000)",
		"foreign_keys(1)",
		"journal_size_limit(200000000)",
		// 2 MB of page cache per connection (SQLite's default). In WAL mode
		// a connection drops its cache whenever another one committed, so a
		// bigger cache rarely pays off, but it stays resident: 32 MB per
		// connection doubled the RSS for the same throughput (measured
		// with bench/, Nov 2026).
		"cache_size(-2000)",
		// Scans read pages straight from the mapping: lists and mixed
		// traffic ran 1.5–2.5× faster with mmap (bench/, Nov 2026). The
		// other connections go without it (see below).
		"mmap_size(268435456)",
		"temp_store(MEMORY)",
		"synchronous(" + sync + ")",
	}
	conns := &dialect.Conns{DriverName: "sqlite"}
	fail := func(err error) (*dialect.Conns, error) {
		conns.Close()
		return nil, err
	}
	var err error

	if !opts.ReadOnly {
		// No automatic checkpoints inside commits: the store checkpoints
		// in the background through conns.Checkpointer. No mapping
		// either: the writer's cache survives its own commits, and with
		// a mapping the writer came to hold the whole file in the RSS
		// (152 vs 78 MB after ~250k creates), for no throughput gain
		// (bench/ A/B, Nov 2026).
		//
		// All writes are serialised by the store's write queue, so at most
		// one connection writes at a time. A second connection lets
		// database/sql prepare cached statements while the first one is
		// inside a transaction (a single-connection pool would deadlock).
		//
		// The busy timeout comes first (it is first in common): switching
		// a new file to WAL needs an exclusive lock, and without the
		// handler a second process opening the same new data dir failed
		// at once with SQLITE_BUSY.
		writer := append(replacePragmas(common, "mmap_size(0)"), "journal_mode(WAL)", "wal_autocheckpoint(0)")
		if conns.Writer, err = openPool(ctx, "writer", path, writer, "_txlock=immediate", 2); err != nil {
			return fail(err)
		}
	}

	readers := opts.MaxReaders
	if readers <= 0 {
		readers = max(2, runtime.NumCPU())
	}
	if conns.Reader, err = openPool(ctx, "reader", path, append([]string{"query_only(1)"}, common...), "", readers); err != nil {
		return fail(err)
	}

	// Point reads go to a pool without mmap: in WAL mode a read
	// transaction after any commit unmaps the whole file, which for a
	// one-row lookup under writes costs more than the lookup (updates were
	// 40% slower on the mmap pool), while scans (lists, counts) gain from
	// mmap far more than that. Without the mapping, hot pages live in this
	// cache: few connections, so a larger one costs little.
	point := append([]string{"query_only(1)"}, replacePragmas(common, "mmap_size(0)", "cache_size(-8000)")...)
	if conns.PointReader, err = openPool(ctx, "point reader", path, point, "", max(2, runtime.NumCPU())); err != nil {
		return fail(err)
	}

	if conns.Writer != nil {
		// Checkpoints read the WAL and write the database file: no
		// mapping needed, and none to count in the process's RSS.
		if conns.Checkpointer, err = openPool(ctx, "checkpointer", path, replacePragmas(common, "mmap_size(0)"), "", 1); err != nil {
			return fail(err)
		}
		// The WAL index's own connection reads nothing: the smallest cache.
		pin, err := openPool(ctx, "wal index", path, append([]string{"query_only(1)"}, replacePragmas(common, "mmap_size(0)", "cache_size(-64)")...), "", 1)
		if err != nil {
			return fail(err)
		}
		wal, err := openWALIndex(ctx, pin, path)
		if err != nil {
			return fail(err)
		}
		conns.WALBacklog = wal.Backlog
		conns.DataVersion = wal.Version
		conns.Commits = Commits
		conns.Release = wal.Close
	}
	return conns, nil
}

// openBusyTimeout and openBusyRetry bound openPool's retries of a
// database another process is creating at the same moment; the timeout
// matches the connections' busy_timeout.
const (
	openBusyTimeout = 10 * time.Second
	openBusyRetry   = 20 * time.Millisecond
)

// openPool opens a pool of n connections with pragmas and makes sure the
// file is a usable database; it closes the pool again on failure.
func openPool(ctx context.Context, name, path string, pragmas []string, extra string, n int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, pragmas, extra))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	// Two processes turning the same new file to WAL at once can meet
	// in a lock upgrade SQLite refuses at once, busy timeout or not (it
	// would deadlock); the loser retries, as long as the busy timeout.
	deadline := time.Now().Add(openBusyTimeout)
	for {
		err = check(ctx, db)
		if err == nil {
			return db, nil
		}
		if !(Dialect{}).IsBusy(err) || time.Now().After(deadline) {
			db.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			db.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		case <-time.After(openBusyRetry):
		}
	}
}

// replacePragmas returns pragmas with each one named in with (by the
// name before its parenthesis) replaced by that setting.
func replacePragmas(pragmas []string, with ...string) []string {
	out := make([]string, 0, len(pragmas))
	for _, p := range pragmas {
		name, _, _ := strings.Cut(p, "(")
		for _, w := range with {
			if wn, _, _ := strings.Cut(w, "("); wn == name {
				p = w
			}
		}
		out = append(out, p)
	}
	return out
}

// check makes sure the file really is a usable SQLite database: opening
// is lazy, so read the schema once.
func check(ctx context.Context, db *sql.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	return nil
}

// ColumnDefinition maps a kind to SQLite's column definition (spec §5.3).
func (Dialect) ColumnDefinition(kind dialect.ColumnKind) string {
	switch kind {
	case dialect.KindTextPK:
		return "TEXT PRIMARY KEY DEFAULT ('r'||lower(hex(randomblob(7)))) NOT NULL"
	case dialect.KindNumber:
		return "NUMERIC DEFAULT 0 NOT NULL"
	case dialect.KindBool:
		return "BOOLEAN DEFAULT FALSE NOT NULL"
	case dialect.KindJSON:
		return "JSON DEFAULT NULL"
	case dialect.KindJSONArray:
		return "JSON DEFAULT '[]' NOT NULL"
	case dialect.KindGeoPoint:
		return `JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL`
	case dialect.KindInteger:
		return "INTEGER DEFAULT 0 NOT NULL"
	default:
		return "TEXT DEFAULT '' NOT NULL"
	}
}

// QuoteIdent quotes with backticks-free SQL standard double quotes,
// doubling embedded quotes.
func (Dialect) QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// JSONArray normalises expr to a JSON array.
func (Dialect) JSONArray(expr string) string {
	return fmt.Sprintf("(CASE WHEN json_valid(%[1]s) AND json_type(%[1]s) = 'array' THEN %[1]s WHEN %[1]s IS NULL OR %[1]s = '' THEN '[]' ELSE json_array(%[1]s) END)", expr)
}

// JSONArrayLength counts the items of the normalised array.
func (d Dialect) JSONArrayLength(expr string) string {
	return "json_array_length(" + d.JSONArray(expr) + ")"
}

// JSONEach lists the items of the normalised array.
func (d Dialect) JSONEach(expr string) string {
	return "json_each(" + d.JSONArray(expr) + ")"
}

// JSONExtract extracts path from expr, wrapping non-JSON text.
func (Dialect) JSONExtract(expr, path string) string {
	wrapped := "$.pb" + strings.TrimPrefix(path, "$")
	return fmt.Sprintf("(CASE WHEN json_valid(%[1]s) THEN json_extract(%[1]s, '%[2]s') ELSE json_extract(json_object('pb', %[1]s), '%[3]s') END)",
		expr, strings.ReplaceAll(path, "'", "''"), strings.ReplaceAll(wrapped, "'", "''"))
}

// Random returns RANDOM().
func (Dialect) Random() string { return "RANDOM()" }

// RowId returns _rowid_.
func (Dialect) RowId() string { return "_rowid_" }

// Strftime calls SQLite's strftime.
func (Dialect) Strftime(fmtExpr string, args ...string) string {
	all := append([]string{fmtExpr}, args...)
	return "strftime(" + strings.Join(all, ", ") + ")"
}

// Lower lower-cases.
func (Dialect) Lower(expr string) string { return "LOWER(" + expr + ")" }

// NullSafeNotEqual is SQLite's IS NOT.
func (Dialect) NullSafeNotEqual(a, b string) string { return a + " IS NOT " + b }

// NullSafeEqual is SQLite's IS.
func (Dialect) NullSafeEqual(a, b string) string { return a + " IS " + b }

// Like is SQLite's LIKE, which ignores ASCII case by default.
func (Dialect) Like(expr, pattern string, negate bool) string {
	if negate {
		return expr + " NOT LIKE " + pattern + ` ESCAPE '\'`
	}
	return expr + " LIKE " + pattern + ` ESCAPE '\'`
}

// GeoDistance is the Haversine formula with SQLite's math functions
// (built into modernc.org/sqlite).
func (Dialect) GeoDistance(lonA, latA, lonB, latB string) string {
	return dialect.Haversine(lonA, latA, lonB, latB)
}

// Param returns the placeholder: SQLite values carry their own type.
func (Dialect) Param(placeholder string, _ dialect.ValueType) string { return placeholder }

// Coerce returns l and r unchanged: SQLite compares values of any type
// (with its affinity rules), which the filter language's results follow.
func (Dialect) Coerce(l, r dialect.Value) (string, string) { return l.SQL, r.SQL }

// AsText returns expr: SQLite's LIKE and COALESCE take any value.
func (Dialect) AsText(expr string, _ dialect.ValueType) string { return expr }

// AsNumber returns expr: SQLite's math functions take any value.
func (Dialect) AsNumber(expr string, _ dialect.ValueType) string { return expr }

// Subquery parenthesises query (SQLite needs no alias).
func (Dialect) Subquery(query string) string { return "(" + query + ")" }

// IndexSQL returns stmt: PocketBase writes indexes in SQLite's syntax.
func (Dialect) IndexSQL(stmt string) string { return stmt }

// Caps: SQLite undoes a failed statement alone and orders DISTINCT
// queries by any expression.
func (Dialect) Caps() dialect.Caps { return dialect.Caps{} }

// GroupOrder is unused on SQLite (no DistinctByGroup); MIN/MAX would do.
func (Dialect) GroupOrder(expr string, desc bool, dir string) string {
	if desc {
		return "MAX(" + expr + ")" + dir
	}
	return "MIN(" + expr + ")" + dir
}

// TableColumns lists columns via PRAGMA table_info.
func (d Dialect) TableColumns(ctx context.Context, db *sql.DB, table string) ([]dialect.Column, error) {
	rows, err := db.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info(?)", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dialect.Column
	for rows.Next() {
		var c dialect.Column
		var pk int
		if err := rows.Scan(&c.Name, &c.Type, &pk); err != nil {
			return nil, err
		}
		c.PK = pk > 0
		out = append(out, c)
	}
	return out, rows.Err()
}

// TableExists checks sqlite_master for a table or view.
func (Dialect) TableExists(ctx context.Context, q dialect.Queryer, table string) (bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ? COLLATE NOCASE", table)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}

// IndexNames lists a table's named (non-automatic) indexes.
func (Dialect) IndexNames(ctx context.Context, q dialect.Queryer, table string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Objects lists user tables and views.
func (Dialect) Objects(ctx context.Context, q dialect.Queryer) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%'")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func code(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

var uniqueCols = regexp.MustCompile(`UNIQUE constraint failed: (.+?)(?: \(|$)`)

// IsUniqueViolation detects SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY and parses
// the "table.column" list from the message.
func (Dialect) IsUniqueViolation(err error) (bool, []string) {
	c := code(err)
	if c != sqlite3.SQLITE_CONSTRAINT_UNIQUE && c != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
		return false, nil
	}
	m := uniqueCols.FindStringSubmatch(err.Error())
	if m == nil {
		return true, nil
	}
	parts := strings.Split(m[1], ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return true, parts
}

// IsBusy detects SQLITE_BUSY and SQLITE_LOCKED.
func (Dialect) IsBusy(err error) bool {
	c := code(err) & 0xff
	return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
}

// IsConstraint detects any SQLITE_CONSTRAINT error.
func (Dialect) IsConstraint(err error) bool {
	return code(err)&0xff == sqlite3.SQLITE_CONSTRAINT
}

// IntegrityCheck runs PRAGMA integrity_check.
func (Dialect) IntegrityCheck(ctx context.Context, db *sql.DB) error {
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}

// Snapshot runs VACUUM INTO on a reader connection: one read
// transaction, so the copy is the state of the last commit before it
// started, and in WAL mode the writer is never blocked by it (a file copy
// of a live database could tear a page or miss the WAL). The result is a
// compacted database in rollback-journal mode, complete in one file.
func (Dialect) Snapshot(ctx context.Context, db *sql.DB, dest string) error {
	// Reader connections are query_only, which refuses VACUUM INTO even
	// though it writes only the new file: lift it on this one connection
	// for the copy, and drop the connection if it cannot be put back.
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only=0"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", dest)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only=1"); rerr != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		err = errors.Join(err, rerr)
	}
	return err
}

// Checkpoint copies the WAL into the database: PASSIVE (as far as readers
// allow, never waiting) or TRUNCATE (everything, then empties the WAL).
func (Dialect) Checkpoint(ctx context.Context, db *sql.DB, passive bool) (logPages, copied int, err error) {
	mode := "TRUNCATE"
	if passive {
		mode = "PASSIVE"
	}
	var busy int
	err = db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logPages, &copied)
	return max(logPages, 0), max(copied, 0), err
}
