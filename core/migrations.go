package core

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Migration is one versioned schema change.
type Migration struct {
	// File names the migration; applied names are recorded in _migrations.
	File string
	Up   func(ctx context.Context, app *App) error
	Down func(ctx context.Context, app *App) error
}

// MigrationsList is an ordered registry of migrations.
type MigrationsList struct {
	mu    sync.Mutex
	items []*Migration
}

// Register adds a migration; registering the same file twice panics
// (registries fail loudly).
func (l *MigrationsList) Register(file string, up, down func(ctx context.Context, app *App) error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.items {
		if m.File == file {
			panic("core: migration registered twice: " + file)
		}
	}
	l.items = append(l.items, &Migration{File: file, Up: up, Down: down})
	sort.SliceStable(l.items, func(i, j int) bool { return l.items[i].File < l.items[j].File })
}

// Items returns the migrations in order.
func (l *MigrationsList) Items() []*Migration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Migration(nil), l.items...)
}

// SystemMigrations are Basalt's own schema versions (file names start
// with SystemMigrationPrefix); AppMigrations are the user's.
var (
	SystemMigrations MigrationsList
	AppMigrations    MigrationsList
)

// SystemMigrationPrefix marks system migration file names, so a data dir
// written by a newer Basalt is recognised.
const SystemMigrationPrefix = "basalt_"

// MigrationStore records applied migrations; the store implements it.
type MigrationStore interface {
	AppliedMigrations(ctx context.Context) ([]string, error)
	RecordMigration(ctx context.Context, file string, applied int64) error
	ForgetMigration(ctx context.Context, file string) error
}

type migratingKey struct{}

// IsMigrating reports whether ctx belongs to a running migration (schema
// changes made by migrations must not write new migration files).
func IsMigrating(ctx context.Context) bool { return ctx != nil && ctx.Value(migratingKey{}) != nil }

// ErrNewerData is returned when the data dir holds migrations this binary
// does not know: a newer Basalt wrote it.
var ErrNewerData = fmt.Errorf("the data directory was written by a newer Basalt version")

func (app *App) migrationStore() (MigrationStore, error) {
	ms, ok := app.store.(MigrationStore)
	if !ok {
		return nil, fmt.Errorf("store does not record migrations")
	}
	return ms, nil
}

// CheckDataVersion fails when applied system migrations are unknown.
func (app *App) CheckDataVersion(ctx context.Context) error {
	ms, err := app.migrationStore()
	if err != nil {
		return err
	}
	applied, err := ms.AppliedMigrations(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, m := range SystemMigrations.Items() {
		known[m.File] = true
	}
	for _, f := range applied {
		if strings.HasPrefix(f, SystemMigrationPrefix) && !known[f] {
			return fmt.Errorf("%w (unknown migration %q): upgrade the binary", ErrNewerData, f)
		}
	}
	return nil
}

// MigrateUp applies every pending migration of list, each in its own
// transaction together with its _migrations row. It returns the applied
// file names.
func (app *App) MigrateUp(ctx context.Context, list *MigrationsList) ([]string, error) {
	ms, err := app.migrationStore()
	if err != nil {
		return nil, err
	}
	applied, err := ms.AppliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, f := range applied {
		done[f] = true
	}
	var ran []string
	for _, m := range list.Items() {
		if done[m.File] {
			continue
		}
		already := false
		err := app.store.RunInTx(context.WithValue(ctx, migratingKey{}, true), func(txCtx context.Context) error {
			// Another process on the same data dir (a `superuser upsert`
			// while `serve` starts) may have applied it since the list was
			// read; the write lock is held now, so look again.
			if now, err := ms.AppliedMigrations(txCtx); err == nil && slices.Contains(now, m.File) {
				already = true
				return nil
			}
			if m.Up != nil {
				if err := m.Up(txCtx, app); err != nil {
					return err
				}
			}
			return ms.RecordMigration(txCtx, m.File, app.Now().UnixMicro())
		})
		if err != nil {
			return ran, fmt.Errorf("migration %s: %w", m.File, err)
		}
		if err := app.ReloadCollections(ctx); err != nil {
			return ran, err
		}
		if !already {
			ran = append(ran, m.File)
		}
	}
	return ran, nil
}

// MigrateDown reverts the last n applied migrations of list.
func (app *App) MigrateDown(ctx context.Context, list *MigrationsList, n int) ([]string, error) {
	ms, err := app.migrationStore()
	if err != nil {
		return nil, err
	}
	applied, err := ms.AppliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	byFile := map[string]*Migration{}
	for _, m := range list.Items() {
		byFile[m.File] = m
	}
	var reverted []string
	for i := len(applied) - 1; i >= 0 && len(reverted) < n; i-- {
		m, ok := byFile[applied[i]]
		if !ok {
			continue
		}
		err := app.store.RunInTx(context.WithValue(ctx, migratingKey{}, true), func(txCtx context.Context) error {
			if m.Down != nil {
				if err := m.Down(txCtx, app); err != nil {
					return err
				}
			}
			return ms.ForgetMigration(txCtx, m.File)
		})
		if err != nil {
			return reverted, fmt.Errorf("revert %s: %w", m.File, err)
		}
		if err := app.ReloadCollections(ctx); err != nil {
			return reverted, err
		}
		reverted = append(reverted, m.File)
	}
	return reverted, nil
}

// Bootstrap prepares the app: checks the data version, applies system
// migrations, loads collections and settings, then fires OnBootstrap.
//
// App migrations are not applied here, as in PocketBase: every command
// bootstraps, and applying them here undid a `migrate down` at the next
// command of any kind (issue #22). `migrate up` applies them, and so does
// `serve` before it listens (PocketBase's serve runs all migrations too).
func (app *App) Bootstrap(ctx context.Context) error {
	if err := app.ReloadCollections(ctx); err != nil {
		return err
	}
	if err := app.CheckDataVersion(ctx); err != nil {
		return err
	}
	if _, err := app.MigrateUp(ctx, &SystemMigrations); err != nil {
		return err
	}
	if err := app.ReloadSettings(ctx); err != nil {
		return err
	}
	return app.onBootstrap.Trigger(&BootstrapEvent{App: app})
}

// Terminate stops the cron scheduler (waiting for running jobs, bounded),
// fires OnTerminate and closes the store.
func (app *App) Terminate() error {
	app.stopCron()
	err := app.onTerminate.Trigger(&TerminateEvent{App: app})
	app.FlushLogs()
	if cerr := app.store.Close(); cerr != nil && err == nil {
		err = cerr
	}
	return err
}

// MigrationsHistorySync forgets applied app migrations whose code is no
// longer registered, returning how many rows it removed.
func (app *App) MigrationsHistorySync(ctx context.Context) (int, error) {
	ms, err := app.migrationStore()
	if err != nil {
		return 0, err
	}
	applied, err := ms.AppliedMigrations(ctx)
	if err != nil {
		return 0, err
	}
	known := map[string]bool{}
	for _, m := range AppMigrations.Items() {
		known[m.File] = true
	}
	n := 0
	for _, f := range applied {
		if strings.HasPrefix(f, SystemMigrationPrefix) || known[f] {
			continue
		}
		if err := ms.ForgetMigration(ctx, f); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
