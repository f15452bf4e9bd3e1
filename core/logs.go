package core

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"strconv"
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
	InsertLogs(ctx context.Context, logs []LogRow) error
	QueryLogs(ctx context.Context, q *RecordQuery) (*RecordQueryResult, error)
	DeleteLogsBefore(ctx context.Context, created string) (int64, error)
}

// LogRow is one _logs row as stored: created doubles as updated (logs
// are never edited).
type LogRow struct {
	Id      string
	Level   int
	Message string
	Data    string // JSON object
	Created string
}

// RequestLog is the data of one request log entry (spec §10.8). It is a
// struct rather than a map because it is built on every request; the
// writer goroutine encodes it.
type RequestLog struct {
	Method    string
	URL       string
	Status    int
	ExecTime  float64 // milliseconds
	Referer   string
	UserAgent string
	Auth      string // auth collection name, "" for guests
	AuthId    string // set only with settings.logs.logAuthId
	UserIP    string // UserIP and RemoteIP are set only with settings.logs.logIP
	RemoteIP  string
	Error     string // set for failed requests (status ≥ 400)
	// RequestId is the request's X-Request-Id (also on its log lines).
	RequestId string
}

// LogAttrs returns the entry as slog attributes with the keys and values
// of its _logs data object (appendJSON), so a log line of the request and
// its row in the dashboard's Logs screen carry the same fields.
func (r *RequestLog) LogAttrs() []slog.Attr {
	logIP := r.UserIP != "" || r.RemoteIP != ""
	as := make([]slog.Attr, 0, 14)
	as = append(as, slog.String("auth", r.Auth))
	if r.AuthId != "" {
		as = append(as, slog.String("authId", r.AuthId))
	}
	as = append(as, slog.Any("details", nil))
	if r.Status >= 400 {
		as = append(as, slog.String("error", r.Error))
	}
	as = append(as, slog.Float64("execTime", r.ExecTime), slog.String("method", r.Method), slog.String("referer", r.Referer))
	if logIP {
		as = append(as, slog.String("remoteIP", r.RemoteIP))
	}
	if r.RequestId != "" {
		as = append(as, slog.String("requestId", r.RequestId))
	}
	as = append(as, slog.Int("status", r.Status), slog.String("type", "request"), slog.String("url", r.URL),
		slog.String("userAgent", r.UserAgent))
	if logIP {
		as = append(as, slog.String("userIP", r.UserIP))
	}
	return as
}

// appendJSON writes the entry's data object with sorted keys, like the
// map it replaces; optional keys are omitted when unset (the IPs go
// together: both are set with settings.logs.logIP).
func (r *RequestLog) appendJSON(b []byte) []byte {
	logIP := r.UserIP != "" || r.RemoteIP != ""
	b = append(b, `{"auth":`...)
	b = appendJSONString(b, r.Auth)
	if r.AuthId != "" {
		b = append(b, `,"authId":`...)
		b = appendJSONString(b, r.AuthId)
	}
	b = append(b, `,"details":null`...)
	if r.Status >= 400 {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, r.Error)
	}
	b = append(b, `,"execTime":`...)
	b = AppendJSONValue(b, r.ExecTime)
	b = append(b, `,"method":`...)
	b = appendJSONString(b, r.Method)
	b = append(b, `,"referer":`...)
	b = appendJSONString(b, r.Referer)
	if logIP {
		b = append(b, `,"remoteIP":`...)
		b = appendJSONString(b, r.RemoteIP)
	}
	if r.RequestId != "" {
		b = append(b, `,"requestId":`...)
		b = appendJSONString(b, r.RequestId)
	}
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, `,"type":"request","url":`...)
	b = appendJSONString(b, r.URL)
	b = append(b, `,"userAgent":`...)
	b = appendJSONString(b, r.UserAgent)
	if logIP {
		b = append(b, `,"userIP":`...)
		b = appendJSONString(b, r.UserIP)
	}
	return append(b, '}')
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

// logEntry is a log waiting in the channel; it becomes a row (id, JSON
// data) on the writer goroutine, off the request path. Exactly one of
// data and req is set.
type logEntry struct {
	message string
	level   int
	data    map[string]any
	req     RequestLog
	at      time.Time
}

func (e *logEntry) row(buf []byte) (LogRow, []byte) {
	buf = buf[:0]
	if e.data != nil {
		// The data map holds JSON-ready scalars (see LogRequest), which the
		// direct encoder writes without reflection.
		buf = AppendJSONValue(buf, e.data)
	} else {
		buf = e.req.appendJSON(buf)
	}
	return LogRow{Id: logId(e.at), Level: e.level, Message: e.message, Data: string(buf),
		Created: FormatTime(e.at)}, buf
}

// logId returns a 15-character [a-z0-9] id that starts with the time in
// microseconds (10 base-36 digits, good until 2084) and ends with 5
// random digits: log rows then arrive in key order, so inserting them
// appends to the primary-key index instead of touching random pages.
func logId(at time.Time) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b [15]byte
	us := uint64(max(at.UnixMicro(), 0))
	for i := 9; i >= 0; i-- {
		b[i] = digits[us%36]
		us /= 36
	}
	r := rand.Uint64()
	for i := 10; i < 15; i++ {
		b[i] = digits[r%36]
		r /= 36
	}
	return string(b[:])
}

// LogRequest records one log entry asynchronously. data should hold
// JSON-ready scalars (string, float64, bool, nil) so encoding stays cheap.
// When the buffer is full the entry is dropped (and counted): logging
// must never slow down or block requests.
func (app *App) LogRequest(message string, level int, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	app.enqueueLog(logEntry{message: message, level: level, data: data})
}

// LogHTTPRequest records one request log entry (spec §10.8)
// asynchronously, like LogRequest; the API's logging middleware calls it
// for every request.
func (app *App) LogHTTPRequest(message string, level int, r *RequestLog) {
	app.enqueueLog(logEntry{message: message, level: level, req: *r})
}

func (app *App) enqueueLog(entry logEntry) {
	ls, ok := app.store.(LogStore)
	if !ok || app.Settings().Logs.MaxDays <= 0 {
		return
	}
	entry.at = app.Now()
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
	const batchSize = 2048
	batch := make([]LogRow, 0, batchSize)
	buf := make([]byte, 0, 1024)
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
		clear(batch)
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
			var row LogRow
			var encoded bool
			if row, buf, encoded = safeRow(app, &e, buf); encoded {
				batch = append(batch, row)
			}
			if len(batch) >= cap(batch) {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// safeRow encodes e, dropping it (logged) when encoding panics: the log
// writer is a goroutine of its own, and Terminate waits for it.
func safeRow(app *App, e *logEntry, buf []byte) (row LogRow, out []byte, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			app.logger.Error("log entry encoding panic", "panic", r, "stack", string(debug.Stack()))
			row, out, ok = LogRow{}, buf[:0], false
		}
	}()
	row, out = e.row(buf)
	return row, out, true
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
