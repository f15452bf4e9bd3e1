// Package store implements core.Store on SQL through pocketbase/dbx: the
// write queue with group commit, collections and their real tables,
// records, and the filter → SQL translation. Anything engine-specific is
// asked of a dialect.Dialect (DESIGN §4).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/dbx"
	"go.opentelemetry.io/otel/trace"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/telemetry"
	"github.com/basalthq/basalt/internal/store/dialect"
)

// ErrClosed is returned for writes submitted after Close.
var ErrClosed = errors.New("store: database closed")

// maxGroup bounds how many queued writes share one transaction, so one
// commit never holds a huge batch of callers.
const maxGroup = 256

// DB is one database: a writer connection fed by a queue that
// group-commits concurrent writes, and a pool of readers.
type DB struct {
	Dialect dialect.Dialect
	conns   *dialect.Conns
	wx      *dbx.DB
	rx      *dbx.DB
	logger  *slog.Logger

	stmts  stmtCache // reads, on the reader pool
	pstmts stmtCache // point reads, on the point-reader pool
	wstmts stmtCache // writes, on the writer pool, used inside transactions

	queue     chan *writeJob
	committed chan struct{} // wakes the checkpoint loop (capacity 1)
	// walLong asks the write loop for a checkpoint of its own between two
	// groups, see checkpointLoop.
	walLong atomic.Bool
	// walRestart, cpPause, cpMinPages and cpIdle are walRestartPages,
	// checkpointPause, checkpointMinPages and checkpointIdle (changed by
	// tests).
	walRestart int
	cpPause    time.Duration
	cpMinPages int
	cpIdle     time.Duration
	cpDone     chan struct{}
	// follower, when set, learns of each commit whose changes the group
	// knows (see groupChanges; the record cache follows them).
	follower commitFollower

	closeOnce sync.Once
	closed    chan struct{}
	loopDone  chan struct{}

	// running is the job the write loop is running (nil between jobs),
	// writerGID the loop's goroutine id, suspect a channel closed when a
	// job runs long, jobStarted wakes its watcher; selfCheck is
	// selfWriteCheck (see waitJob, writeguard.go).
	running    atomic.Pointer[writeJob]
	writerGID  atomic.Uint64
	suspect    atomic.Pointer[chan struct{}]
	jobStarted chan struct{}
	watchDone  chan struct{}
	selfCheck  time.Duration

	// metrics receives group sizes, commit times and checkpoints (nil
	// until the app hands its registry over, see Store.UseMetrics).
	metrics atomic.Pointer[telemetry.DBMetrics]
}

type writeJob struct {
	ctx   context.Context
	fn    func(ctx context.Context) error
	done  chan error
	tx    *txState
	state atomic.Int32 // jobQueued, jobStarted or jobAbandoned

	// traced is set when the caller's context records a span: the loop
	// then notes when the job started and when its group committed, for
	// the caller's queue-wait and commit spans (written before done is
	// sent, read after it is received).
	traced                  bool
	started                 time.Time
	commitStart, commitDone time.Time
}

// txState is the transaction a write runs in, carried by its context so
// nested writes and reads join it.
type txState struct {
	tx *dbx.Tx
	// raw is the transaction underneath tx, for hot statements that skip
	// dbx's placeholder processing (two regexps per query).
	raw   *sql.Tx
	db    *DB // for the writer's statement cache
	after []func(err error)
	sp    int
	// bound holds the writer's cached statements bound to raw, shared by
	// every job of a group: database/sql builds a new transaction
	// statement on each StmtContext call.
	bound *boundStmts
	// changes is what the group changed, shared by its jobs.
	changes *groupChanges
	// snapshot marks a read-only ReadSnapshot transaction: what it reads
	// may be older than the store's indexes, which it must not update.
	snapshot bool
}

// boundStmts maps the writer's prepared statements to their copies bound
// to one transaction.
type boundStmts struct {
	mu sync.Mutex
	m  map[*sql.Stmt]*sql.Stmt
}

// stmt returns st bound to the transaction (ctx must be detached, see
// detachedExec).
func (s *txState) stmt(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	b := s.bound
	b.mu.Lock()
	defer b.mu.Unlock()
	ts, ok := b.m[st]
	if !ok {
		if b.m == nil {
			b.m = make(map[*sql.Stmt]*sql.Stmt)
		}
		ts = s.raw.StmtContext(ctx, st)
		b.m[st] = ts
	}
	return ts
}

// rawTx digs the *sql.Tx out of a dbx transaction (nil if dbx changes).
func rawTx(tx *dbx.Tx) *sql.Tx {
	if b, ok := tx.Builder.(interface{ Executor() dbx.Executor }); ok {
		if t, ok := b.Executor().(*sql.Tx); ok {
			return t
		}
	}
	return nil
}

// detachedExec runs a write transaction's statements without their
// caller's cancellation (a job that started completes; its caller still
// sees ctx end and may fail it). SQLite answers an interrupted write
// statement by rolling back the whole transaction — every job of a group
// with it — and the driver watches each cancellable statement with a
// goroutine of its own. The raw-statement paths of txState detach the
// same way.
//
// It is also where statements the group cannot describe are noticed: any
// Exec, and any query but a SELECT, makes the group's changes unknown.
type detachedExec struct {
	*sql.Tx
	changes *groupChanges
}

func (e detachedExec) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	e.changes.unknown()
	return e.Tx.ExecContext(context.WithoutCancel(ctx), query, args...)
}

func (e detachedExec) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !readOnlySQL(query) {
		e.changes.unknown()
	}
	return e.Tx.QueryContext(context.WithoutCancel(ctx), query, args...)
}

// txBuilder is the writer's dbx builder over exec.
func (db *DB) txBuilder(exec dbx.Executor) dbx.Builder {
	if f, ok := dbx.BuilderFuncMap[db.wx.DriverName()]; ok {
		return f(db.wx, exec)
	}
	return dbx.NewStandardBuilder(db.wx, exec)
}

// execSQL runs a statement on the transaction: through raw when
// available (placeholders must then be "?"), else through dbx.
func (s *txState) execSQL(ctx context.Context, query string) error {
	if s.raw != nil {
		ctx = context.WithoutCancel(ctx)
		if s.db != nil {
			if st, _ := s.db.wstmts.get(ctx, s.db.conns.Writer, query); st != nil {
				_, err := s.stmt(ctx, st).ExecContext(ctx)
				return err
			}
		}
		_, err := s.raw.ExecContext(ctx, query)
		return err
	}
	_, err := s.tx.NewQuery(query).WithContext(ctx).Execute()
	return err
}

type txKey struct{}

// OpenDB opens path with d and starts the write loop.
func OpenDB(ctx context.Context, d dialect.Dialect, path string, opts dialect.Options, logger *slog.Logger) (*DB, error) {
	conns, err := d.Open(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	db := &DB{
		Dialect:   d,
		conns:     conns,
		rx:        dbx.NewFromDB(conns.Reader, conns.DriverName),
		logger:    logger,
		queue:     make(chan *writeJob, 1024),
		committed: make(chan struct{}, 1),
		closed:    make(chan struct{}),
		loopDone:  make(chan struct{}),
		cpDone:    make(chan struct{}),

		walRestart: walRestartPages,
		cpPause:    checkpointPause,
		cpMinPages: checkpointMinPages,
		cpIdle:     checkpointIdle,
		selfCheck:  selfWriteCheck,
		jobStarted: make(chan struct{}, 1),
		watchDone:  make(chan struct{}),
	}
	suspect := make(chan struct{})
	db.suspect.Store(&suspect)
	if conns.Writer != nil {
		db.wx = dbx.NewFromDB(conns.Writer, conns.DriverName)
		go db.writeLoop()
		go db.watchWriter()
	} else {
		close(db.loopDone)
		close(db.watchDone)
	}
	if conns.Checkpointer != nil {
		go db.checkpointLoop()
	} else {
		close(db.cpDone)
	}
	return db, nil
}

// Close stops accepting writes, lets queued ones finish and closes the
// connections.
func (db *DB) Close() error {
	var err error
	db.closeOnce.Do(func() {
		close(db.closed)
		<-db.loopDone
		<-db.watchDone
		<-db.cpDone
		db.stmts.closeAll()
		db.pstmts.closeAll()
		db.wstmts.closeAll()
		if db.conns.Writer != nil {
			_, _, _ = db.Dialect.Checkpoint(context.Background(), db.conns.Writer, false)
		}
		err = db.conns.Close()
	})
	return err
}

// ReaderDB exposes the reader pool (introspection, integrity checks).
func (db *DB) ReaderDB() *sql.DB { return db.conns.Reader }

// WriterDB exposes the writer connection for operations that must bypass
// the queue at start-up (migrations run before traffic).
func (db *DB) WriterDB() *sql.DB { return db.conns.Writer }

func txFrom(ctx context.Context) *txState {
	s, _ := ctx.Value(txKey{}).(*txState)
	return s
}

// InTx reports whether ctx carries an open write transaction.
func InTx(ctx context.Context) bool { return txFrom(ctx) != nil }

// Builder returns what a read should run on: the caller's transaction
// when ctx carries one (to see its own writes), else the reader pool.
func (db *DB) Builder(ctx context.Context) dbx.Builder {
	if s := txFrom(ctx); s != nil {
		return s.tx
	}
	return db.rx
}

// AfterTx registers fn to run once the write that ctx belongs to has
// committed (err == nil) or rolled back (err != nil). Outside a write it
// runs at once with nil.
func AfterTx(ctx context.Context, fn func(err error)) {
	if s := txFrom(ctx); s != nil {
		s.after = append(s.after, fn)
		return
	}
	fn(nil)
}

// Write runs fn in a write transaction and returns its error. Concurrent
// calls are grouped into one transaction (group commit), each isolated by
// a savepoint so one failure does not fail its neighbours; each caller
// returns only after the shared commit. Inside an existing write (ctx
// carries it) fn runs directly under a savepoint.
func (db *DB) Write(ctx context.Context, fn func(ctx context.Context) error) error {
	if s := txFrom(ctx); s != nil {
		return db.nested(ctx, s, fn)
	}
	if db.wx == nil {
		return errors.New("store: read-only database")
	}
	job := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	var span trace.Span
	var queued time.Time
	if telemetry.Recording(ctx) {
		ctx, span = telemetry.Start(ctx, "db.write")
		job.ctx, job.traced, queued = ctx, true, time.Now()
		defer func() {
			telemetry.Span(ctx, "db.queue_wait", queued, job.started, nil)
			telemetry.Span(ctx, "db.commit", job.commitStart, job.commitDone, nil)
			span.End()
		}()
	}
	select {
	case <-db.closed:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	case db.queue <- job:
	default:
		// The queue is full: wait for room, unless this is the write
		// loop's own job writing (see waitJob).
		if err := db.enqueue(ctx, job); err != nil {
			return err
		}
	}
	// Once queued the job completes (the loop drains the queue before it
	// stops): waiting for it keeps "answered" equal to "committed", unless
	// it was queued by the running job itself (see waitJob).
	err := db.waitJob(job)
	if job.tx != nil {
		// After-commit work runs on the caller's goroutine, never on the
		// write loop, so it cannot slow other writers down.
		for _, fn := range job.tx.after {
			db.runAfter(fn, err)
		}
	}
	return err
}

// writeStatement is Write for an fn that runs a single statement: inside
// a transaction it runs fn without a savepoint of its own, since SQLite
// undoes a failed statement by itself (two statements fewer per record
// save).
func (db *DB) writeStatement(ctx context.Context, fn func(ctx context.Context) error) error {
	if txFrom(ctx) != nil && !db.Dialect.Caps().StatementErrorAbortsTx {
		return safeCall(ctx, fn)
	}
	return db.Write(ctx, fn)
}

func (db *DB) runAfter(fn func(error), err error) {
	defer func() {
		if r := recover(); r != nil {
			db.logger.Error("store: after-tx callback panic", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	fn(err)
}

func (db *DB) nested(ctx context.Context, s *txState, fn func(ctx context.Context) error) error {
	s.sp++
	name := fmt.Sprintf("bn%d", s.sp)
	if err := s.execSQL(ctx, "SAVEPOINT "+name); err != nil {
		return err
	}
	mark := len(s.after)
	err := safeCall(ctx, fn)
	if err != nil {
		// Work registered by the rolled-back part learns of its failure now
		// and is dropped from the commit list.
		for _, cb := range s.after[mark:] {
			db.runAfter(cb, err)
		}
		s.after = s.after[:mark]
		if rerr := s.execSQL(context.WithoutCancel(ctx), "ROLLBACK TO "+name); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	if rerr := s.execSQL(context.WithoutCancel(ctx), "RELEASE "+name); rerr != nil && err == nil {
		return rerr
	}
	return err
}

func safeCall(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic in write: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(ctx)
}

func (db *DB) writeLoop() {
	defer close(db.loopDone)
	db.writerGID.Store(goroutineID())
	for {
		var first *writeJob
		select {
		case first = <-db.queue:
		case <-db.closed:
			// Drain what was queued before Close.
			for {
				select {
				case j := <-db.queue:
					db.runGroup([]*writeJob{j})
				default:
					return
				}
			}
		}
		group := []*writeJob{first}
	gather:
		for len(group) < maxGroup {
			select {
			case j := <-db.queue:
				group = append(group, j)
			default:
				break gather
			}
		}
		db.runGroup(group)
		db.writerCheckpoint()
	}
}

// runGroup executes jobs in one transaction. A job whose context is
// already cancelled is skipped with its error.
func (db *DB) runGroup(jobs []*writeJob) {
	defer func() {
		if r := recover(); r != nil {
			db.logger.Error("store: write loop panic", "panic", r, "stack", string(debug.Stack()))
			for _, j := range jobs {
				select {
				case j.done <- fmt.Errorf("store: write loop panic: %v", r):
				default:
				}
			}
		}
	}()

	results := make([]error, len(jobs))
	var tx *dbx.Tx
	var err error
	for attempt := 0; ; attempt++ {
		tx, err = db.wx.Begin()
		if err == nil || !db.Dialect.IsBusy(err) || attempt >= 50 {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
	if err != nil {
		for _, j := range jobs {
			j.done <- fmt.Errorf("store: begin: %w", err)
		}
		return
	}

	raw := rawTx(tx)
	wtx := tx
	bound := &boundStmts{}
	changes := &groupChanges{}
	if raw != nil {
		// Jobs build queries on wtx; only this loop commits or rolls back,
		// through tx (wtx has no transaction handle of its own).
		wtx = &dbx.Tx{Builder: db.txBuilder(detachedExec{raw, changes})}
	} else {
		changes.unknown()
	}
	single := len(jobs) == 1
	defer db.running.Store(nil)
	for i, j := range jobs {
		if !j.state.CompareAndSwap(jobQueued, jobStarted) {
			results[i] = core.ErrWriteOutsideTransaction // its caller is gone
			continue
		}
		if err := j.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if j.traced {
			j.started = time.Now()
		}
		j.tx = &txState{tx: wtx, raw: raw, db: db, bound: bound, changes: changes}
		jctx := context.WithValue(j.ctx, txKey{}, j.tx)
		db.jobStarting(j)
		if single {
			results[i] = safeCall(jctx, j.fn)
			continue
		}
		name := fmt.Sprintf("g%d", i)
		if err := j.tx.execSQL(context.Background(), "SAVEPOINT "+name); err != nil {
			results[i] = err
			continue
		}
		results[i] = safeCall(jctx, j.fn)
		if results[i] != nil {
			if err := j.tx.execSQL(context.Background(), "ROLLBACK TO "+name); err != nil {
				// The transaction is unusable: fail everyone.
				_ = tx.Rollback()
				db.finish(jobs, results, fmt.Errorf("store: rollback to savepoint: %w", err))
				return
			}
		}
		if err := j.tx.execSQL(context.Background(), "RELEASE "+name); err != nil {
			_ = tx.Rollback()
			db.finish(jobs, results, fmt.Errorf("store: release savepoint: %w", err))
			return
		}
	}

	if single && results[0] != nil {
		_ = tx.Rollback()
		db.finish(jobs, results, nil)
		return
	}
	keys, follow := changes.known()
	follow = follow && db.follower != nil
	var before string
	if follow {
		// The write lock is held: this is the state the commit builds on.
		if before, follow = db.conns.DataVersion(); follow {
			db.follower.committing()
		}
	}
	commitStart := time.Now()
	err = tx.Commit()
	commitDone := time.Now()
	db.metrics.Load().Commit(len(jobs), commitDone.Sub(commitStart).Seconds())
	for _, j := range jobs {
		if j.traced {
			j.commitStart, j.commitDone = commitStart, commitDone
		}
	}
	if err != nil {
		if follow {
			db.follower.committed("", "", nil, false)
		}
		db.finish(jobs, results, fmt.Errorf("store: commit: %w", err))
		return
	}
	if follow {
		after, ok := db.conns.DataVersion()
		db.follower.committed(before, after, keys, ok)
	}
	db.finish(jobs, results, nil)
	select {
	case db.committed <- struct{}{}:
	default:
	}
}

// commitFollower follows the store's own commits (the record cache).
type commitFollower interface {
	// committing is called with the write lock held, just before a
	// commit whose changed records the group knows.
	committing()
	// committed follows that commit: the data versions before and after
	// it and the records it changed; ok is false when the commit failed
	// or the version after it cannot be read.
	committed(before, after string, changed []recordKey, ok bool)
}

// finish delivers results: groupErr (a failed commit) overrides each job's
// own success.
func (db *DB) finish(jobs []*writeJob, results []error, groupErr error) {
	for i, j := range jobs {
		err := results[i]
		if groupErr != nil {
			err = groupErr
		}
		j.done <- err
	}
}

// Exec runs a write statement inside the transaction ctx carries, or as
// its own queued write.
func (db *DB) Exec(ctx context.Context, query string, params dbx.Params) error {
	return db.Write(ctx, func(ctx context.Context) error {
		q := txFrom(ctx).tx.NewQuery(query).WithContext(ctx)
		if params != nil {
			q = q.Bind(params)
		}
		_, err := q.Execute()
		return err
	})
}

// Tx returns the dbx transaction of a write context (nil outside one).
func Tx(ctx context.Context) *dbx.Tx {
	if s := txFrom(ctx); s != nil {
		return s.tx
	}
	return nil
}

// AfterTx implements core.TxNotifier.
func (s *Store) AfterTx(ctx context.Context, fn func(err error)) { AfterTx(ctx, fn) }

// execWrite runs a write statement with positional "?" arguments inside
// the transaction ctx carries, bypassing dbx's per-query regexps, through
// a statement prepared once per writer connection. What it changes is
// unknown to the record cache; record statements use execRecordWrite.
func (db *DB) execWrite(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := txFrom(ctx); s != nil && s.changes != nil {
		s.changes.unknown()
	}
	return db.execPrepared(ctx, query, args...)
}

// execRecordWrite is execWrite for a statement that changes at most the
// one record of collection with id, which the group notes.
func (db *DB) execRecordWrite(ctx context.Context, collection, id, query string, args ...any) (sql.Result, error) {
	res, err := db.execPrepared(ctx, query, args...)
	if s := txFrom(ctx); s != nil && s.changes != nil {
		// A failed statement changed nothing (SQLite undid it); "changed"
		// must only be claimed for rows that were, since it promises the
		// group a commit of its own.
		var n int64
		if err == nil {
			var nerr error
			if n, nerr = res.RowsAffected(); nerr != nil {
				s.changes.unknown()
			}
		}
		s.changes.record(collection, id, n > 0)
	}
	return res, err
}

func (db *DB) execPrepared(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	if telemetry.Recording(ctx) {
		var span trace.Span
		ctx, span = db.sqlSpan(ctx, "db.exec", query)
		defer func() { telemetry.End(span, err) }()
	}
	s := txFrom(ctx)
	if s == nil {
		return nil, errors.New("store: execWrite outside a write transaction")
	}
	if s.raw == nil {
		params := dbx.Params{}
		q := query
		for i, a := range args {
			k := fmt.Sprintf("a%d", i)
			params[k] = a
			q = strings.Replace(q, "?", "{:"+k+"}", 1)
		}
		return s.tx.NewQuery(q).Bind(params).WithContext(ctx).Execute()
	}
	ctx = context.WithoutCancel(ctx) // see detachedExec
	st, err := db.wstmts.get(ctx, db.conns.Writer, query)
	if err != nil || st == nil {
		// Not preparable outside this transaction (a table it created)
		// or the cache is full: run it unprepared; a real error in the
		// statement surfaces here.
		return s.raw.ExecContext(ctx, query, args...)
	}
	return s.stmt(ctx, st).ExecContext(ctx, args...)
}
