// Package cli is Basalt's command line (cobra): serve, superuser,
// migrate and version, with PocketBase's command and flag names. Every
// flag is mirrored by a BASALT_* environment variable (flag > env >
// default).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/basalthq/basalt/core"
)

// Global are the flags every command shares.
type Global struct {
	Dir           string
	Dev           bool
	EncryptionEnv string
	QueryTimeout  int
	Durability    string
	Automigrate   bool
	// MigrationsDir holds snapshot migrations (default <dir>/../pb_migrations).
	MigrationsDir string
	// DB, when set, is a postgres:// URL: the data and logs live in that
	// PostgreSQL database instead of SQLite files in Dir (issue #26).
	DB string
	// LogFormat is "text" (default) or "json" (log/slog's handlers).
	LogFormat string
}

// ServeFlags are the serve command's flags.
type ServeFlags struct {
	HTTP      string
	HTTPS     string
	PublicDir string
	Origins   []string
	Domains   []string
	// ShutdownTimeout bounds the graceful stop after SIGTERM: in-flight
	// requests get this long, closing the database as long again, then
	// the process exits regardless (default 30 s).
	ShutdownTimeout time.Duration
}

// Options wires the CLI to the rest of the program without the cli
// package importing the server pieces.
type Options struct {
	Version string
	// Open opens the data dir and bootstraps an App.
	Open func(ctx context.Context, g Global) (*core.App, error)
	// Snapshot writes a migration with every collection, returning its path.
	Snapshot func(app *core.App, g Global) (string, error)
	// Serve runs the HTTP server until ctx ends.
	Serve func(ctx context.Context, app *core.App, g Global, s ServeFlags, stdout io.Writer) error
	// VerifyBackup checks the backup name as a restore would and prints
	// the record count of every collection.
	VerifyBackup func(ctx context.Context, app *core.App, name string, out io.Writer) error
	// RestoreBackup replaces the data dir with the backup name; it closes
	// app (the server must be stopped).
	RestoreBackup func(ctx context.Context, app *core.App, g Global, name string, out io.Writer) error
	// Export writes a portable archive of the database and its files to
	// path; Import loads one into an empty database (issue #26).
	Export func(ctx context.Context, app *core.App, g Global, path string, out io.Writer) error
	Import func(ctx context.Context, app *core.App, g Global, path string, out io.Writer) error
}

// Root is the built command tree: Cmd is the cobra root (users add their
// own commands to it), Global the values of its persistent flags once
// parsed.
type Root struct {
	Cmd    *cobra.Command
	Global *Global
	ctx    *execContext
}

// NewRoot builds the command tree. The commands run with the context
// given to Execute.
func NewRoot(stdout, stderr io.Writer, opts Options) *Root {
	g := &Global{}
	ec := &execContext{cur: context.Background()}
	root := &cobra.Command{
		Use:           "basalt",
		Short:         "Basalt: a single-binary backend (PocketBase-compatible API)",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       opts.Version,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return ApplyEnv(cmd)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.Dir, "dir", "./pb_data", "the data directory")
	pf.BoolVar(&g.Dev, "dev", false, "enable dev mode (verbose logs)")
	pf.StringVar(&g.EncryptionEnv, "encryptionEnv", "", "name of the env variable holding a 32-char key to encrypt the stored settings")
	pf.IntVar(&g.QueryTimeout, "queryTimeout", 30, "default SELECT timeout in seconds")
	pf.StringVar(&g.Durability, "durability", "normal", `"normal" (survives a process crash) or "full" (survives power loss, slower writes)`)
	pf.BoolVar(&g.Automigrate, "automigrate", true, "write a migration file when collections change")
	pf.StringVar(&g.MigrationsDir, "migrationsDir", "", "the directory of snapshot migrations (default <dir>/../pb_migrations)")
	pf.StringVar(&g.DB, "db", "", "a postgres:// URL to keep the data in PostgreSQL (default: embedded SQLite in --dir)")
	pf.StringVar(&g.LogFormat, "logFormat", "text", `log line format: "text" or "json"`)

	portable := portableCmds(ec, g, stdout, opts)
	root.AddCommand(healthCmd(stdout), serveCmd(ec, g, stdout, opts), superuserCmd(ec, g, stdout, opts), migrateCmd(ec, g, stdout, opts), backupCmd(ec, g, stdout, opts), openapiCmd(ec, g, stdout, opts), typegenCmd(ec, g, stdout, opts), portable[0], portable[1], &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(stdout, "basalt version "+opts.Version)
			return nil
		},
	})
	return &Root{Cmd: root, Global: g, ctx: ec}
}

// Execute runs the command line args (without the program name) with
// ctx, printing an error to the root's error output.
func (r *Root) Execute(ctx context.Context, args []string) error {
	r.ctx.cur = ctx
	r.Cmd.SetArgs(args)
	err := r.Cmd.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(r.Cmd.ErrOrStderr(), "Error: "+err.Error())
	}
	return err
}

// Run executes the command line args.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, opts Options) error {
	return NewRoot(stdout, stderr, opts).Execute(ctx, args)
}

// execContext is the context Execute was given. The commands are built
// (by NewRoot) before that context exists, so their closures hold this
// and read the current one when they run.
type execContext struct{ cur context.Context }

func (c *execContext) Deadline() (time.Time, bool) { return c.cur.Deadline() }
func (c *execContext) Done() <-chan struct{}       { return c.cur.Done() }
func (c *execContext) Err() error                  { return c.cur.Err() }
func (c *execContext) Value(key any) any           { return c.cur.Value(key) }

// ApplyEnv fills cmd's unset flags (its own and inherited ones) from
// their BASALT_<NAME> variables.
func ApplyEnv(cmd *cobra.Command) error {
	return ApplyEnvFlags(cmd.Flags(), cmd.InheritedFlags())
}

// ApplyEnvFlags fills the unset flags of the sets from their BASALT_<NAME>
// variables, each flag once (a slice flag would append a second Set).
func ApplyEnvFlags(sets ...*pflag.FlagSet) error {
	var errs []error
	seen := map[string]bool{}
	visit := func(f *pflag.Flag) {
		if f.Changed || seen[f.Name] {
			return
		}
		seen[f.Name] = true
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", envName(f.Name), err))
			}
		}
	}
	for _, fs := range sets {
		fs.VisitAll(visit)
	}
	return errors.Join(errs...)
}

func envName(flag string) string {
	var b strings.Builder
	b.WriteString("BASALT_")
	for i, r := range flag {
		if r >= 'A' && r <= 'Z' && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

func serveCmd(ctx *execContext, g *Global, stdout io.Writer, opts Options) *cobra.Command {
	s := &ServeFlags{}
	cmd := &cobra.Command{
		Use:   "serve [domain(s)]",
		Short: "Start the web server",
		RunE: func(cmd *cobra.Command, args []string) error {
			s.Domains = args
			if len(args) > 0 && !cmd.Flags().Changed("http") && os.Getenv(envName("http")) == "" {
				s.HTTP = "0.0.0.0:80"
			}
			app, err := opts.Open(ctx, *g)
			if err != nil {
				return err
			}
			// Only serve applies pending app migrations on its own (like
			// PocketBase's); other commands leave a `migrate down` in place.
			if _, err := app.MigrateUp(ctx, &core.AppMigrations); err != nil {
				_ = app.Terminate()
				return fmt.Errorf("apply migrations: %w", err)
			}
			return serveBounded(ctx, app, s.ShutdownTimeout, func() error {
				return opts.Serve(ctx, app, *g, *s, stdout)
			})
		},
	}
	cmd.Flags().StringVar(&s.HTTP, "http", "127.0.0.1:8090", "TCP address to listen for HTTP")
	cmd.Flags().StringVar(&s.HTTPS, "https", "", "TCP address to listen for HTTPS")
	cmd.Flags().StringVar(&s.PublicDir, "publicDir", "./pb_public", "the directory with static files served at /")
	cmd.Flags().StringSliceVar(&s.Origins, "origins", []string{"*"}, "CORS allowed origins")
	cmd.Flags().DurationVar(&s.ShutdownTimeout, "shutdownTimeout", DefaultShutdownTimeout,
		"after SIGTERM, how long in-flight requests may finish (closing the database gets as long again; then the process exits)")
	return cmd
}

func withApp(ctx context.Context, g *Global, opts Options, fn func(app *core.App) error) error {
	app, err := opts.Open(ctx, *g)
	if err != nil {
		return err
	}
	defer app.Terminate()
	return fn(app)
}

func superuserCmd(ctx *execContext, g *Global, stdout io.Writer, opts Options) *cobra.Command {
	cmd := &cobra.Command{Use: "superuser", Short: "Manage superusers"}
	save := func(email, pass string, mustExist, mustNotExist bool) error {
		return withApp(ctx, g, opts, func(app *core.App) error {
			if !core.IsEmail(email) {
				return errors.New("missing or invalid email address")
			}
			col, err := app.FindCollectionByNameOrId(core.SuperusersCollectionName)
			if err != nil {
				return err
			}
			rec, _ := app.FindFirstRecordByField(ctx, col, core.FieldEmail, email)
			switch {
			case rec != nil && mustNotExist:
				return errors.New("email: Value must be unique")
			case rec == nil && mustExist:
				return errors.New("superuser with email " + email + " not found")
			case rec == nil:
				rec = core.NewRecord(col)
				rec.Set(core.FieldEmail, email)
			}
			rec.Set(core.FieldPassword, pass)
			if err := app.Save(ctx, rec); err != nil {
				return fmt.Errorf("save superuser: %w", err)
			}
			fmt.Fprintf(stdout, "Successfully saved superuser %q!\n", email)
			return nil
		})
	}
	cmd.AddCommand(
		superuserOTPCmd(ctx, g, stdout, opts),
		&cobra.Command{Use: "create EMAIL PASS", Short: "Create a superuser", Args: cobra.ExactArgs(2),
			RunE: func(_ *cobra.Command, a []string) error { return save(a[0], a[1], false, true) }},
		&cobra.Command{Use: "upsert EMAIL PASS", Short: "Create or update a superuser", Args: cobra.ExactArgs(2),
			RunE: func(_ *cobra.Command, a []string) error { return save(a[0], a[1], false, false) }},
		&cobra.Command{Use: "update EMAIL PASS", Short: "Change a superuser's password", Args: cobra.ExactArgs(2),
			RunE: func(_ *cobra.Command, a []string) error { return save(a[0], a[1], true, false) }},
		&cobra.Command{Use: "delete EMAIL", Short: "Delete a superuser", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, a []string) error {
				return withApp(ctx, g, opts, func(app *core.App) error {
					col, _ := app.FindCollectionByNameOrId(core.SuperusersCollectionName)
					rec, err := app.FindFirstRecordByField(ctx, col, core.FieldEmail, a[0])
					if err != nil {
						return errors.New("superuser with email " + a[0] + " not found")
					}
					if err := app.Delete(ctx, rec); err != nil {
						return err
					}
					fmt.Fprintf(stdout, "Successfully deleted superuser %q!\n", a[0])
					return nil
				})
			}},
	)
	return cmd
}

func migrateCmd(ctx *execContext, g *Global, stdout io.Writer, opts Options) *cobra.Command {
	cmd := &cobra.Command{Use: "migrate", Short: "Run or revert migrations"}
	up := func() error {
		return withApp(ctx, g, opts, func(app *core.App) error {
			ran, err := app.MigrateUp(ctx, &core.AppMigrations)
			for _, f := range ran {
				fmt.Fprintln(stdout, "Applied "+f)
			}
			if len(ran) == 0 && err == nil {
				fmt.Fprintln(stdout, "No new migrations to apply.")
			}
			return err
		})
	}
	cmd.RunE = func(*cobra.Command, []string) error { return up() }
	cmd.AddCommand(
		&cobra.Command{Use: "up", Short: "Apply pending migrations", RunE: func(*cobra.Command, []string) error { return up() }},
		&cobra.Command{Use: "down [n]", Short: "Revert the last n migrations (default 1)", Args: cobra.MaximumNArgs(1),
			RunE: func(_ *cobra.Command, a []string) error {
				n := 1
				if len(a) == 1 {
					if _, err := fmt.Sscanf(a[0], "%d", &n); err != nil || n < 1 {
						return errors.New("n must be a positive number")
					}
				}
				return withApp(ctx, g, opts, func(app *core.App) error {
					done, err := app.MigrateDown(ctx, &core.AppMigrations, n)
					for _, f := range done {
						fmt.Fprintln(stdout, "Reverted "+f)
					}
					return err
				})
			}},
		&cobra.Command{Use: "create NAME", Short: "Create a blank Go migration file in ./migrations", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, a []string) error {
				return createMigrationFile(stdout, a[0], time.Now())
			}},
		&cobra.Command{Use: "collections", Short: "Write a snapshot migration of all collections",
			RunE: func(*cobra.Command, []string) error {
				return withApp(ctx, g, opts, func(app *core.App) error {
					path, err := opts.Snapshot(app, *g)
					if err == nil {
						fmt.Fprintln(stdout, "Created "+path)
					}
					return err
				})
			}},
		&cobra.Command{Use: "history-sync", Short: "Forget applied migrations whose code no longer exists",
			RunE: func(*cobra.Command, []string) error {
				return withApp(ctx, g, opts, func(app *core.App) error {
					n, err := app.MigrationsHistorySync(ctx)
					fmt.Fprintf(stdout, "Removed %d stale migration record(s).\n", n)
					return err
				})
			}},
	)
	return cmd
}
