// Command floor is the benchmark's lower bound: a minimal net/http +
// modernc.org/sqlite server that answers the same view, list and create
// requests on posts as PocketBase's records API, with the same schema,
// indexes and JSON shape, and no framework, rules engine or hooks. It seeds
// its own dataset (100 users, 10,000 posts by default) on first start.
//
//	floor -http 127.0.0.1:8092 -dir /tmp/floordata -create group
//
// -create tx runs one transaction per insert; -create group batches
// concurrent inserts into one transaction from a single writer goroutine.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	addr := fs.String("http", "127.0.0.1:8092", "listen address (loopback)")
	dir := fs.String("dir", "floor_data", "data directory (data.db is created inside)")
	mode := fs.String("create", "group", "create mode: 'tx' (one transaction per insert) or 'group' (group commit)")
	maxBatch := fs.Int("max-batch", 256, "group commit: max inserts per transaction")
	users := fs.Int("users", 100, "users to seed into an empty database")
	posts := fs.Int("posts", 10000, "posts to seed into an empty database")
	readers := fs.Int("readers", 4*runtime.NumCPU(), "reader connection pool size")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *mode != "tx" && *mode != "group" {
		return fmt.Errorf("-create must be tx or group, got %q", *mode)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	rdb, wdb, err := openDBs(filepath.Join(*dir, "data.db"), *readers)
	if err != nil {
		return err
	}
	defer rdb.Close()
	defer wdb.Close()
	if err := seed(ctx, wdb, *users, *posts); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	s, err := newServer(rdb, wdb, *mode, *maxBatch)
	if err != nil {
		return err
	}
	if *mode == "group" {
		go s.groupWriter(ctx)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s.routes(), ReadHeaderTimeout: time.Minute}
	log.Printf("floor (create=%s) listening on http://%s", *mode, ln.Addr())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newServer prepares the statements used on the hot paths.
func newServer(rdb, wdb *sql.DB, mode string, maxBatch int) (*server, error) {
	s := &server{rdb: rdb, wdb: wdb, mode: mode, maxBatch: maxBatch, writes: make(chan *writeReq, 1024)}
	var err error
	prep := func(db *sql.DB, q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = db.Prepare(q)
		return st
	}
	s.view = prep(rdb, "SELECT "+postCols+" FROM posts WHERE id = ?")
	s.insert = prep(wdb, insertSQL)
	return s, err
}
