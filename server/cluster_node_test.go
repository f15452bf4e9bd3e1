package server

import (
	"context"
	"database/sql"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/cli"
	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

// TestServeRefusesLocalStorageInCluster: `serve` with local file storage
// does not start while another node serves the same database, and says
// why; a CLI command on the database is no node (it opens fine); once
// the first node stopped (and deregistered), serving starts.
func TestServeRefusesLocalStorageInCluster(t *testing.T) {
	dsn := pgtest.DSN(t)
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	openNode := func() (*core.App, cli.Global) {
		t.Helper()
		g := cli.Global{Dir: t.TempDir(), QueryTimeout: 30, DB: dsn}
		app, err := open(context.Background(), g, io.Discard, nil)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { _ = app.Terminate() })
		return app, g
	}
	// serveNode serves until the returned stop is called, once the node
	// is registered.
	serveNode := func() (stop func()) {
		t.Helper()
		app, g := openNode()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- serve(ctx, app, g, cli.ServeFlags{HTTP: "127.0.0.1:0"}, io.Discard) }()
		id := app.Store().(interface{ NodeId() string }).NodeId()
		registered := false
		for i := 0; i < 500 && !registered; i++ {
			select {
			case err := <-done:
				t.Fatalf("serve ended: %v", err)
			default:
			}
			if err := raw.QueryRow(`SELECT EXISTS (SELECT 1 FROM "_nodes" WHERE "id" = $1)`, id).Scan(&registered); err != nil {
				t.Fatal(err)
			}
			if !registered {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if !registered {
			t.Fatal("the serving node never registered")
		}
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("serve: %v", err)
			}
			_ = app.Terminate()
		}
	}

	stopFirst := serveNode()
	second, g := openNode() // a CLI command's open: allowed
	// Bounded: a node that wrongly serves returns nil when this ends.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = serve(ctx, second, g, cli.ServeFlags{HTTP: "127.0.0.1:0"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "local disk") || !strings.Contains(err.Error(), "S3") {
		t.Fatalf("second node serving with local storage: err = %v, want a refusal naming local storage and S3", err)
	}
	stopFirst()
	serveNode()()
}
