package server

import (
	"context"
	"encoding/json"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/hook"
	"github.com/basalthq/basalt/internal/realtime"
	"github.com/basalthq/basalt/internal/store"
)

// joinCluster makes app one node of several sharing its database
// (PostgreSQL): it follows the store's change feed — record changes
// written on other nodes go to this node's realtime broker through bus
// (rules are checked here, for the clients held here), collection and
// settings changes reload the caches — and lets the cron scheduler run a
// scheduled job only when this node claims its tick. It stops when the
// app terminates. On SQLite (one process) it does nothing.
func joinCluster(ctx context.Context, app *core.App, st *store.Store, bus realtime.Bus) error {
	if !st.Clustered() {
		return nil
	}
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	app.OnTerminate().Bind(&hook.Handler[*core.TerminateEvent]{Id: "__basaltCluster__", Func: func(e *core.TerminateEvent) error {
		cancel()
		return e.Next()
	}})
	app.Cron().SetClaim(func(ctx context.Context, id string, tick time.Time) bool {
		ok, err := st.ClaimCronTick(ctx, id, tick)
		if err != nil {
			app.Logger().Warn("cron: claim tick", "job", id, "err", err)
		}
		return ok
	})
	if err := st.FollowChanges(fctx, func(c store.Change) { applyChange(fctx, app, bus, c) }); err != nil {
		cancel()
		return err
	}
	return nil
}

// applyChange applies one change another node committed.
func applyChange(ctx context.Context, app *core.App, bus realtime.Bus, c store.Change) {
	switch c.Kind {
	case store.ChangeCollections, store.ChangeSettings:
		// Refresh, not a bare reload: it reads the shared version first,
		// so a reload racing a request's never leaves an older list in
		// place for good.
		if err := app.Refresh(ctx); err != nil {
			app.Logger().Warn("cluster: reload collections and settings", "err", err)
		}
	case store.ChangeRecord:
		env := realtime.Envelope{Node: "feed:" + c.Node, Kind: realtime.KindRecord, Action: c.Action,
			CollectionId: c.Collection, RecordId: c.Record}
		if c.Data != nil {
			if err := json.Unmarshal(c.Data, &env.Snapshot); err != nil {
				app.Logger().Warn("cluster: decode deleted record", "collection", c.Collection, "id", c.Record, "err", err)
				return
			}
		}
		_ = bus.Publish(ctx, env)
	}
}
