package telemetry

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of Basalt's spans.
const ScopeName = "github.com/basalthq/basalt"

// Start starts a span named name as a child of the span ctx carries, on
// that span's tracer provider. When ctx carries no recording span (traces
// are off, or this work is outside a traced request) it returns ctx and a
// no-op span without allocating: instrumented code pays one context
// lookup.
func Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return ctx, parent
	}
	return parent.TracerProvider().Tracer(ScopeName).Start(ctx, name, opts...)
}

// Recording reports whether ctx carries a recording span: callers check
// it before computing attributes or timestamps only a span needs.
func Recording(ctx context.Context) bool {
	return trace.SpanFromContext(ctx).IsRecording()
}

// Span records an already finished child span of ctx's span, from start
// to end (work measured on another goroutine, such as the wait in the
// write queue and the shared commit).
func Span(ctx context.Context, name string, start, end time.Time, err error, opts ...trace.SpanStartOption) {
	if !Recording(ctx) || start.IsZero() {
		return
	}
	_, sp := Start(ctx, name, append(opts, trace.WithTimestamp(start))...)
	End(sp, err, trace.WithTimestamp(end))
}

// End ends span, marking it failed when err is not nil.
func End(span trace.Span, err error, opts ...trace.SpanEndOption) {
	if err != nil && span.IsRecording() {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End(opts...)
}
