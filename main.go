// Command basalt is a single-binary backend: embedded SQLite, a
// PocketBase-compatible REST API, auth, files and an admin dashboard.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/basalthq/basalt/hooks"
	_ "github.com/basalthq/basalt/migrations"
	"github.com/basalthq/basalt/server"
)

// register binds this build's hooks; test builds add their own
// (main_testhooks.go).
var register server.Register = hooks.Register

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal starts the graceful stop, a second one ends
	// the process at once (the default action once nobody listens).
	context.AfterFunc(ctx, stop)
	if err := server.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, register); err != nil {
		stop()
		os.Exit(1)
	}
}
