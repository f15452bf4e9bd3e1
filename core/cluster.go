package core

import (
	"context"
	"sync"
	"sync/atomic"
)

// clusterStore is a Store shared by several nodes (PostgreSQL): it counts
// every collection and settings change made by any of them.
type clusterStore interface {
	Clustered() bool
	ConfigVersion(ctx context.Context) (int64, error)
}

// clusterState tracks which shared configuration version the caches hold.
type clusterState struct {
	store clusterStore
	mu    sync.Mutex
	seen  atomic.Int64 // -1: not loaded through Refresh yet
}

// cluster returns the app's cluster state, nil on a single-node store.
func (app *App) clusterOf() *clusterState {
	app.clusterOnce.Do(func() {
		if cs, ok := app.store.(clusterStore); ok && cs.Clustered() {
			app.clusterVal = &clusterState{store: cs}
			app.clusterVal.seen.Store(-1)
		}
	})
	return app.clusterVal
}

// Clustered reports whether the app's database is shared by several
// nodes (PostgreSQL): caches then follow the writes of every node.
func (app *App) Clustered() bool { return app.clusterOf() != nil }

// Refresh brings the collection and settings caches up to date when
// another node changed them, with one cheap read of the shared version
// counter; the HTTP API calls it before each request on a clustered
// database, so a rule changed on one node is enforced by every node from
// the next request on (the change feed reloads them too, but
// asynchronously). On a single-node store it does nothing.
func (app *App) Refresh(ctx context.Context) error {
	c := app.clusterOf()
	if c == nil {
		return nil
	}
	v, err := c.store.ConfigVersion(ctx)
	if err != nil {
		return err
	}
	if v == c.seen.Load() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v == c.seen.Load() {
		return nil
	}
	if err := app.ReloadCollections(ctx); err != nil {
		return err
	}
	if err := app.ReloadSettings(ctx); err != nil {
		return err
	}
	c.seen.Store(v)
	return nil
}
