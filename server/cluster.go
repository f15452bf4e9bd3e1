package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
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
// app terminates. On SQLite (one process) it does nothing. Registering
// as a serving node is joinAsNode's, for `serve` only: a CLI command on
// the same database is no node.
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

// joinAsNode registers a serving node in _nodes (a heartbeat row; see
// nodeTTL) and refuses to serve with local file storage while other
// nodes are live: files uploaded through one node would be missing on
// the others. On SQLite it does nothing.
func joinAsNode(ctx context.Context, app *core.App) error {
	st, ok := app.Store().(*store.Store)
	if !ok || !st.Clustered() {
		return nil
	}
	storage := func() string {
		if app.Settings().S3.Enabled {
			return "s3"
		}
		return "local"
	}
	local := storage() == "local"
	others, err := st.RegisterNode(ctx, storage(), nodeTTL, local)
	if err != nil {
		return fmt.Errorf("register node: %w", err)
	}
	if local && len(others) > 0 {
		return fmt.Errorf("refusing to start: this node stores files on local disk (pb_data/storage), but %d other Basalt node(s) are running on this database (%s): "+
			"files uploaded through one node would be missing on the others. Several nodes need S3 file storage: enable it in the settings "+
			"(Settings → Files storage, or PATCH /api/settings {\"s3\":{\"enabled\":true,...}}) through a running node, then start this one "+
			"(a node that stopped without deregistering counts as running for %s after its last heartbeat)",
			len(others), strings.Join(others, ", "), nodeTTL)
	}
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	app.OnTerminate().Bind(&hook.Handler[*core.TerminateEvent]{Id: "__basaltNode__", Func: func(e *core.TerminateEvent) error {
		cancel()
		dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer dcancel()
		if err := st.ForgetNode(dctx); err != nil {
			app.Logger().Warn("cluster: deregister node", "err", err)
		}
		return e.Next()
	}})
	go heartbeat(hctx, app, st, storage)
	return nil
}

// nodeTTL is how long a node counts as live after its last heartbeat
// (one every third of it).
const nodeTTL = 30 * time.Second

func heartbeat(ctx context.Context, app *core.App, st *store.Store, storage func() string) {
	defer func() {
		if r := recover(); r != nil {
			app.Logger().Error("cluster: heartbeat panic", "panic", r)
		}
	}()
	t := time.NewTicker(nodeTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := st.HeartbeatNode(ctx, storage()); err != nil && ctx.Err() == nil {
			app.Logger().Warn("cluster: heartbeat", "err", err)
		}
	}
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
				app.Logger().Warn("cluster: decode record change", "collection", c.Collection, "id", c.Record, "err", err)
				return
			}
		}
		_ = bus.Publish(ctx, env)
	}
}
