package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v5"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/basalthq/basalt/core"
)

// BenchmarkObserveOverhead measures what the observe middleware (request
// id, metrics, the traces-off check) adds to one request, in one process
// (on a shared machine a difference within one run is steadier than two
// whole-server runs): "logged" is the request-log work the middleware it
// replaced did (building the _logs entry, which this store without a log
// table then drops), "observed" the whole middleware.
func BenchmarkObserveOverhead(b *testing.B) {
	app := core.NewApp(core.Config{DataDir: b.TempDir()}, nil)
	s := &Server{app: app, echo: echo.New(), logger: app.Logger(), metrics: app.Metrics()}
	// As behind the real chain: the security headers are set on every
	// response, so the header map has grown before the handler answers.
	handler := securityHeaders(func(c *echo.Context) error { return c.NoContent(http.StatusOK) })
	run := func(b *testing.B, h echo.HandlerFunc) {
		req := httptest.NewRequest("GET", "/api/collections/posts/records/abc", nil)
		b.ReportAllocs()
		var ru0, ru1 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		defer func() {
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			cpu := ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano()
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		}()
		for b.Loop() {
			rec := httptest.NewRecorder()
			c := s.echo.NewContext(req, rec)
			c.SetPath("/api/collections/:collection/records/:id")
			if err := h(c); err != nil {
				b.Fatal(err)
			}
		}
	}
	logged := func(c *echo.Context) error {
		start := time.Now()
		err := handler(c)
		s.logRequest(c, c.Request(), "", http.StatusOK, "", time.Since(start))
		return err
	}
	b.Run("bare", func(b *testing.B) { run(b, handler) })
	b.Run("logged", func(b *testing.B) { run(b, logged) })
	b.Run("observed", func(b *testing.B) { run(b, s.observe(handler)) })
}

// FuzzRequestId: whatever a client sends as X-Request-Id, the id the
// request gets is the input only when it is 1–128 characters of the token
// alphabet, else 32 generated hex digits; it never carries a character
// that could break a log line or a JSON document.
func FuzzRequestId(f *testing.F) {
	for _, seed := range []string{"", "abc", "0f8fad5b-d9cb-469f-a165-70867728950e", "a b", "\"}\n{", "héllo", string(make([]byte, 200))} {
		f.Add(seed)
	}
	hex := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
				return false
			}
		}
		return len(s) == 32
	}
	f.Fuzz(func(t *testing.T, in string) {
		id := in
		if !validRequestId(id) {
			id = newRequestId()
			if !hex(id) {
				t.Fatalf("generated id %q", id)
			}
			return
		}
		if len(id) == 0 || len(id) > maxRequestIdLen {
			t.Fatalf("kept id of length %d", len(id))
		}
		for _, r := range id {
			if r < 0x21 || r > 0x7e || r == '"' || r == '\\' || r == '<' || r == '>' {
				t.Fatalf("kept id %q with %q", id, r)
			}
		}
	})
}

// TestOAuth2ClientPropagates: a provider call made inside a traced
// request is a client span of that trace and sends its traceparent; made
// outside one, it sends none.
func TestOAuth2ClientPropagates(t *testing.T) {
	got := make(chan string, 2)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("traceparent")
	}))
	defer ts.Close()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	ctx, root := tp.Tracer("t").Start(context.Background(), "request")
	call := func(ctx context.Context) string {
		req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL, nil)
		resp, err := oauth2HTTPClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return <-got
	}
	tp1 := call(ctx)
	root.End()
	want := root.SpanContext().TraceID().String()
	if !strings.Contains(tp1, want) {
		t.Errorf("traceparent %q does not carry trace %s", tp1, want)
	}
	var client bool
	for _, sp := range exp.GetSpans() {
		if sp.SpanKind == trace.SpanKindClient && sp.Parent.SpanID() == root.SpanContext().SpanID() {
			client = true
		}
	}
	if !client {
		t.Errorf("no client span under the request span")
	}
	if tp2 := call(context.Background()); tp2 != "" {
		t.Errorf("untraced call sent traceparent %q", tp2)
	}
}
