package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/openapi"
	"github.com/basalthq/basalt/internal/typegen"
)

// writeOut writes data to the file path, or to stdout when path is "".
func writeOut(stdout io.Writer, path string, data []byte) error {
	if path == "" {
		_, err := stdout.Write(data)
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// openapiCmd prints the OpenAPI 3.1 document of the data dir's schema
// (the superuser view unless --public), as GET /api/openapi.json serves it.
func openapiCmd(ctx *execContext, g *Global, stdout io.Writer, opts Options) *cobra.Command {
	var out string
	var public bool
	cmd := &cobra.Command{
		Use:   "openapi",
		Short: "Print the OpenAPI 3.1 document of the collections",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return withApp(ctx, g, opts, func(app *core.App) error {
				doc, err := openapi.Generate(app.Collections(), openapi.Options{Version: opts.Version, Superuser: !public})
				if err != nil {
					return err
				}
				return writeOut(stdout, out, append(doc, '\n'))
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write to this file instead of stdout")
	cmd.Flags().BoolVar(&public, "public", false, "the non-superuser document (no rule text, hidden fields or superuser-only collections)")
	return cmd
}

// typegenCmd prints TypeScript types of the collections for the JS SDK.
func typegenCmd(ctx *execContext, g *Global, stdout io.Writer, opts Options) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "typegen",
		Short: "Print TypeScript types of the collections (with TypedPocketBase for the JS SDK)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return withApp(ctx, g, opts, func(app *core.App) error {
				return writeOut(stdout, out, typegen.Generate(app.Collections()))
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write to this file instead of stdout")
	return cmd
}
