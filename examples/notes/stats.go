package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/server"
)

// statsCommand is a custom command: `notes stats` prints the number of
// notes without starting the server. It gets --help and the global flags
// (--dir, ...) with their BASALT_* mirrors from the root command.
func statsCommand(b *server.Basalt) *cobra.Command {
	return &cobra.Command{
		Use:   "stats",
		Short: "Print how many notes there are, and how many are archived",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			app, err := b.Open(cmd.Context())
			if err != nil {
				return err
			}
			defer app.Terminate()
			// Open leaves pending migrations to serve and `migrate up`.
			if _, err := app.FindCollectionByNameOrId("notes"); err != nil {
				return fmt.Errorf("no notes collection yet: run `serve` or `migrate up` first")
			}
			total, err := app.CountRecords(cmd.Context(), "notes")
			if err != nil {
				return err
			}
			var archived int64
			// Raw SQL through app.DB(): parameters are bound, never pasted.
			if err := app.DB().NewQuery("SELECT COUNT(*) FROM notes WHERE archived = {:a}").
				Bind(core.Params{"a": true}).Row(cmd.Context(), &archived); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "notes: %d (archived: %d)\n", total, archived)
			return nil
		},
	}
}
