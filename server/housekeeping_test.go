package server

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
)

// TestHousekeepingSurvivesPanics: the housekeeping goroutine recovers a
// panicking task (the process would otherwise end), runs the other tasks
// and later rounds, and returns when its context ends.
func TestHousekeepingSurvivesPanics(t *testing.T) {
	t.Parallel()
	app := core.NewApp(core.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var panics, runs atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		housekeeping(ctx, app, 5*time.Millisecond,
			func(context.Context) { panics.Add(1); panic("boom") },
			func(context.Context) { runs.Add(1) })
	}()
	deadline := time.Now().Add(10 * time.Second)
	for runs.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if runs.Load() < 3 || panics.Load() < 3 {
		t.Fatalf("after panicking tasks: %d panics, %d runs of the next task; want >= 3 rounds", panics.Load(), runs.Load())
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("housekeeping still running 10 s after its context ended")
	}
}
