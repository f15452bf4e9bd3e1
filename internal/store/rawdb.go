package store

import (
	"context"
	"maps"
	"slices"

	"github.com/pocketbase/dbx"

	"github.com/basalthq/basalt/core"
)

// RawDB implements core.Store: App.DB's raw SQL over dbx. Queries are
// kept as descriptions and built on a dbx builder only when run, since
// only then does the ctx tell the read pool from the caller's transaction.
func (s *Store) RawDB() core.DB { return rawDB{s.db} }

type rawDB struct{ db *DB }

func (r rawDB) NewQuery(sql string) core.Query {
	return rawQuery{db: r.db, sql: sql, write: !readOnlySQL(sql),
		build: func(b dbx.Builder, p dbx.Params) *dbx.Query { return b.NewQuery(sql).Bind(p) }}
}

func (r rawDB) Insert(table string, cols core.Params) core.Query {
	return rawQuery{db: r.db, write: true, build: func(b dbx.Builder, _ dbx.Params) *dbx.Query {
		return b.Insert(table, dbx.Params(cols))
	}}
}

func (r rawDB) Update(table string, cols core.Params, where core.Expr) core.Query {
	return rawQuery{db: r.db, write: true, build: func(b dbx.Builder, _ dbx.Params) *dbx.Query {
		return b.Update(table, dbx.Params(cols), exp(where))
	}}
}

func (r rawDB) Delete(table string, where core.Expr) core.Query {
	return rawQuery{db: r.db, write: true, build: func(b dbx.Builder, _ dbx.Params) *dbx.Query {
		return b.Delete(table, exp(where))
	}}
}

func (r rawDB) Select(columns ...string) core.SelectQuery {
	return rawSelect{db: r.db, columns: columns}
}

// exp turns a core condition into dbx's; an empty one is no condition.
// dbx binds e.Params; e.SQL is never interpolated with them.
func exp(e core.Expr) dbx.Expression {
	if e.SQL == "" {
		return nil
	}
	return dbx.NewExp(e.SQL, dbx.Params(e.Params))
}

// rawQuery is one statement: build makes it on the builder the ctx picks.
type rawQuery struct {
	db     *DB
	sql    string
	params dbx.Params
	// write routes the statement through the write queue (anything but a
	// SELECT: the read pool is query_only anyway).
	write bool
	build func(b dbx.Builder, p dbx.Params) *dbx.Query
}

func (q rawQuery) Bind(p core.Params) core.Query {
	merged := make(dbx.Params, len(q.params)+len(p))
	maps.Copy(merged, q.params)
	maps.Copy(merged, p)
	q.params = merged
	return q
}

// run runs fn on the query built for ctx: writes inside a queued write
// (or the transaction ctx carries), reads on the caller's transaction or
// the read pool. A write's statements pass the transaction's detachedExec,
// which marks the group's changes unknown: the record cache empties.
func (q rawQuery) run(ctx context.Context, fn func(*dbx.Query) error) error {
	if !q.write {
		return fn(q.build(q.db.Builder(ctx), q.params).WithContext(ctx))
	}
	return q.db.Write(ctx, func(ctx context.Context) error {
		return fn(q.build(Tx(ctx), q.params).WithContext(ctx))
	})
}

func (q rawQuery) Execute(ctx context.Context) (core.ExecResult, error) {
	var out core.ExecResult
	q.write = true // Execute is for statements that change things
	err := q.run(ctx, func(dq *dbx.Query) error {
		res, err := dq.Execute()
		if err != nil {
			return err
		}
		out.RowsAffected, _ = res.RowsAffected()
		return nil
	})
	return out, err
}

func (q rawQuery) All(ctx context.Context, dest any) error {
	return q.run(ctx, func(dq *dbx.Query) error { return dq.All(dest) })
}

func (q rawQuery) One(ctx context.Context, dest any) error {
	return q.run(ctx, func(dq *dbx.Query) error { return dq.One(dest) })
}

func (q rawQuery) Row(ctx context.Context, dest ...any) error {
	return q.run(ctx, func(dq *dbx.Query) error { return dq.Row(dest...) })
}

func (q rawQuery) Column(ctx context.Context, dest any) error {
	return q.run(ctx, func(dq *dbx.Query) error { return dq.Column(dest) })
}

// rawSelect describes a SELECT; ops replay its clauses on a dbx query.
type rawSelect struct {
	db      *DB
	columns []string
	ops     []func(*dbx.SelectQuery) *dbx.SelectQuery
}

// with returns a copy with op appended (never sharing the backing array,
// so a base query can branch).
func (q rawSelect) with(op func(*dbx.SelectQuery) *dbx.SelectQuery) core.SelectQuery {
	q.ops = append(slices.Clip(q.ops), op)
	return q
}

func (q rawSelect) Distinct(v bool) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.Distinct(v) })
}

func (q rawSelect) From(tables ...string) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.From(tables...) })
}

func (q rawSelect) InnerJoin(table string, on core.Expr) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.InnerJoin(table, exp(on)) })
}

func (q rawSelect) LeftJoin(table string, on core.Expr) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.LeftJoin(table, exp(on)) })
}

func (q rawSelect) Where(e core.Expr) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.Where(exp(e)) })
}

func (q rawSelect) AndWhere(e core.Expr) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.AndWhere(exp(e)) })
}

func (q rawSelect) OrWhere(e core.Expr) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.OrWhere(exp(e)) })
}

func (q rawSelect) GroupBy(columns ...string) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.GroupBy(columns...) })
}

func (q rawSelect) Having(e core.Expr) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.Having(exp(e)) })
}

func (q rawSelect) OrderBy(columns ...string) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.OrderBy(columns...) })
}

func (q rawSelect) Limit(n int64) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.Limit(n) })
}

func (q rawSelect) Offset(n int64) core.SelectQuery {
	return q.with(func(s *dbx.SelectQuery) *dbx.SelectQuery { return s.Offset(n) })
}

// build makes the SELECT on the caller's transaction or the read pool.
func (q rawSelect) build(ctx context.Context) *dbx.SelectQuery {
	s := q.db.Builder(ctx).Select(q.columns...)
	for _, op := range q.ops {
		s = op(s)
	}
	return s.WithContext(ctx)
}

func (q rawSelect) All(ctx context.Context, dest any) error { return q.build(ctx).All(dest) }

func (q rawSelect) One(ctx context.Context, dest any) error { return q.build(ctx).One(dest) }

func (q rawSelect) Row(ctx context.Context, dest ...any) error { return q.build(ctx).Row(dest...) }

func (q rawSelect) Column(ctx context.Context, dest any) error { return q.build(ctx).Column(dest) }
