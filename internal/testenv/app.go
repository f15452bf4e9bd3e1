package testenv

import (
	"context"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/store"
	"github.com/basalthq/basalt/internal/store/dialect/sqlite"
)

// OpenApp opens a bootstrapped app (system collections included) over a
// fresh SQLite store in dir, without an HTTP server: for tests and
// runnable examples of core's Go API, which may not import the store
// themselves (DESIGN §3). Close it with app.Store().Close().
func OpenApp(ctx context.Context, dir string) (*core.App, error) {
	st, err := store.Open(ctx, sqlite.Dialect{}, dir, store.Options{})
	if err != nil {
		return nil, err
	}
	app := core.NewApp(core.Config{DataDir: dir}, st)
	if err := app.Bootstrap(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return app, nil
}
