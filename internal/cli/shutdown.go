package cli

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/basalthq/basalt/core"
)

// DefaultShutdownTimeout is the default of --shutdownTimeout.
const DefaultShutdownTimeout = 30 * time.Second

// serveBounded runs serve (which returns after ctx ends, once in-flight
// requests finished or its shutdown timeout passed), then closes the app;
// it returns within twice the shutdown timeout of ctx ending whatever
// state the app is in. A request or hook that never returns, a write
// transaction that never ends or a background job stuck in a write would
// otherwise keep the process alive after SIGTERM (issue #22): Close waits
// for the single writer. Past the bound it gives up on them and returns
// an error, and the process exits; SQLite rolls the open transaction back
// when the database is next opened, as after a crash.
func serveBounded(ctx context.Context, app *core.App, timeout time.Duration, serve func() error) error {
	if timeout <= 0 {
		timeout = DefaultShutdownTimeout
	}
	done := make(chan error, 1)
	go func() {
		var err error
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("serve panic: %v\n%s", r, debug.Stack())
			}
			done <- err
		}()
		err = serve()
		if terr := app.Terminate(); terr != nil && err == nil {
			err = terr
		}
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	// Serve gets one timeout to drain requests, closing the app another.
	bound := time.NewTimer(2 * timeout)
	defer bound.Stop()
	select {
	case err := <-done:
		return err
	case <-bound.C:
		return fmt.Errorf("shutdown did not finish within %s (a request, hook or write never returned); exiting without waiting for it", 2*timeout)
	}
}
