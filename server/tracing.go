package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"

	"github.com/basalthq/basalt/core/telemetry"
)

// tracingWanted reads the standard OpenTelemetry environment: traces are
// on only when OTEL_TRACES_EXPORTER says "otlp", or an OTLP endpoint is
// set and OTEL_TRACES_EXPORTER does not say otherwise;
// OTEL_SDK_DISABLED=true turns everything off. Any other exporter name is
// an error rather than a silent no-op.
func tracingWanted(getenv func(string) string) (bool, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false, nil
	}
	switch exp := strings.ToLower(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))); exp {
	case "none":
		return false, nil
	case "otlp":
		return true, nil
	case "":
		return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "", nil
	default:
		return false, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: only \"otlp\" and \"none\" are supported", exp)
	}
}

// otlpProtocol is the OTLP protocol the environment asks for traces:
// OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL,
// else http/protobuf (the specification's default).
func otlpProtocol(getenv func(string) string) (string, error) {
	p := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"))
	if p == "" {
		p = strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_PROTOCOL"))
	}
	switch p {
	case "", "http/protobuf":
		return "http/protobuf", nil
	case "grpc":
		return "grpc", nil
	}
	return "", fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL=%q: use http/protobuf or grpc", p)
}

// newTracerProvider builds the OTLP tracer provider the environment asks
// for, or nil when traces are off. The exporter, batch processor, sampler
// and resource read the rest of the OTEL_* variables themselves
// (endpoint, headers, timeouts, OTEL_TRACES_SAMPLER, OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES, OTEL_BSP_*).
func newTracerProvider(ctx context.Context, getenv func(string) string) (*sdktrace.TracerProvider, error) {
	on, err := tracingWanted(getenv)
	if err != nil || !on {
		return nil, err
	}
	proto, err := otlpProtocol(getenv)
	if err != nil {
		return nil, err
	}
	var exp *otlptrace.Exporter
	if proto == "grpc" {
		exp, err = otlptracegrpc.New(ctx)
	} else {
		exp, err = otlptracehttp.New(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("otlp trace exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(),
		resource.NewSchemaless(semconv.ServiceName("basalt"), semconv.ServiceVersion(Version)))
	if err == nil {
		// The environment (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES)
		// wins over our defaults.
		var env *resource.Resource
		if env, err = resource.New(ctx, resource.WithFromEnv()); err == nil {
			res, err = resource.Merge(res, env)
		}
	}
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("otel resource: %w", err)
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)), nil
}

// newLogger builds the process logger: format "text" (default) or "json"
// on out, debug level with dev; every line of a request carries its
// request id (and trace and span ids when traced).
func newLogger(out io.Writer, format string, dev bool) (*slog.Logger, error) {
	level := slog.LevelInfo
	if dev {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch strings.ToLower(format) {
	case "", "text":
		h = slog.NewTextHandler(out, opts)
	case "json":
		h = slog.NewJSONHandler(out, opts)
	default:
		return nil, fmt.Errorf("--logFormat %q: use text or json", format)
	}
	return slog.New(telemetry.LogHandler(h)), nil
}

// envOrEmpty is os.Getenv (a variable for tests).
var envOrEmpty = os.Getenv
