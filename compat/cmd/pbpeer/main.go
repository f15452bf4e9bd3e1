// Command pbpeer starts an unmodified PocketBase v0.36.8, the reference
// server the differential harness compares Basalt against. It accepts
// PocketBase's own CLI, e.g.
//
//	pbpeer serve --http 127.0.0.1:8090 --dir /tmp/pbdata
//	pbpeer superuser upsert admin@example.com secret123456 --dir /tmp/pbdata
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"
)

func main() {
	app := pocketbase.New()
	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
