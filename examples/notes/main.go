// Command notes is an example Basalt program: a small notes service
// that extends Basalt from its own Go module, the way a ported
// PocketBase app does (see PORTING.md). It shows a Go migration
// (migrations.go), hooks, routes with middleware and a cron job
// (notes.go), a custom command (stats.go), and tests written with the
// public harness (notes_test.go).
//
//	go run . serve --dir ./pb_data
//	go run . stats --dir ./pb_data
package main

import (
	"os"

	"github.com/basalthq/basalt/server"
)

func main() {
	b := server.New(server.Config{})
	b.OnOpen(Register)
	b.RootCmd.AddCommand(statsCommand(b))
	if err := b.Start(); err != nil {
		os.Exit(1)
	}
}
