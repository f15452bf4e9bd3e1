package server

import (
	"context"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/cli"
	"github.com/basalthq/basalt/migrations"
)

// Config configures New. Its zero value is the stock basalt binary.
type Config struct {
	// Version is printed by `version` and `--version` (default: the
	// package's Version).
	Version string
	// DefaultDataDir is the default of the --dir flag (default
	// "./pb_data"); --dir and BASALT_DIR still override it.
	DefaultDataDir string
	// Stdout receives the commands' output (default os.Stdout).
	Stdout io.Writer
	// Stderr receives logs and command errors (default os.Stderr).
	Stderr io.Writer
}

// Basalt is a Basalt program: its command line and the hooks bound to
// every App it opens. Make one with New, extend it, then Start it.
type Basalt struct {
	// RootCmd is the command line (serve, superuser, migrate, backup,
	// health, version). Commands added to it get --help and the global
	// flags (--dir, --dev, ...) with their BASALT_* environment mirrors
	// applied before they run (flag > env > default), unless they set a
	// PersistentPreRun of their own; they open the app with Open.
	RootCmd *cobra.Command

	root   *cli.Root
	stderr io.Writer
	onOpen []func(app *core.App) error
}

// New returns a Basalt program configured by cfg.
func New(cfg Config) *Basalt {
	if cfg.Version == "" {
		cfg.Version = Version
	}
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	b := &Basalt{stderr: cfg.Stderr}
	b.root = cli.NewRoot(cfg.Stdout, cfg.Stderr, cli.Options{
		Version: cfg.Version,
		Open: func(ctx context.Context, g cli.Global) (*core.App, error) {
			return open(ctx, g, b.stderr, b.register)
		},
		Serve: serve,
		Snapshot: func(app *core.App, g cli.Global) (string, error) {
			return migrations.WriteFullSnapshot(app, migrationsDir(g))
		},
		VerifyBackup: verifyBackup,
		RestoreBackup: func(ctx context.Context, app *core.App, g cli.Global, name string, out io.Writer) error {
			if onPostgres(app) {
				return restoreBackupInPlace(ctx, app, g.Dir, name, out)
			}
			return restoreBackup(ctx, app, g.Dir, name, out)
		},
		Export: func(ctx context.Context, app *core.App, g cli.Global, path string, out io.Writer) error {
			return exportArchive(ctx, app, filepath.Join(g.Dir, "storage"), path, out)
		},
		Import: func(ctx context.Context, app *core.App, g cli.Global, path string, out io.Writer) error {
			if st, err := os.Stat(path); err == nil && st.IsDir() {
				return importDataDir(ctx, app, g, path, out)
			}
			return importArchive(ctx, app, filepath.Join(g.Dir, "storage"), path, out)
		},
	})
	b.RootCmd = b.root.Cmd
	if cfg.DefaultDataDir != "" {
		f := b.RootCmd.PersistentFlags().Lookup("dir")
		f.DefValue = cfg.DefaultDataDir
		_ = f.Value.Set(cfg.DefaultDataDir)
	}
	return b
}

// OnOpen binds fn to every App this program opens (one per command, and
// one per Open), after Basalt's own wiring and before the app
// bootstraps: the place to bind hooks (app.OnServe(), app.OnRecord...),
// register crons or replace the mailer. An error aborts the opening.
// Call it before Start.
func (b *Basalt) OnOpen(fn func(app *core.App) error) {
	b.onOpen = append(b.onOpen, fn)
}

func (b *Basalt) register(app *core.App) error {
	for _, fn := range b.onOpen {
		if err := fn(app); err != nil {
			return err
		}
	}
	return nil
}

// Start runs the command line of the process (os.Args) until it ends or
// SIGINT/SIGTERM stops it gracefully; a second signal ends the process at
// once. The caller exits non-zero on an error (already printed).
func (b *Basalt) Start() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal starts the graceful stop, a second one ends
	// the process at once (the default action once nobody listens).
	context.AfterFunc(ctx, stop)
	return b.Execute(ctx, os.Args[1:])
}

// Execute runs the command line args (without the program name) with
// ctx, printing an error to Stderr. Tests use it instead of Start; a
// Basalt executes once (cobra keeps the parsed flags).
func (b *Basalt) Execute(ctx context.Context, args []string) error {
	return b.root.Execute(ctx, args)
}

// Open opens the data dir as a command other than serve does (crash
// recovery of a restore, snapshot migrations, the OnOpen hooks,
// bootstrap; pending app migrations are left to `migrate up` and serve)
// and returns the App without serving it, for scripts, tests and custom
// commands. The global flags decide where: as parsed when called from a
// command, else their BASALT_* variables, else Config and the defaults.
// The caller closes the app with app.Terminate().
func (b *Basalt) Open(ctx context.Context) (*core.App, error) {
	if err := cli.ApplyEnvFlags(b.RootCmd.PersistentFlags()); err != nil {
		return nil, err
	}
	return open(ctx, *b.root.Global, b.stderr, b.register)
}
