package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/testenv"
)

// tracedServer serves s.App through a handler that traces into an
// in-memory exporter, on a real loopback socket.
func tracedServer(t *testing.T, s *testenv.Server) (*httptest.Server, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	h, err := api.New(s.App, api.Config{TracerProvider: tp})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, exp
}

func post(t *testing.T, url, body string, hdr map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestTraceCreateUnderRule: a create under a createRule is one request
// span with the rule evaluation, the write (queue wait, its SQL, the
// commit) below it; an incoming traceparent is continued.
func TestTraceCreateUnderRule(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	postsCollection(t, s, su, `title != "forbidden"`)
	ts, exp := tracedServer(t, s)

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	const parentID = "00f067aa0ba902b7"
	resp := post(t, ts.URL+"/api/collections/posts/records", `{"title":"hello"}`,
		map[string]string{"traceparent": "00-" + traceID + "-" + parentID + "-01"})
	if resp.StatusCode != 200 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	spans := exp.GetSpans()
	byID := map[trace.SpanID]tracetest.SpanStub{}
	var root tracetest.SpanStub
	for _, sp := range spans {
		byID[sp.SpanContext.SpanID()] = sp
		if sp.Name == "POST /api/collections/:collection/records" {
			root = sp
		}
	}
	if root.Name == "" {
		t.Fatalf("no request span named after the route template; spans: %v", spanNames(spans))
	}
	if got := root.SpanContext.TraceID().String(); got != traceID {
		t.Errorf("trace id %s, want the caller's %s", got, traceID)
	}
	if got := root.Parent.SpanID().String(); got != parentID {
		t.Errorf("parent span %s, want the caller's %s", got, parentID)
	}
	if root.SpanKind != trace.SpanKindServer {
		t.Errorf("request span kind %v", root.SpanKind)
	}
	// parentName names each span's parent ("" for the root).
	parentName := func(sp tracetest.SpanStub) string {
		return byID[sp.Parent.SpanID()].Name
	}
	find := func(name, parent string) tracetest.SpanStub {
		for _, sp := range spans {
			if sp.Name == name && parentName(sp) == parent {
				return sp
			}
		}
		t.Errorf("no span %q under %q; spans: %v", name, parent, spanNames(spans))
		return tracetest.SpanStub{}
	}
	rule := find("rule.eval", root.Name)
	if rule.Name != "" && !hasChild(spans, rule, "db.query") {
		t.Errorf("rule evaluation has no SQL span")
	}
	write := find("db.write", root.Name)
	find("db.queue_wait", "db.write")
	find("db.commit", "db.write")
	if write.Name != "" && !hasChild(spans, write, "db.exec") {
		t.Errorf("write has no SQL statement span")
	}
	for _, sp := range spans {
		if sp.SpanContext.TraceID() != root.SpanContext.TraceID() {
			t.Errorf("span %s is in another trace", sp.Name)
		}
		for _, a := range sp.Attributes {
			if a.Key == "db.query.text" && strings.Contains(a.Value.AsString(), "hello") {
				t.Errorf("a value reached the SQL text attribute: %s", a.Value.AsString())
			}
		}
	}
	// The queue wait ends before the commit starts.
	qw, cm := find("db.queue_wait", "db.write"), find("db.commit", "db.write")
	if qw.EndTime.After(cm.StartTime) {
		t.Errorf("queue wait ends %v after the commit starts %v", qw.EndTime, cm.StartTime)
	}
}

func spanNames(spans tracetest.SpanStubs) []string {
	var out []string
	for _, sp := range spans {
		out = append(out, sp.Name)
	}
	return out
}

func hasChild(spans tracetest.SpanStubs, parent tracetest.SpanStub, name string) bool {
	for _, sp := range spans {
		if sp.Name == name && sp.Parent.SpanID() == parent.SpanContext.SpanID() {
			return true
		}
	}
	return false
}
