package telemetry

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

type requestIdKey struct{}

// requestIdValue boxes the id once: a pointer in a context costs no
// allocation of its own when the value is read.
type requestIdValue struct{ id string }

// WithRequestId returns ctx carrying the request id.
func WithRequestId(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIdKey{}, &requestIdValue{id})
}

// RequestId returns the request id ctx carries, or "".
func RequestId(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	if v, ok := ctx.Value(requestIdKey{}).(*requestIdValue); ok {
		return v.id
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
