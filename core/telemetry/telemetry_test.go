package telemetry

import (
	"context"
	"fmt"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

type ctxKey int

// offContext is a request-like context without a span: a few values deep.
func offContext() context.Context {
	ctx := context.Background()
	for i := range 5 {
		ctx = context.WithValue(ctx, ctxKey(i), i)
	}
	return WithRequestId(ctx, "rid")
}

// TestStartOffFree: with traces off, starting and ending a span allocates
// nothing and returns the caller's context.
func TestStartOffFree(t *testing.T) {
	ctx := offContext()
	allocs := testing.AllocsPerRun(1000, func() {
		c, sp := Start(ctx, "db.query")
		End(sp, nil)
		if c != ctx {
			t.Fatal("context changed")
		}
	})
	if allocs != 0 {
		t.Errorf("Start+End with traces off: %v allocations, want 0", allocs)
	}
}

// TestStartOnNests: with a recording span in the context, Start makes a
// child on the same provider, and Span records a finished one.
func TestStartOnNests(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	ctx, root := tp.Tracer("t").Start(context.Background(), "root")
	c, child := Start(ctx, "child")
	if !Recording(c) {
		t.Fatal("child not recording")
	}
	End(child, fmt.Errorf("boom"))
	root.End()
	spans := exp.GetSpans()
	if len(spans) != 2 || spans[0].Name != "child" || spans[0].Parent.SpanID() != spans[1].SpanContext.SpanID() {
		t.Fatalf("spans %+v", spans)
	}
	if spans[0].Status.Description != "boom" {
		t.Errorf("error status %+v", spans[0].Status)
	}
}

// TestObserveHTTPFreeAndBounded: a known label set is observed without
// allocating, and distinct routes past the bound collapse into one.
func TestObserveHTTPFreeAndBounded(t *testing.T) {
	m := NewMetrics()
	m.ObserveHTTP("/api/x", "GET", 200, 0.01)
	if a := testing.AllocsPerRun(1000, func() { m.ObserveHTTP("/api/x", "GET", 200, 0.01) }); a != 0 {
		t.Errorf("ObserveHTTP: %v allocations, want 0", a)
	}
	for i := range maxHTTPSeries + 500 {
		m.ObserveHTTP(fmt.Sprintf("/r/%d", i), "BREW", 200, 0.01)
	}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == "basalt_http_request_duration_seconds" {
			if n := len(f.GetMetric()); n > maxHTTPSeries+1 {
				t.Errorf("%d series, want ≤ %d", n, maxHTTPSeries+1)
			}
			for _, mm := range f.GetMetric() {
				for _, l := range mm.GetLabel() {
					if l.GetName() == "method" && l.GetValue() == "BREW" {
						t.Errorf("unknown method kept as a label value")
					}
				}
			}
		}
	}
}

// BenchmarkStartOff is the cost an instrumented call pays with traces off.
func BenchmarkStartOff(b *testing.B) {
	ctx := offContext()
	b.ReportAllocs()
	for b.Loop() {
		_, sp := Start(ctx, "db.query")
		End(sp, nil)
	}
}

// BenchmarkObserveHTTP is the metrics cost of one request.
func BenchmarkObserveHTTP(b *testing.B) {
	m := NewMetrics()
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveHTTP("/api/collections/:collection/records/:id", "GET", 200, 0.001)
	}
}

// TestRequestIdContext: the id is found through derived contexts, a
// cancellation of the parent still reaches children, and the header value
// cannot be appended into.
func TestRequestIdContext(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	ctx, hv := WithRequestIdHeader(parent, "rid-1")
	child, stop := context.WithCancel(context.WithValue(ctx, ctxKey(1), 1))
	defer stop()
	if got := RequestId(context.WithoutCancel(child)); got != "rid-1" {
		t.Errorf("RequestId through derived contexts = %q", got)
	}
	if RequestId(parent) != "" || RequestId(context.Background()) != "" {
		t.Error("id found where none was set")
	}
	if len(hv) != 1 || hv[0] != "rid-1" || cap(hv) != 1 {
		t.Errorf("header value %q (cap %d)", hv, cap(hv))
	}
	_ = append(hv, "other")
	if RequestId(ctx) != "rid-1" {
		t.Error("appending to the header value changed the id")
	}
	cancel()
	<-child.Done() // a hang here would mean cancellation does not propagate
	if child.Err() == nil {
		t.Error("child not cancelled")
	}
}
