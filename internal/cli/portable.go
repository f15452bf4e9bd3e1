package cli

import (
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/basalthq/basalt/core"
)

// portableCmds are `basalt export FILE` and `basalt import FILE`: a
// portable archive of the schema, records, settings, applied migrations
// and local files, loadable into an empty database of either engine
// (issue #26).
func portableCmds(ctx *execContext, g *Global, stdout io.Writer, opts Options) [2]*cobra.Command {
	run := func(fn func(*execContext, *core.App, string) error) func(*cobra.Command, []string) error {
		return func(_ *cobra.Command, a []string) error {
			if opts.Export == nil || opts.Import == nil {
				return errors.New("export/import is not available in this build")
			}
			return withApp(ctx, g, opts, func(app *core.App) error { return fn(ctx, app, a[0]) })
		}
	}
	return [2]*cobra.Command{
		{Use: "export FILE", Short: "Write the database (either engine) and its files to a portable zip archive", Args: cobra.ExactArgs(1),
			RunE: run(func(ctx *execContext, app *core.App, path string) error {
				return opts.Export(ctx, app, *g, path, stdout)
			})},
		{Use: "import FILE|DIR", Short: "Load a portable archive, or a PocketBase pb_data directory, into an empty database (either engine)", Args: cobra.ExactArgs(1),
			RunE: run(func(ctx *execContext, app *core.App, path string) error {
				return opts.Import(ctx, app, *g, path, stdout)
			})},
	}
}
