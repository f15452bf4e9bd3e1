package telemetry

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

type requestIdKey struct{}

// requestCtx carries a request id. It is its own context type so that the
// id, the context and the one-element header value share one allocation
// (context.WithValue with a boxed value and a header slice would be
// three) on every request. It delegates everything else to the parent,
// which keeps context's cancellation fast path (parent.Value finds the
// parent's cancelCtx).
type requestCtx struct {
	context.Context
	id [1]string
}

func (c *requestCtx) Value(key any) any {
	if _, ok := key.(requestIdKey); ok {
		return c
	}
	return c.Context.Value(key)
}

// WithRequestId returns ctx carrying the request id.
func WithRequestId(ctx context.Context, id string) context.Context {
	c, _ := WithRequestIdHeader(ctx, id)
	return c
}

// WithRequestIdHeader is WithRequestId that also returns id as a header
// value ([]string{id}) sharing the context's allocation. The slice is full
// (len == cap), so an Add to it copies instead of writing into the
// context.
func WithRequestIdHeader(ctx context.Context, id string) (context.Context, []string) {
	c := &requestCtx{Context: ctx, id: [1]string{id}}
	return c, c.id[:]
}

// RequestId returns the request id ctx carries, or "".
func RequestId(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	if v, ok := ctx.Value(requestIdKey{}).(*requestCtx); ok {
		return v.id[0]
	}
	return ""
}

// LogHandler wraps h so that every record logged with a context carrying
// a request id or a span gets requestId (and traceId, spanId) attributes:
// the lines of one request can be found together, and next to its trace.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if ctx != nil {
		if id := RequestId(ctx); id != "" && !hasAttr(r, "requestId") {
			r.AddAttrs(slog.String("requestId", id))
		}
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			r.AddAttrs(slog.String("traceId", sc.TraceID().String()), slog.String("spanId", sc.SpanID().String()))
		}
	}
	return h.Handler.Handle(ctx, r)
}

func (h logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return logHandler{h.Handler.WithAttrs(as)}
}
func (h logHandler) WithGroup(name string) slog.Handler { return logHandler{h.Handler.WithGroup(name)} }

// hasAttr reports whether r already has a top-level attribute key (the
// request log line carries requestId itself).
func hasAttr(r slog.Record, key string) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == key
		return !found
	})
	return found
}
