package core

import (
	"context"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// LogsCollectionName names the request-log table in auxiliary.db.
const LogsCollectionName = "_logs"

var (
	logsCollectionOnce sync.Once
	logsCollection     *Collection
)

// LogsCollection describes the _logs table as a (non-stored) collection,
// so log queries reuse the record filter language (spec §1.10: filters
// over id, created, level, message and data.<path>).
func LogsCollection() *Collection {
	logsCollectionOnce.Do(func() {
		id := NewIdField()
		logsCollection = &Collection{Id: LogsCollectionName, Name: LogsCollectionName, Type: CollectionTypeBase, System: true,
			Fields: FieldsList{
				id,
				&NumberField{BaseField: BaseField{Id: "number_level", Name: "level"}},
				&TextField{BaseField: BaseField{Id: "text_message", Name: "message"}},
				&JSONField{BaseField: BaseField{Id: "json_data", Name: "data"}},
				&TextField{BaseField: BaseField{Id: "text_created", Name: "created"}},
				&TextField{BaseField: BaseField{Id: "text_updated", Name: "updated"}},
			}}
	})
	return logsCollection
}

// Log levels (slog's): -4 debug, 0 info, 4 warn, 8 error.
const (
	LogLevelInfo  = 0
	LogLevelError = 8
)

// LogStore persists request logs; the store implements it over
// auxiliary.db.
type LogStore interface {
	InsertLogs(ctx context.Context, logs []*Record) error
	QueryLogs(ctx context.Context, q *RecordQuery) (*RecordQueryResult, error)
	DeleteLogsBefore(ctx context.Context, created string) (int64, error)
}

// logWriter batches request logs off the request path: entries go to a
// bounded channel and one goroutine inserts them in groups.
type logWriter struct {
	mu      sync.RWMutex
	ch      chan logEntry
	done    chan struct{}
	closed  bool
	dropped int64
}

// logEntry is a log waiting in the channel; it becomes a record (id, JSON
// data) on the writer goroutine, off the request path.
type logEntry struct {
	message string
	level   int
	data    map[string]any
	at      time.Time
}

func (e logEntry) record() *Record {
	r := NewRecord(LogsCollection())
	ts := FormatTime(e.at)
	r.SetCanonical(FieldId, RandomId())
	r.SetCanonical("level", float64(e.level))
	r.SetCanonical("message", e.message)
	// The data map holds strings, float64 and nil only (see LogRequest),
	// which the direct encoder writes without reflection.
	r.SetCanonical("data", JSONRaw(AppendJSONValue(make([]byte, 0, 256), e.data)))
	r.SetCanonical("created", ts)
	r.SetCanonical("updated", ts)
	return r
}

// LogRequest records one request log entry asynchronously. data should
// hold JSON-ready scalars (string, float64, bool, nil) so encoding stays
// cheap. When the
// buffer is full the entry is dropped (and counted): logging must never
// slow down or block requests.
func (app *App) LogRequest(message string, level int, data map[string]any) {
	ls, ok := app.store.(LogStore)
	if !ok || app.Settings().Logs.MaxDays <= 0 {
		return
	}
	entry := logEntry{message: message, level: level, data: data, at: app.Now()}
	w := &app.logs
	w.mu.RLock()
	if w.ch == nil && !w.closed {
		w.mu.RUnlock()
		w.mu.Lock()
		if w.ch == nil && !w.closed {
			w.ch = make(chan logEntry, 16384)
			w.done = make(chan struct{})
			go app.writeLogs(ls, w)
		}
		w.mu.Unlock()
		w.mu.RLock()
	}
	defer w.mu.RUnlock()
	if w.closed {
		return
	}
	select {
	case w.ch <- entry:
	default:
		atomic.AddInt64(&w.dropped, 1)
	}
}

func (app *App) writeLogs(ls LogStore, w *logWriter) {
	defer close(w.done)
	// Large batches amortise the commit: logging happens for every request.
	batch := make([]*Record, 0, 2048)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		func() {
			defer func() {
				if r := recover(); r != nil {
					app.logger.Error("log writer panic", "panic", r, "stack", string(debug.Stack()))
				}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := ls.InsertLogs(ctx, batch); err != nil {
				app.logger.Warn("write request logs", "err", err, "count", len(batch))
			}
		}()
		batch = batch[:0]
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case e, ok := <-w.ch:
			if !ok {
				flush()
				return
			}
			batch = append(batch, e.record())
			if len(batch) >= cap(batch) {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// FlushLogs stops the log writer after writing what is buffered; called
// on terminate. Later entries are dropped.
func (app *App) FlushLogs() {
	w := &app.logs
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.closed = true
	if w.ch == nil {
		return
	}
	close(w.ch)
	<-w.done
}

// CleanupLogs deletes request logs older than settings.logs.maxDays.
func (app *App) CleanupLogs(ctx context.Context) (int64, error) {
	ls, ok := app.store.(LogStore)
	if !ok {
		return 0, nil
	}
	days := app.Settings().Logs.MaxDays
	if days <= 0 {
		days = 0
	}
	before := FormatTime(app.Now().Add(-time.Duration(days) * 24 * time.Hour))
	return ls.DeleteLogsBefore(ctx, before)
}
