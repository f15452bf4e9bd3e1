// Command basalt is a single-binary backend: embedded SQLite, a
// PocketBase-compatible REST API, auth, files and an admin dashboard.
package main

import (
	"os"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/hooks"
	_ "github.com/basalthq/basalt/migrations"
	"github.com/basalthq/basalt/server"
)

// register binds this build's hooks; test builds add their own
// (main_testhooks.go).
var register func(app *core.App) error = hooks.Register

func main() {
	app := server.New(server.Config{})
	app.OnOpen(register)
	if err := app.Start(); err != nil {
		os.Exit(1)
	}
}
