package server

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core/telemetry"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestTracingFromEnv: traces are off unless the standard OTEL_*
// variables ask for them, and OTEL_SDK_DISABLED wins.
func TestTracingFromEnv(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    bool
		wantErr bool
	}{
		{"nothing set: off", nil, false, false},
		{"endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, true, false},
		{"traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, true, false},
		{"exporter otlp", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true, false},
		{"exporter none beats endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, false, false},
		{"sdk disabled beats everything", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, false, false},
		{"sdk disabled false", map[string]string{"OTEL_SDK_DISABLED": "false", "OTEL_TRACES_EXPORTER": "otlp"}, true, false},
		{"unsupported exporter", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := tracingWanted(envOf(c.env))
			if got != c.want || (err != nil) != c.wantErr {
				t.Errorf("tracingWanted = %v, %v; want %v, error %v", got, err, c.want, c.wantErr)
			}
		})
	}
	if tp, err := newTracerProvider(context.Background(), envOf(nil)); tp != nil || err != nil {
		t.Errorf("default: provider %v, error %v; want none", tp, err)
	}
}

func TestOTLPProtocol(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr bool
	}{
		{"default", nil, "http/protobuf", false},
		{"grpc", map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "grpc", false},
		{"traces-specific wins", map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf"}, "http/protobuf", false},
		{"json unsupported", map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := otlpProtocol(envOf(c.env))
			if got != c.want || (err != nil) != c.wantErr {
				t.Errorf("otlpProtocol = %q, %v; want %q, error %v", got, err, c.want, c.wantErr)
			}
		})
	}
}

// TestNewLogger: --logFormat picks slog's JSON or text handler, and a
// line logged with a request's context carries its id.
func TestNewLogger(t *testing.T) {
	ctx := telemetry.WithRequestId(context.Background(), "rid-7")
	var buf bytes.Buffer
	l, err := newLogger(&buf, "json", false)
	if err != nil {
		t.Fatal(err)
	}
	l.InfoContext(ctx, "hello", "k", 1)
	l.DebugContext(ctx, "hidden without --dev")
	var m map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &m); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	if m["requestId"] != "rid-7" || m["msg"] != "hello" || m["k"] != float64(1) {
		t.Errorf("json line %v", m)
	}
	buf.Reset()
	if l, err = newLogger(&buf, "text", true); err != nil {
		t.Fatal(err)
	}
	l.DebugContext(ctx, "dev line")
	if s := buf.String(); !strings.Contains(s, "requestId=rid-7") || !strings.Contains(s, "msg=\"dev line\"") {
		t.Errorf("text line %q", s)
	}
	if _, err := newLogger(&buf, "xml", false); err == nil {
		t.Error("--logFormat xml accepted")
	}
}
