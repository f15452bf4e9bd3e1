package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/basalthq/basalt/core"
)

// backupCmd is `basalt backup create|list|verify|restore` (issue 23).
func backupCmd(ctx *execContext, g *Global, stdout io.Writer, opts Options) *cobra.Command {
	cmd := &cobra.Command{Use: "backup", Short: "Create, list, verify and restore backups of the data dir"}
	cmd.AddCommand(
		&cobra.Command{Use: "create [name]", Short: "Archive the data dir (works while the server runs)", Args: cobra.MaximumNArgs(1),
			RunE: func(_ *cobra.Command, a []string) error {
				name := ""
				if len(a) == 1 {
					name = a[0]
				}
				return withApp(ctx, g, opts, func(app *core.App) error {
					name, err := app.CreateBackup(ctx, name)
					if err != nil {
						return describe(err)
					}
					fmt.Fprintf(stdout, "Created backup %s\n", name)
					return nil
				})
			}},
		&cobra.Command{Use: "list", Short: "List the stored backups", Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				return withApp(ctx, g, opts, func(app *core.App) error {
					list, err := app.ListBackups(ctx)
					if err != nil {
						return describe(err)
					}
					for _, b := range list {
						fmt.Fprintf(stdout, "%s\t%d\t%s\n", b.Key, b.Size, core.FormatTime(b.Modified))
					}
					return nil
				})
			}},
		&cobra.Command{Use: "verify NAME", Short: "Check a backup as a restore would and print record counts", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, a []string) error {
				return withApp(ctx, g, opts, func(app *core.App) error {
					return describe(opts.VerifyBackup(ctx, app, a[0], stdout))
				})
			}},
		&cobra.Command{Use: "restore NAME", Short: "Replace the data dir with a backup (stop the server first)", Args: cobra.ExactArgs(1),
			RunE: func(_ *cobra.Command, a []string) error {
				app, err := opts.Open(ctx, *g)
				if err != nil {
					return err
				}
				// RestoreBackup closes the app itself, before the swap.
				return describe(opts.RestoreBackup(ctx, app, *g, a[0], stdout))
			}},
	)
	return cmd
}

// describe adds the field errors of an app error to its message, for a
// terminal rather than a JSON client.
func describe(err error) error {
	if e, ok := core.AsError(err); ok {
		var v core.ValidationErrors
		if d, ok := e.Data.(core.ValidationErrors); ok {
			v = d
		}
		if len(v) > 0 {
			return fmt.Errorf("%s (%v)", e.Message, v)
		}
		if e.Cause != nil && !errors.Is(e.Cause, e) {
			return fmt.Errorf("%s: %w", e.Message, e.Cause)
		}
	}
	return err
}
