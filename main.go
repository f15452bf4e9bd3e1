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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := server.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, hooks.Register); err != nil {
		stop()
		os.Exit(1)
	}
}
