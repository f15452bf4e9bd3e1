// Package server is Basalt's public launcher: it wires core with the
// store, the HTTP API, the realtime broker, file storage, mail and the
// admin UI, and runs the CLI. Programs extending Basalt from their own Go
// module write:
//
//	b := server.New(server.Config{})
//	b.OnOpen(func(app *core.App) error { /* bind hooks */ return nil })
//	b.RootCmd.AddCommand(myCommand)
//	if err := b.Start(); err != nil {
//		os.Exit(1)
//	}
//
// Open opens the app without serving, for scripts and tests.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/crypto/acme/autocert"

	"github.com/basalthq/basalt/admin"
	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/hook"
	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/auth"
	"github.com/basalthq/basalt/internal/cli"
	"github.com/basalthq/basalt/internal/realtime"
	"github.com/basalthq/basalt/internal/store"
	"github.com/basalthq/basalt/internal/store/dialect"
	"github.com/basalthq/basalt/internal/store/dialect/postgres"
	"github.com/basalthq/basalt/internal/store/dialect/sqlite"
	"github.com/basalthq/basalt/migrations"
)

// Version is the build's version (overridable with -ldflags -X).
var Version = "0.1.0-dev"

// migrationsDir resolves the snapshot migrations directory.
func migrationsDir(g cli.Global) string {
	if g.MigrationsDir != "" {
		return g.MigrationsDir
	}
	return filepath.Join(filepath.Dir(filepath.Clean(g.Dir)), "pb_migrations")
}

// database picks the engine for --db: embedded SQLite in the data dir
// when empty, PostgreSQL for a postgres:// URL.
func database(db string) (dialect.Dialect, string, error) {
	switch {
	case db == "":
		return sqlite.Dialect{}, "", nil
	case postgres.IsDSN(db):
		return postgres.Dialect{}, db, nil
	}
	return nil, "", fmt.Errorf("--db (BASALT_DB): unsupported database %q: want a postgres:// or postgresql:// URL (leave it unset for SQLite in --dir)", redactDSN(db))
}

// redactDSN hides a password in a connection string shown in an error.
func redactDSN(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return s
}

// open opens the data dir and bootstraps an App; register (when not nil)
// binds hooks before the bootstrap.
func open(ctx context.Context, g cli.Global, logOut io.Writer, register func(*core.App) error) (*core.App, error) {
	logger, err := newLogger(logOut, g.LogFormat, g.Dev)
	if err != nil {
		return nil, err
	}
	// A restore interrupted by a crash is settled before anything opens.
	if err := recoverRestore(ctx, g.Dir, logger); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", g.Dir, err)
	}
	probe := filepath.Join(g.Dir, ".write_probe")
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		return nil, fmt.Errorf("data dir %s is not writable: %w", g.Dir, err)
	}
	_ = os.Remove(probe)
	key := ""
	if g.EncryptionEnv != "" {
		key = os.Getenv(g.EncryptionEnv)
		if len(key) != 32 {
			return nil, fmt.Errorf("the %s environment variable must hold a 32-character key", g.EncryptionEnv)
		}
	}
	d, dsn, err := database(g.DB)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, d, g.Dir, store.Options{Durability: g.Durability, Logger: logger, DSN: dsn})
	if err != nil {
		return nil, err
	}
	app := core.NewApp(core.Config{DataDir: g.Dir, Dev: g.Dev, EncryptionKey: key,
		QueryTimeout: time.Duration(g.QueryTimeout) * time.Second, Logger: logger,
		OAuth2Providers: auth.ProviderNames()}, st)
	// The broker exists before the HTTP server so Go code (hooks,
	// migrations) can already send realtime messages.
	// On a shared database the bus also carries the changes other nodes
	// commit (see joinCluster).
	bus := realtime.NewLocalBus()
	app.SetRealtime(realtime.NewBroker(app, realtime.Config{Logger: logger, Bus: bus}))
	// Files follow the database's durability: fsync per file only with
	// --durability=full (both survive a process crash either way).
	fs, err := newFileStore(filepath.Join(g.Dir, "storage"), strings.EqualFold(g.Durability, "full"))
	if err != nil {
		st.Close()
		return nil, err
	}
	app.SetFileStore(fs)
	if err := installBackups(app, g.Dir); err != nil {
		st.Close()
		return nil, err
	}
	if onPostgres(app) {
		// No data dir file holds the database: backups are the portable
		// archive of `basalt export`, read in one snapshot transaction.
		storageDir := filepath.Join(g.Dir, "storage")
		app.SetBackupWriter(func(ctx context.Context, zipPath string) error {
			_, err := writePortable(ctx, app, storageDir, zipPath, false)
			return err
		})
	}
	removeInstallerOnFirstSuperuser(app)
	app.SetMailer(settingsMailer(app))
	if register != nil {
		if err := register(app); err != nil {
			st.Close()
			return nil, err
		}
	}
	if err := migrations.LoadSnapshots(migrationsDir(g)); err != nil {
		st.Close()
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	if g.Automigrate {
		migrations.Automigrate(app, migrationsDir(g))
	}
	if err := app.Bootstrap(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := joinCluster(ctx, app, st, bus); err != nil {
		_ = app.Terminate()
		return nil, err
	}
	return app, nil
}

// serve runs the HTTP server until ctx is cancelled, then shuts down
// gracefully: in-flight requests finish, the database closes cleanly.
func serve(ctx context.Context, app *core.App, g cli.Global, s cli.ServeFlags, stdout io.Writer) error {
	// Held while serving, so `backup restore` refuses to swap the dir.
	unlock, err := lockDataDir(g.Dir, false)
	if err != nil {
		return err
	}
	defer unlock()
	if err := joinAsNode(ctx, app); err != nil {
		return err
	}
	// the dashboard's map picker loads tiles from these origins (its CSP
	// allows them); OpenStreetMap's unless BASALT_ADMIN_TILE_ORIGINS says
	// otherwise (set and empty: none)
	tiles := []string{api.DefaultMapTileOrigin}
	if v, ok := os.LookupEnv("BASALT_ADMIN_TILE_ORIGINS"); ok {
		if tiles, err = api.ParseTileOrigins(v); err != nil {
			return fmt.Errorf("BASALT_ADMIN_TILE_ORIGINS: %w", err)
		}
	}
	tp, err := newTracerProvider(ctx, envOrEmpty)
	if err != nil {
		return err
	}
	cfg := api.Config{Origins: s.Origins, PublicDir: s.PublicDir, AdminFS: admin.FS(), Logger: app.Logger(),
		MapTileOrigins: tiles, Version: Version}
	if tp != nil {
		cfg.TracerProvider = tp
		defer func() {
			// Send the spans still buffered, bounded: an unreachable
			// collector must not hold the exit.
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := tp.Shutdown(sctx); err != nil {
				app.Logger().Warn("traces: shutdown", "error", err)
			}
		}()
		app.Logger().Info("traces: exporting spans over OTLP")
	}
	h, err := api.New(app, cfg)
	if err != nil {
		return err
	}
	if len(s.Domains) == 0 && s.HTTPS != "" {
		return errors.New("--https needs at least one domain argument (certificates come from Let's Encrypt for those domains)")
	}
	var handler http.Handler = h
	var tlsLn net.Listener
	var mgr *autocert.Manager
	if len(s.Domains) > 0 {
		handler = wwwRedirect(s.Domains, h)
		mgr = certManager(g.Dir, s.Domains)
		addr := s.HTTPS
		if addr == "" {
			addr = "0.0.0.0:443"
		}
		tlsLn, err = tls.Listen("tcp", addr, mgr.TLSConfig())
		if err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
	}
	ln, err := net.Listen("tcp", s.HTTP)
	if err != nil {
		if tlsLn != nil {
			tlsLn.Close()
		}
		return fmt.Errorf("listen on %s: %w", s.HTTP, err)
	}
	newServer := func(h http.Handler) *http.Server {
		srv := &http.Server{Handler: h, ReadHeaderTimeout: time.Minute, ReadTimeout: 5 * time.Minute, MaxHeaderBytes: api.MaxHeaderBytes,
			ErrorLog: slog.NewLogLogger(app.Logger().Handler(), slog.LevelWarn)}
		// Realtime streams never go idle: end them when shutdown starts, or
		// Shutdown would wait its whole timeout for those it still tracks
		// (HTTP/2 streams; HTTP/1.1 ones are hijacked and untracked).
		srv.RegisterOnShutdown(func() {
			if b, ok := app.Realtime().(interface{ Close() }); ok {
				b.Close()
			}
		})
		return srv
	}
	servers := []*http.Server{}
	errCh := make(chan error, 2)
	start := func(srv *http.Server, l net.Listener) {
		servers = append(servers, srv)
		go func() {
			defer func() {
				if r := recover(); r != nil {
					errCh <- fmt.Errorf("server panic: %v", r)
				}
			}()
			errCh <- srv.Serve(l)
		}()
	}
	base := "http://" + ln.Addr().String()
	if tlsLn != nil {
		// Plain HTTP only answers ACME challenges and redirects to HTTPS.
		start(newServer(mgr.HTTPHandler(nil)), ln)
		start(newServer(handler), tlsLn)
		base = "https://" + s.Domains[0]
	} else {
		start(newServer(handler), ln)
	}
	fmt.Fprintf(stdout, "Server started at %s\n├─ REST API:  %s/api/\n└─ Dashboard: %s/_/\n", base, base, base)
	if link, err := installerLink(ctx, app, base); err == nil && link != "" {
		fmt.Fprintf(stdout, "\n(!) No superuser yet. Create the first one at:\n%s\n(or run: basalt superuser upsert EMAIL PASS)\n", link)
	}
	// Cron jobs (log, OTP and MFA cleanup, user jobs) run only while
	// serving; Terminate stops them before the store closes.
	app.Cron().Start()
	startProfiler(app)
	var restart <-chan struct{}
	if onPostgres(app) {
		servePortableRestores(app, g.Dir)
	} else {
		restart = serveRestores(app, g.Dir)
	}
	restarting := false
	select {
	case err := <-errCh:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	case <-restart:
		restarting = true
	}
	timeout := s.ShutdownTimeout
	if timeout <= 0 {
		timeout = cli.DefaultShutdownTimeout
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var errs []error
	for _, srv := range servers {
		if err := srv.Shutdown(shutdownCtx); err != nil {
			// Requests still running past the timeout lose their
			// connections; their handlers are not waited for.
			_ = srv.Close()
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	if restarting {
		return restartOnRestored(ctx, app, g.Dir)
	}
	return errors.Join(errs...)
}

// startProfiler serves net/http/pprof on BASALT_PPROF (a loopback
// address) when set, for performance work; it is off by default and never
// exposed on the API listener.
func startProfiler(app *core.App) {
	addr := os.Getenv("BASALT_PPROF")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		app.Logger().Warn("BASALT_PPROF must be a loopback address; profiler not started", "addr", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				app.Logger().Error("profiler panic", "panic", r)
			}
		}()
		if err := http.ListenAndServe(addr, mux); err != nil {
			app.Logger().Warn("profiler stopped", "err", err)
		}
	}()
}

// certManager obtains certificates from Let's Encrypt for the domains and
// their www. variants, cached in pb_data/.autocert_cache.
func certManager(dataDir string, domains []string) *autocert.Manager {
	hosts := []string{}
	for _, d := range domains {
		hosts = append(hosts, d, "www."+d)
	}
	return &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(hosts...),
		Cache:      autocert.DirCache(filepath.Join(dataDir, ".autocert_cache")),
	}
}

// wwwRedirect sends www.<domain> requests to the bare domain (307).
func wwwRedirect(domains []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		for _, d := range domains {
			if strings.EqualFold(host, "www."+d) {
				target := "https://" + d + r.URL.RequestURI()
				http.Redirect(w, r, target, http.StatusTemporaryRedirect)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// removeInstallerOnFirstSuperuser deletes the hidden installer account
// as soon as a real superuser exists (spec §1.13).
func removeInstallerOnFirstSuperuser(app *core.App) {
	app.OnRecordAfterCreateSuccess(core.SuperusersCollectionName).Bind(&hook.Handler[*core.RecordEvent]{
		Id: "__basaltRemoveInstaller__",
		Func: func(e *core.RecordEvent) error {
			if strings.EqualFold(e.Record.GetString(core.FieldEmail), core.InstallerEmail) {
				return e.Next()
			}
			col := e.Record.Collection()
			if inst, err := app.FindFirstRecordByField(e.Context, col, core.FieldEmail, core.InstallerEmail); err == nil {
				if err := app.Delete(e.Context, inst); err != nil {
					app.Logger().Warn("remove installer account", "err", err)
				}
			}
			return e.Next()
		},
	})
}

// installerLink returns a one-time dashboard link when no superuser exists
// (spec §1.13): a short-lived, non-refreshable token for a hidden
// installer account.
func installerLink(ctx context.Context, app *core.App, base string) (string, error) {
	col, err := app.FindCollectionByNameOrId(core.SuperusersCollectionName)
	if err != nil {
		return "", err
	}
	ids, err := app.Store().RecordIds(ctx, col)
	if err != nil {
		return "", err
	}
	var inst *core.Record
	for _, id := range ids {
		recs, _ := app.FindRecordsByIds(ctx, col, []string{id})
		if len(recs) == 1 && !strings.EqualFold(recs[0].GetString(core.FieldEmail), core.InstallerEmail) {
			return "", nil
		} else if len(recs) == 1 {
			inst = recs[0]
		}
	}
	if inst == nil {
		inst = core.NewRecord(col)
		inst.Set(core.FieldEmail, core.InstallerEmail)
		inst.Set(core.FieldPassword, auth.NewSecret())
		if err := app.Save(ctx, inst); err != nil {
			return "", err
		}
	}
	token, err := auth.Sign(auth.Claims{Id: inst.Id(), CollectionId: col.Id, Type: auth.TokenTypeAuth,
		Expiry: app.Now().Add(30 * time.Minute)}, inst.GetString(core.FieldTokenKey)+col.Auth.AuthToken.Secret)
	if err != nil {
		return "", err
	}
	return base + "/_/#/pbinstal/" + token, nil
}
