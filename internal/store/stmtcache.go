package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pocketbase/dbx"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/basalthq/basalt/core/telemetry"
)

// sqlSpan starts the span of one SQL statement: its text (placeholders,
// never values) and the engine as attributes.
func (db *DB) sqlSpan(ctx context.Context, name, query string) (context.Context, trace.Span) {
	return telemetry.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", db.Dialect.Name()), attribute.String("db.query.text", query)))
}

// maxCachedStmts bounds the prepared-statement cache; past it, new shapes
// run unprepared rather than grow memory without limit.
const maxCachedStmts = 2048

// stmtCache keeps prepared read statements by SQL text. Record queries
// repeat the same shapes (the text carries only parameter names), so
// preparing once saves SQLite's parse on every request. database/sql
// re-prepares a cached *sql.Stmt per pooled connection as needed, and
// SQLite re-prepares transparently after schema changes.
type stmtCache struct {
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
	// hits and misses count lookups (a miss prepares, or runs unprepared
	// once the cache is full); read at scrape time by the metrics.
	hits, misses atomic.Uint64
}

func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st := c.stmts[query]
	c.mu.RUnlock()
	if st != nil {
		c.hits.Add(1)
		return st, nil
	}
	c.misses.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if st = c.stmts[query]; st != nil {
		return st, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st, nil
}

func (c *stmtCache) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		_ = st.Close()
	}
	c.stmts = nil
}

// positional rewrites dbx's {:name} placeholders to "?" and returns the
// arguments in order.
func positional(query string, params dbx.Params) (string, []any) {
	if !strings.Contains(query, "{:") {
		return query, nil
	}
	var b strings.Builder
	b.Grow(len(query))
	args := make([]any, 0, len(params))
	for {
		i := strings.Index(query, "{:")
		if i < 0 {
			b.WriteString(query)
			break
		}
		j := strings.IndexByte(query[i:], '}')
		if j < 0 {
			b.WriteString(query)
			break
		}
		name := query[i+2 : i+j]
		v, ok := params[name]
		if !ok {
			// Not a placeholder we bound: keep the text as is.
			b.WriteString(query[:i+j+1])
			query = query[i+j+1:]
			continue
		}
		b.WriteString(query[:i])
		b.WriteByte('?')
		args = append(args, v)
		query = query[i+j+1:]
	}
	return b.String(), args
}

// queryRows runs a read: inside a write transaction through it (to see
// its own writes), otherwise on the reader pool with a cached statement.
func (db *DB) queryRows(ctx context.Context, query string, params dbx.Params) (rows *sql.Rows, err error) {
	if telemetry.Recording(ctx) {
		var span trace.Span
		ctx, span = db.sqlSpan(ctx, "db.query", query)
		defer func() { telemetry.End(span, err) }()
	}
	if s := txFrom(ctx); s != nil {
		if s.raw != nil && s.db != nil {
			ctx = context.WithoutCancel(ctx) // see detachedExec
			// The writer's own connection: its page cache is always warm,
			// and the statement is prepared once per connection.
			q, args := positional(query, params)
			st, err := s.db.wstmts.get(ctx, s.db.conns.Writer, q)
			if err != nil || st == nil {
				// Not preparable outside this transaction (a table it
				// created) or the cache is full: run it unprepared.
				return s.raw.QueryContext(ctx, q, args...)
			}
			return s.stmt(ctx, st).QueryContext(ctx, args...)
		}
		rows, err := s.tx.NewQuery(query).Bind(params).WithContext(ctx).Rows()
		if err != nil {
			return nil, err
		}
		return rows.Rows, nil
	}
	return db.stmts.query(ctx, db.conns.Reader, query, params)
}

// queryById is queryPoint for one id, given the statement both with the
// named parameter {:id} and positionally: outside a transaction it skips
// the parameter rewriting.
func (db *DB) queryById(ctx context.Context, named, positional, id string) (rows *sql.Rows, err error) {
	if txFrom(ctx) == nil && telemetry.Recording(ctx) {
		var span trace.Span
		ctx, span = db.sqlSpan(ctx, "db.query", positional)
		defer func() { telemetry.End(span, err) }()
	}
	pool := db.conns.PointReader
	cache := &db.pstmts
	if pool == nil {
		pool, cache = db.conns.Reader, &db.stmts
	}
	if txFrom(ctx) != nil {
		return db.queryRows(ctx, named, dbx.Params{"id": id})
	}
	st, err := cache.get(ctx, pool, positional)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return pool.QueryContext(ctx, positional, id)
	}
	return st.QueryContext(ctx, id)
}

// query runs a read on pool through the statement cached for its text
// (unprepared once the cache is full).
func (c *stmtCache) query(ctx context.Context, pool *sql.DB, query string, params dbx.Params) (*sql.Rows, error) {
	q, args := positional(query, params)
	st, err := c.get(ctx, pool, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return pool.QueryContext(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryPoint is queryRows for reads of a few rows by primary key: outside
// a transaction they go to the point-reader pool when the dialect has one.
func (db *DB) queryPoint(ctx context.Context, query string, params dbx.Params) (rows *sql.Rows, err error) {
	pr := db.conns.PointReader
	if pr == nil || txFrom(ctx) != nil {
		return db.queryRows(ctx, query, params)
	}
	if telemetry.Recording(ctx) {
		var span trace.Span
		ctx, span = db.sqlSpan(ctx, "db.query", query)
		defer func() { telemetry.End(span, err) }()
	}
	return db.pstmts.query(ctx, pr, query, params)
}
