// Package migrations holds Basalt's own system migrations and is where a
// project's Go migrations register (core.AppMigrations).
package migrations

import (
	"context"

	"github.com/basalthq/basalt/core"
)

func init() {
	core.SystemMigrations.Register(core.SystemMigrationPrefix+"0001_init", initUp, initDown)
}

func ownerRule() *string {
	return core.StrPtr("@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId")
}

func text(name string, hidden bool) core.Field {
	return &core.TextField{BaseField: core.BaseField{Name: name, System: true, Hidden: hidden}, Required: true}
}

func timestamps() core.FieldsList {
	return core.FieldsList{core.NewAutodateField("created", true, false), core.NewAutodateField("updated", true, true)}
}

func systemBase(id, name string, rules func(c *core.Collection), fields ...core.Field) *core.Collection {
	c := core.NewBaseCollection(name)
	c.Id = id
	c.System = true
	c.Fields = append(c.Fields, fields...)
	c.Fields = append(c.Fields, timestamps()...)
	rules(c)
	return c
}

// initUp creates the system collections, the default users collection
// and default settings (spec §5.10, §9.4).
func initUp(ctx context.Context, app *core.App) error {
	ref := func(c *core.Collection) {
		c.ListRule, c.ViewRule = ownerRule(), ownerRule()
	}
	refDel := func(c *core.Collection) {
		c.ListRule, c.ViewRule, c.DeleteRule = ownerRule(), ownerRule(), ownerRule()
	}
	otpPwd := &core.PasswordField{BaseField: core.BaseField{Name: "password", System: true, Hidden: true}, Required: true, Cost: 8}
	sentTo := &core.TextField{BaseField: core.BaseField{Name: "sentTo", System: true, Hidden: true}}

	mfas := systemBase(core.MFAsCollectionId, core.MFAsCollectionName, ref,
		text("collectionRef", false), text("recordRef", false), text("method", false))
	mfas.Indexes = []string{"CREATE INDEX `idx_mfas_collectionRef_recordRef` ON `_mfas` (`collectionRef`,`recordRef`)"}
	otps := systemBase(core.OTPsCollectionId, core.OTPsCollectionName, ref,
		text("collectionRef", false), text("recordRef", false), otpPwd, sentTo)
	otps.Indexes = []string{"CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` (`collectionRef`, `recordRef`)"}
	ext := systemBase(core.ExternalAuthsCollectionId, core.ExternalAuthsCollectionName, refDel,
		text("collectionRef", false), text("recordRef", false), text("provider", false), text("providerId", false))
	ext.Indexes = []string{
		"CREATE UNIQUE INDEX `idx_externalAuths_record_provider` ON `_externalAuths` (collectionRef, recordRef, provider)",
		"CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` (collectionRef, provider, providerId)",
	}
	origins := systemBase(core.AuthOriginsCollectionId, core.AuthOriginsCollectionName, refDel,
		text("collectionRef", false), text("recordRef", false), text("fingerprint", false))
	origins.Indexes = []string{"CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` (collectionRef, recordRef, fingerprint)"}

	su := core.NewAuthCollection(core.SuperusersCollectionName)
	su.Id = core.SuperusersCollectionId
	su.System = true
	su.Fields = append(su.Fields, timestamps()...)
	su.Auth.AuthToken.Duration = 86400
	su.Auth.AuthAlert.Enabled = true

	users := core.NewAuthCollection("users")
	users.Id = core.UsersCollectionId
	owner := core.StrPtr("id = @request.auth.id")
	users.ListRule, users.ViewRule, users.UpdateRule, users.DeleteRule = owner, owner, owner, owner
	users.CreateRule = core.StrPtr("")
	users.Fields = append(users.Fields,
		&core.TextField{BaseField: core.BaseField{Name: "name"}, Max: 255},
		&core.FileField{BaseField: core.BaseField{Name: "avatar"}, MaxSelect: 1,
			MimeTypes: []string{"image/jpeg", "image/png", "image/svg+xml", "image/gif", "image/webp"}, Thumbs: []string{}},
	)
	users.Fields = append(users.Fields, timestamps()...)
	users.Auth.OAuth2.MappedFields = core.OAuth2MappedFields{Name: "name", AvatarURL: "avatar"}

	for _, c := range []*core.Collection{mfas, otps, ext, origins, su, users} {
		if err := app.SaveCollectionNoValidate(ctx, c); err != nil {
			return err
		}
	}
	return app.SaveSettings(ctx, core.DefaultSettings())
}

func initDown(ctx context.Context, app *core.App) error {
	for _, name := range []string{"users", core.SuperusersCollectionName, core.AuthOriginsCollectionName, core.ExternalAuthsCollectionName, core.OTPsCollectionName, core.MFAsCollectionName} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		if err := app.Store().DeleteCollection(ctx, c); err != nil {
			return err
		}
	}
	return nil
}
