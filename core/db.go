package core

import "context"

// Params are named values for a query's {:name} placeholders. They are
// always sent to the database as bound parameters, never pasted into the
// SQL text: a value is data whatever quotes or backslashes it holds.
type Params map[string]any

// Expr is a SQL condition with its bound parameters, for Where, Having,
// joins, Update and Delete. In SQL, [[name]] quotes a column and {{name}}
// a table for the active dialect; {:name} takes the value Params["name"].
type Expr struct {
	SQL    string
	Params Params
}

// NewExpr returns the condition sql with params bound to its {:name}
// placeholders.
func NewExpr(sql string, params Params) Expr { return Expr{SQL: sql, Params: params} }

// ExecResult is what a write statement reports.
type ExecResult struct {
	// RowsAffected is the number of rows the statement changed.
	RowsAffected int64
}

// DB is raw SQL access to the app's database, on its active dialect, for
// what the record API does not cover: joins, aggregates, bulk updates,
// tables of your own. Reads run on the read pool (or inside the
// transaction ctx carries); every other statement goes through the
// store's single write queue, joining the transaction ctx carries, so it
// never meets SQLITE_BUSY and commits or rolls back with
// RunInTransaction. A raw write empties the record cache (the store
// cannot tell which records it changed).
//
// DB is an interface of core's own rather than the dbx builder the
// store uses underneath: core does not import a SQL library (DESIGN §3),
// and every execution takes the ctx that decides pool or transaction.
type DB interface {
	// NewQuery returns a raw SQL statement; bind its {:name}
	// placeholders with Bind.
	NewQuery(sql string) Query
	// Select starts a SELECT of columns (all when none).
	Select(columns ...string) SelectQuery
	// Insert returns an INSERT of cols into table.
	Insert(table string, cols Params) Query
	// Update returns an UPDATE of cols in table's rows matching where
	// (all rows when where.SQL is empty).
	Update(table string, cols Params, where Expr) Query
	// Delete returns a DELETE of table's rows matching where (all rows
	// when where.SQL is empty).
	Delete(table string, where Expr) Query
}

// Query is one statement ready to run. dest follows dbx's scanning
// rules: a pointer to a struct (or a slice of them for All) whose fields
// carry `db:"column"` tags, or to a github.com/pocketbase/dbx
// NullStringMap (or a slice of them) for rows of unknown shape.
type Query interface {
	// Bind sets the values of the {:name} placeholders (merged with
	// earlier Binds).
	Bind(params Params) Query
	// Execute runs the statement through the write queue.
	Execute(ctx context.Context) (ExecResult, error)
	// All scans every row into dest (a pointer to a slice).
	All(ctx context.Context, dest any) error
	// One scans the first row into dest; the error is database/sql's
	// ErrNoRows when there is none (as in PocketBase).
	One(ctx context.Context, dest any) error
	// Row scans the first row's columns into dest, in order.
	Row(ctx context.Context, dest ...any) error
	// Column scans the first column of every row into dest (a pointer to
	// a slice).
	Column(ctx context.Context, dest any) error
}

// SelectQuery builds a SELECT. Each method returns a new query; the
// receiver is unchanged, so a base query can be reused.
type SelectQuery interface {
	// Distinct makes the SELECT DISTINCT.
	Distinct(v bool) SelectQuery
	// From sets the tables (each may carry an alias: "posts p").
	From(tables ...string) SelectQuery
	// InnerJoin adds an INNER JOIN of table on the condition.
	InnerJoin(table string, on Expr) SelectQuery
	// LeftJoin adds a LEFT JOIN of table on the condition.
	LeftJoin(table string, on Expr) SelectQuery
	// Where replaces the WHERE condition.
	Where(e Expr) SelectQuery
	// AndWhere ANDs a condition into WHERE.
	AndWhere(e Expr) SelectQuery
	// OrWhere ORs a condition into WHERE.
	OrWhere(e Expr) SelectQuery
	// GroupBy sets the GROUP BY columns.
	GroupBy(columns ...string) SelectQuery
	// Having sets the HAVING condition.
	Having(e Expr) SelectQuery
	// OrderBy sets the ORDER BY columns ("created DESC").
	OrderBy(columns ...string) SelectQuery
	// Limit caps the number of rows (negative: no limit).
	Limit(n int64) SelectQuery
	// Offset skips rows.
	Offset(n int64) SelectQuery
	// All scans every row into dest (a pointer to a slice).
	All(ctx context.Context, dest any) error
	// One scans the first row into dest.
	One(ctx context.Context, dest any) error
	// Row scans the first row's columns into dest, in order.
	Row(ctx context.Context, dest ...any) error
	// Column scans the first column of every row into dest.
	Column(ctx context.Context, dest any) error
}

// DB returns raw SQL access to the app's main database (see DB).
func (app *App) DB() DB { return app.store.RawDB() }
