package main

import (
	"context"

	"github.com/basalthq/basalt/core"
)

// The notes collection is created by a Go migration: `serve` (and the
// test harness) apply it once, `migrate down` reverts it.
func init() {
	core.AppMigrations.Register("1730000000_create_notes.go", func(ctx context.Context, app *core.App) error {
		users, err := app.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		notes := core.NewBaseCollection("notes")
		owner := "owner = @request.auth.id"
		notes.ListRule, notes.ViewRule = &owner, &owner
		notes.CreateRule = core.StrPtr("@request.auth.id != '' && owner = @request.auth.id")
		notes.UpdateRule, notes.DeleteRule = &owner, &owner
		notes.Fields.Add(
			&core.TextField{BaseField: core.BaseField{Name: "title"}, Required: true, Max: 200},
			&core.TextField{BaseField: core.BaseField{Name: "body"}},
			&core.BoolField{BaseField: core.BaseField{Name: "archived"}},
			&core.RelationField{BaseField: core.BaseField{Name: "owner"}, CollectionId: users.Id, MaxSelect: 1, Required: true, CascadeDelete: true},
			core.NewAutodateField("created", true, false),
			core.NewAutodateField("updated", true, true),
		)
		return app.SaveCollection(ctx, notes)
	}, func(ctx context.Context, app *core.App) error {
		notes, err := app.FindCollectionByNameOrId("notes")
		if err != nil {
			return err
		}
		return app.DeleteCollection(ctx, notes)
	})
}
