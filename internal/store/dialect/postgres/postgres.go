// Package postgres is the PostgreSQL dialect (issue #26), through pgx's
// database/sql adapter: the store is written against database/sql and
// dbx (its write queue, prepared-statement caches and transactions), so
// the adapter lets both engines share every line of it; pgx's native
// interface would buy little here, since the store's statements are
// already prepared and cached per connection either way.
//
// The mapping decisions (column types, JSON, indexes, views, rowid,
// ordering) are in ARCHITECTURE.md, "PostgreSQL dialect".
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/basalthq/basalt/internal/store/dialect"
)

// Dialect is the PostgreSQL dialect. Its zero value is ready.
type Dialect struct{}

var _ dialect.Dialect = Dialect{}

// Name returns "postgres".
func (Dialect) Name() string { return "postgres" }

// IsDSN reports whether s names a PostgreSQL database (postgres:// or
// postgresql:// URL).
func IsDSN(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Open connects to the database dsn names: a writer pool of two
// connections (the store serialises writes through its queue; the
// second lets statements be prepared while the first is inside a
// transaction, as with SQLite) and a reader pool whose transactions are
// read-only. It fails with the cause named when the server cannot be
// reached, refuses the login, or the user may not create the helper
// functions.
func (d Dialect) Open(ctx context.Context, dsn string, opts dialect.Options) (*dialect.Conns, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: invalid connection string: %w", err)
	}
	conns := &dialect.Conns{DriverName: "pgx"}
	fail := func(err error) (*dialect.Conns, error) {
		conns.Close()
		return nil, err
	}
	if !opts.ReadOnly {
		wcfg := cfg.Copy()
		if strings.EqualFold(opts.Durability, "off") {
			// Request logs: a crash may lose the last ones, as on SQLite.
			wcfg.RuntimeParams["synchronous_commit"] = "off"
		}
		conns.Writer = openPool(wcfg, 2)
		if err := ping(ctx, conns.Writer, cfg); err != nil {
			return fail(err)
		}
		if err := createFunctions(ctx, conns.Writer); err != nil {
			return fail(err)
		}
	}
	readers := opts.MaxReaders
	if readers <= 0 {
		readers = max(4, 2*runtime.NumCPU())
	}
	lcfg := cfg.Copy()
	conns.Listen = func(ctx context.Context, channel, name string, ready, wake func()) error {
		return listen(ctx, lcfg, channel, name, ready, wake)
	}
	rcfg := cfg.Copy()
	rcfg.RuntimeParams["default_transaction_read_only"] = "on"
	conns.Reader = openPool(rcfg, readers)
	if err := ping(ctx, conns.Reader, cfg); err != nil {
		return fail(err)
	}
	return conns, nil
}

func openPool(cfg *pgx.ConnConfig, n int) *sql.DB {
	db := sql.OpenDB(connector{stdlib.GetConnector(*cfg)})
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	return db
}

// ping connects once, so a wrong host, port, password or database name
// fails at start with pgx's description of it.
func ping(ctx context.Context, db *sql.DB, cfg *pgx.ConnConfig) error {
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("postgres: cannot connect to %s:%d database %q as %q: %w", cfg.Host, cfg.Port, cfg.Database, cfg.User, err)
	}
	return nil
}

func createFunctions(ctx context.Context, db *sql.DB) error {
	for _, f := range helperFunctions {
		if _, err := db.ExecContext(ctx, f); err != nil {
			return fmt.Errorf("postgres: create helper functions (the user needs CREATE on its schema): %w", err)
		}
	}
	return nil
}

// ColumnDefinition maps a kind to a PostgreSQL column. Text columns use
// the "C" collation, so they sort and compare by bytes as SQLite's BINARY
// does, whatever the database's locale. JSON columns are TEXT: the stored
// text is returned exactly as written (jsonb would reformat it) and
// non-JSON text stays storable, as in SQLite; the filter parses it when a
// JSON path needs it.
func (Dialect) ColumnDefinition(kind dialect.ColumnKind) string {
	switch kind {
	case dialect.KindTextPK:
		return `TEXT COLLATE "C" PRIMARY KEY DEFAULT ('r' || substr(md5(random()::text || clock_timestamp()::text), 1, 14)) NOT NULL`
	case dialect.KindNumber:
		return "DOUBLE PRECISION DEFAULT 0 NOT NULL"
	case dialect.KindBool:
		return "BOOLEAN DEFAULT FALSE NOT NULL"
	case dialect.KindJSON:
		return `TEXT COLLATE "C" DEFAULT NULL`
	case dialect.KindJSONArray:
		return `TEXT COLLATE "C" DEFAULT '[]' NOT NULL`
	case dialect.KindGeoPoint:
		return `TEXT COLLATE "C" DEFAULT '{"lon":0,"lat":0}' NOT NULL`
	case dialect.KindInteger:
		return "BIGINT DEFAULT 0 NOT NULL"
	default:
		return `TEXT COLLATE "C" DEFAULT '' NOT NULL`
	}
}

// QuoteIdent quotes with double quotes, doubling embedded ones.
func (Dialect) QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// JSONArray normalises expr (text) to a jsonb array.
func (Dialect) JSONArray(expr string) string { return "basalt_json_array(" + expr + ")" }

// JSONArrayLength counts the items of the normalised array.
func (d Dialect) JSONArrayLength(expr string) string {
	return "jsonb_array_length(" + d.JSONArray(expr) + ")"
}

// JSONEach lists the items as text in a "value" column.
func (Dialect) JSONEach(expr string) string { return "basalt_json_each(" + expr + ")" }

// JSONExtract extracts path as jsonb (a JSON null reads as SQL NULL, as
// SQLite's json_extract returns it).
func (Dialect) JSONExtract(expr, path string) string {
	return "NULLIF(basalt_json(" + expr + ") #> " + quoteLiteral(pgPath(path)) + ", 'null'::jsonb)"
}

// pgPath turns "$.a[0].b" into the text array literal "{a,0,b}".
func pgPath(path string) string {
	p := strings.TrimPrefix(path, "$")
	var segs []string
	for p != "" {
		switch p[0] {
		case '.':
			p = p[1:]
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			segs = append(segs, p[:end])
			p = p[end:]
		case '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				end = len(p) - 1
			}
			segs = append(segs, p[1:end])
			p = p[end+1:]
		default:
			segs = append(segs, p)
			p = ""
		}
	}
	for i, s := range segs {
		segs[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return "{" + strings.Join(segs, ",") + "}"
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Random returns RANDOM().
func (Dialect) Random() string { return "RANDOM()" }

// RowId returns ctid, the row's physical position: insertion order until
// a row is updated or the table vacuumed (PostgreSQL has no rowid).
func (Dialect) RowId() string { return "ctid" }

// Strftime calls basalt_strftime; no value means now.
func (Dialect) Strftime(fmtExpr string, args ...string) string {
	val := "'now'"
	if len(args) > 0 && args[0] != "" {
		val = args[0]
	}
	mods := "ARRAY[]::text[]"
	if len(args) > 1 {
		ms := make([]string, len(args)-1)
		for i, a := range args[1:] {
			ms[i] = "CAST(" + a + " AS TEXT)"
		}
		mods = "ARRAY[" + strings.Join(ms, ", ") + "]"
	}
	return "basalt_strftime(CAST(" + fmtExpr + " AS TEXT), CAST(" + val + " AS TEXT), " + mods + ")"
}

// Lower lower-cases.
func (Dialect) Lower(expr string) string { return "LOWER(" + expr + ")" }

// NullSafeNotEqual is IS DISTINCT FROM.
func (Dialect) NullSafeNotEqual(a, b string) string { return a + " IS DISTINCT FROM " + b }

// NullSafeEqual is IS NOT DISTINCT FROM.
func (Dialect) NullSafeEqual(a, b string) string { return a + " IS NOT DISTINCT FROM " + b }

// Like is ILIKE: case-insensitive like SQLite's LIKE (which folds ASCII
// only; ILIKE folds every letter).
func (Dialect) Like(expr, pattern string, negate bool) string {
	if negate {
		return expr + " NOT ILIKE " + pattern + ` ESCAPE '\'`
	}
	return expr + " ILIKE " + pattern + ` ESCAPE '\'`
}

// GeoDistance is the Haversine formula (PostgreSQL has every function).
func (Dialect) GeoDistance(lonA, latA, lonB, latB string) string {
	return dialect.Haversine(lonA, latA, lonB, latB)
}

func sqlType(t dialect.ValueType) string {
	switch t {
	case dialect.TypeText:
		return "TEXT"
	case dialect.TypeNumber:
		return "DOUBLE PRECISION"
	case dialect.TypeBool:
		return "BOOLEAN"
	}
	return ""
}

// Param casts the placeholder to t's type: PostgreSQL infers a
// parameter's type from its context, and a SELECT list or a function
// taking any type gives it none.
func (Dialect) Param(placeholder string, t dialect.ValueType) string {
	if st := sqlType(t); st != "" {
		return "CAST(" + placeholder + " AS " + st + ")"
	}
	return placeholder
}

// Coerce follows SQLite's comparisons closely enough for the filter
// language: JSON values compare as jsonb (the other side converted); a
// number against a text column compares as text, text against a numeric
// column (or any other number) numerically when the text is a
// well-formed number and never matches otherwise (SQLite's affinity
// rules); booleans compare as SQLite's 0/1.
func (d Dialect) Coerce(lv, rv dialect.Value) (string, string) {
	l, lt, r, rt := lv.SQL, lv.Type, rv.SQL, rv.Type
	if lt == rt || lt == dialect.TypeUnknown || rt == dialect.TypeUnknown {
		return l, r
	}
	switch {
	case lt == dialect.TypeText && rt == dialect.TypeNumber && lv.Column && !rv.Column:
		return l, d.AsText(r, rt)
	case lt == dialect.TypeNumber && rt == dialect.TypeText && rv.Column && !lv.Column:
		return d.AsText(l, lt), r
	case lt == dialect.TypeJSON:
		return l, toJSONB(r, rt)
	case rt == dialect.TypeJSON:
		return toJSONB(l, lt), r
	case lt == dialect.TypeNumber && rt == dialect.TypeText:
		return l, "basalt_num(" + r + ")"
	case lt == dialect.TypeText && rt == dialect.TypeNumber:
		return "basalt_num(" + l + ")", r
	case lt == dialect.TypeBool && rt == dialect.TypeNumber:
		return "CAST(" + l + " AS INTEGER)", r
	case lt == dialect.TypeNumber && rt == dialect.TypeBool:
		return l, "CAST(" + r + " AS INTEGER)"
	}
	return d.AsText(l, lt), d.AsText(r, rt)
}

func toJSONB(expr string, t dialect.ValueType) string {
	if st := sqlType(t); st != "" {
		return "to_jsonb(CAST(" + expr + " AS " + st + "))"
	}
	return expr
}

// AsText converts to text the way SQLite shows the value: booleans as
// 0/1, JSON scalars without quotes.
func (Dialect) AsText(expr string, t dialect.ValueType) string {
	switch t {
	case dialect.TypeNumber:
		return "CAST(" + expr + " AS TEXT)"
	case dialect.TypeBool:
		return "CAST(CAST(" + expr + " AS INTEGER) AS TEXT)"
	case dialect.TypeJSON:
		return "(" + expr + " #>> '{}')"
	}
	return expr
}

// AsNumber converts to a number; what is not one is NULL.
func (Dialect) AsNumber(expr string, t dialect.ValueType) string {
	switch t {
	case dialect.TypeText:
		return "basalt_num(" + expr + ")"
	case dialect.TypeBool:
		return "CAST(" + expr + " AS INTEGER)"
	case dialect.TypeJSON:
		return "basalt_num(" + expr + " #>> '{}')"
	}
	return expr
}

// Subquery aliases the subquery, which PostgreSQL (before 16) requires.
func (Dialect) Subquery(query string) string { return "(" + query + `) AS "__basalt_sub"` }

var (
	nocaseColumn = regexp.MustCompile(`(?i)("(?:[^"]|"")+"|\w+)\s+COLLATE\s+NOCASE`)
	otherCollate = regexp.MustCompile(`(?i)\s+COLLATE\s+(?:BINARY|RTRIM)\b`)
)

// indexKeywords are the words of a CREATE INDEX statement that are not
// identifiers.
var indexKeywords = map[string]bool{
	"CREATE": true, "UNIQUE": true, "INDEX": true, "IF": true, "NOT": true, "EXISTS": true, "ON": true,
	"WHERE": true, "ASC": true, "DESC": true, "COLLATE": true, "NOCASE": true, "BINARY": true, "RTRIM": true,
	"AND": true, "OR": true, "NULL": true, "IS": true, "IN": true, "LIKE": true, "TRUE": true, "FALSE": true,
	"BETWEEN": true, "CASE": true, "WHEN": true, "THEN": true, "ELSE": true, "END": true, "ESCAPE": true,
}

// IndexSQL translates PocketBase's SQLite index syntax: backtick and
// bracket quotes become double quotes and bare identifiers are quoted
// (SQLite's names ignore case, PostgreSQL folds bare ones to lower
// case, which would miss camelCase columns); "col COLLATE NOCASE"
// becomes the expression lower(col), so a case-insensitive unique index
// stays one; BINARY and RTRIM collations are dropped.
func (Dialect) IndexSQL(stmt string) string {
	var b strings.Builder
	for i := 0; i < len(stmt); i++ {
		c := stmt[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(stmt[i+1:], c)
			if end < 0 {
				b.WriteString(stmt[i:])
				i = len(stmt)
				continue
			}
			b.WriteString(stmt[i : i+end+2])
			i += end + 1
		case c == '`' || c == '[':
			closer := byte('`')
			if c == '[' {
				closer = ']'
			}
			end := strings.IndexByte(stmt[i+1:], closer)
			if end < 0 {
				// Unterminated: still no backtick (PostgreSQL refuses the
				// open quoted name instead).
				b.WriteString(`"` + strings.ReplaceAll(stmt[i+1:], "`", `"`))
				i = len(stmt)
				continue
			}
			// a double quote inside the name is doubled, as PostgreSQL
			// quoted names spell it
			b.WriteString(`"` + strings.ReplaceAll(stmt[i+1:i+1+end], `"`, `""`) + `"`)
			i += end + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			end := i + 1
			for end < len(stmt) && (stmt[end] == '_' || stmt[end] >= 'a' && stmt[end] <= 'z' || stmt[end] >= 'A' && stmt[end] <= 'Z' || stmt[end] >= '0' && stmt[end] <= '9') {
				end++
			}
			word := stmt[i:end]
			rest := strings.TrimLeft(stmt[end:], " \t\n")
			// The word after ON is the table, even right before its "(".
			afterOn := strings.HasSuffix(strings.ToUpper(strings.TrimRight(stmt[:i], " \t\n")), " ON")
			if !afterOn && (indexKeywords[strings.ToUpper(word)] || strings.HasPrefix(rest, "(")) {
				b.WriteString(word) // a keyword or a function
			} else {
				b.WriteString(`"` + word + `"`)
			}
			i = end - 1
		default:
			b.WriteByte(c)
		}
	}
	s := nocaseColumn.ReplaceAllString(b.String(), "lower($1)")
	return otherCollate.ReplaceAllString(s, "")
}

// Caps: PostgreSQL aborts a transaction on any failed statement and
// orders SELECT DISTINCT only by selected expressions; it sorts NULLs
// last unless told.
func (Dialect) Caps() dialect.Caps {
	return dialect.Caps{StatementErrorAbortsTx: true, DistinctByGroup: true, NullsLast: true, TextIsUTF8: true}
}

// GroupOrder uses array_agg rather than MIN/MAX: it orders any sortable
// type (jsonb has no MIN).
func (Dialect) GroupOrder(expr string, desc bool, dir string) string {
	inner := " ASC NULLS LAST"
	if desc {
		inner = " DESC NULLS LAST"
	}
	return "(array_agg(" + expr + " ORDER BY " + expr + inner + "))[1]" + dir
}

// TableColumns lists the columns of a table or view of the current
// schema, in order.
func (Dialect) TableColumns(ctx context.Context, db *sql.DB, table string) ([]dialect.Column, error) {
	rows, err := db.QueryContext(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod),
  EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY(i.indkey))
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []dialect.Column
	for rows.Next() {
		var c dialect.Column
		if err := rows.Scan(&c.Name, &c.Type, &c.PK); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// TableExists checks the current schema for a table or view, ignoring
// case (as SQLite's names do).
func (Dialect) TableExists(ctx context.Context, q dialect.Queryer, table string) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p') AND lower(c.relname) = lower(?)`, table)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}

// IndexNames lists a table's indexes but those backing a constraint
// (primary key, UNIQUE columns), like SQLite's named indexes.
func (Dialect) IndexNames(ctx context.Context, q dialect.Queryer, table string) ([]string, error) {
	return names(ctx, q, `SELECT ci.relname FROM pg_index i
JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_class ct ON ct.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ct.relnamespace
WHERE n.nspname = current_schema() AND ct.relname = ?
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY ci.relname`, table)
}

// Objects lists the tables and views of the current schema.
func (Dialect) Objects(ctx context.Context, q dialect.Queryer) ([]string, error) {
	return names(ctx, q, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p') ORDER BY c.relname`)
}

func names(ctx context.Context, q dialect.Queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
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

func pgErr(err error) *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe
	}
	return nil
}

var keyColumns = regexp.MustCompile(`^Key \((.*?)\)=\(`)

// IsUniqueViolation detects unique_violation (23505) and reads the
// columns from its detail ("Key (email)=(...) already exists."); an
// expression column such as lower(email) names its column.
func (Dialect) IsUniqueViolation(err error) (bool, []string) {
	pe := pgErr(err)
	if pe == nil || pe.Code != "23505" {
		return false, nil
	}
	m := keyColumns.FindStringSubmatch(pe.Detail)
	if m == nil {
		return true, nil
	}
	var cols []string
	for _, part := range splitColumns(m[1]) {
		if name := columnOf(part); name != "" {
			cols = append(cols, pe.TableName+"."+name)
		}
	}
	return true, cols
}

// splitColumns splits at commas outside parentheses and quotes.
func splitColumns(s string) []string {
	var out []string
	depth, start := 0, 0
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

var (
	castSuffix = regexp.MustCompile(`::[\w ]+`)
	identWord  = regexp.MustCompile(`"((?:[^"]|"")+)"|([A-Za-z_]\w*)(\s*\()?`)
)

// columnOf is the first identifier of an index column that is not a
// function name or a type: "email", "lower((email)::text)" → email.
func columnOf(expr string) string {
	expr = castSuffix.ReplaceAllString(expr, "")
	for _, m := range identWord.FindAllStringSubmatch(expr, -1) {
		if m[1] != "" {
			return strings.ReplaceAll(m[1], `""`, `"`)
		}
		if m[3] == "" {
			return m[2]
		}
	}
	return ""
}

// IsBusy detects serialisation failures, deadlocks and lock timeouts.
func (Dialect) IsBusy(err error) bool {
	pe := pgErr(err)
	return pe != nil && (pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "55P03")
}

// IsConstraint detects integrity constraint violations (class 23).
func (Dialect) IsConstraint(err error) bool {
	pe := pgErr(err)
	return pe != nil && strings.HasPrefix(pe.Code, "23")
}

// IntegrityCheck checks that the server answers: PostgreSQL keeps its
// own files consistent (its amcheck extension is not assumed).
func (Dialect) IntegrityCheck(ctx context.Context, db *sql.DB) error {
	var one int
	return db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// ErrNoSnapshot is returned by Snapshot: a PostgreSQL database is copied
// with its own tools (pg_dump), not into a file of the data dir.
var ErrNoSnapshot = errors.New("postgres: file snapshots are not supported; use pg_dump")

// Snapshot is not supported (see ErrNoSnapshot).
func (Dialect) Snapshot(context.Context, *sql.DB, string) error { return ErrNoSnapshot }

// Checkpoint does nothing: PostgreSQL checkpoints by itself.
func (Dialect) Checkpoint(context.Context, *sql.DB, bool) (int, int, error) { return 0, 0, nil }
