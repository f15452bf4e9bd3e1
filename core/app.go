package core

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/basalthq/basalt/core/cron"
	"github.com/basalthq/basalt/core/telemetry"
)

// Config configures an App. The zero value of every field means its default.
type Config struct {
	// DataDir is the pb_data directory (default "./pb_data").
	DataDir string
	// Dev enables verbose logging.
	Dev bool
	// EncryptionKey, when 32 bytes, AES-encrypts the stored settings.
	EncryptionKey string
	// QueryTimeout bounds SELECTs (default 30s).
	QueryTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives app logs (default slog.Default()).
	Logger *slog.Logger
	// OAuth2Providers lists the provider names an auth collection may
	// configure (the server passes its provider registry); nil accepts
	// any name.
	OAuth2Providers []string
}

// App is the Basalt application: collections, records, settings and hooks,
// on top of a Store. It is a concrete struct split across focused files.
type App struct {
	config Config
	store  Store
	logger *slog.Logger
	now    func() time.Time

	colMu       sync.RWMutex
	collections []*Collection // ordered as stored
	colVersion  uint64

	files FileStore

	settingsState settingsState

	logs logWriter

	extrasOnce    sync.Once
	extrasVal     *appExtras
	fileHooksOnce sync.Once
	fileHooksVal  *fileHooks
	realtimeOnce  sync.Once
	realtimeVal   *realtimeState

	cron *cron.Scheduler

	metrics *telemetry.Metrics

	backupsOnce sync.Once
	backupsVal  *backupState

	clusterOnce sync.Once
	clusterVal  *clusterState

	hooks
}

// NewApp returns an App over store. Call Bootstrap before use.
func NewApp(cfg Config, store Store) *App {
	if cfg.DataDir == "" {
		cfg.DataDir = "./pb_data"
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	app := &App{config: cfg, store: store, logger: cfg.Logger, now: cfg.Now, metrics: telemetry.NewMetrics()}
	// The store reports its write queue, commits, checkpoints and caches
	// on the app's registry when it can.
	if ms, ok := store.(interface{ UseMetrics(*telemetry.Metrics) }); ok {
		ms.UseMetrics(app.metrics)
	}
	app.initHooks()
	app.nameHooks()
	app.cron = cron.New(cron.Options{Now: app.Now, Logger: cfg.Logger, OnRun: app.metrics.CronRun})
	app.registerSystemCrons()
	return app
}

// Config returns the app configuration.
func (app *App) Config() Config { return app.config }

// Store returns the persistence layer.
func (app *App) Store() Store { return app.store }

// Metrics returns the app's Prometheus collectors (served at
// /api/metrics); Go code may register its own on Metrics().Registry().
func (app *App) Metrics() *telemetry.Metrics { return app.metrics }

// Logger returns the app logger.
func (app *App) Logger() *slog.Logger { return app.logger }

// Now returns the current time from the injected clock, in UTC.
func (app *App) Now() time.Time { return app.now().UTC() }

// ReloadCollections refreshes the in-memory collection cache from the store.
func (app *App) ReloadCollections(ctx context.Context) error {
	list, err := app.store.LoadCollections(ctx)
	if err != nil {
		return err
	}
	app.colMu.Lock()
	app.collections = list
	app.colVersion++
	app.colMu.Unlock()
	return nil
}

// Collections returns the cached collections (do not modify them).
func (app *App) Collections() []*Collection {
	app.colMu.RLock()
	defer app.colMu.RUnlock()
	return app.collections
}

// FindCollectionByNameOrId returns a cached collection by id (exact) or
// name (case-insensitive), or a not-found *Error.
func (app *App) FindCollectionByNameOrId(nameOrId string) (*Collection, error) {
	app.colMu.RLock()
	defer app.colMu.RUnlock()
	for _, c := range app.collections {
		if c.Id == nameOrId {
			return c, nil
		}
	}
	for _, c := range app.collections {
		if strings.EqualFold(c.Name, nameOrId) {
			return c, nil
		}
	}
	return nil, NewNotFoundError("")
}

// FindRecordsByIds returns the records of c with the given ids (missing
// ids skipped).
func (app *App) FindRecordsByIds(ctx context.Context, c *Collection, ids []string) ([]*Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return app.store.FindRecords(ctx, c, ids)
}
