package api

import (
	"context"
	"testing"

	"github.com/basalthq/basalt/core"
)

// FuzzRuleLint runs every linter check on arbitrary rules: whatever the
// parser accepts, the linter must walk without panicking (a rule is
// superuser input, but the linter reads every collection's rules on each
// request of the Rules screen).
func FuzzRuleLint(f *testing.F) {
	for _, s := range []string{
		`1 = 2`, `status = "a" && status = "b"`, `@request.body.x:isset = false || @request.body.x = 1`,
		`@request.body.x:length > 2 && (a.b.c ?= "x" || owner.secret.code = @request.auth.id)`,
		`@collection.vault:v.code = title && tags ?= "a"`, `posts_via_owner.title != "" && true = false`,
		`@request.auth.collectionName = "a" && @request.auth.collectionName = "b"`, `null = null && 1 >= 1.5`,
	} {
		f.Add(s)
	}
	vault := core.NewBaseCollection("vault")
	vault.Id = "vault_id"
	vault.Fields = append(vault.Fields, &core.TextField{BaseField: core.BaseField{Name: "code"}})
	c := core.NewBaseCollection("posts")
	c.Id = "posts_id"
	c.Fields = append(c.Fields,
		&core.TextField{BaseField: core.BaseField{Name: "title"}},
		&core.TextField{BaseField: core.BaseField{Name: "status"}},
		&core.SelectField{BaseField: core.BaseField{Name: "tags"}, MaxSelect: 3},
		&core.RelationField{BaseField: core.BaseField{Name: "owner"}, CollectionId: "posts_id", MaxSelect: 1},
		&core.RelationField{BaseField: core.BaseField{Name: "secret"}, CollectionId: "vault_id", MaxSelect: 1},
		&core.JSONField{BaseField: core.BaseField{Name: "meta"}},
	)
	byName := map[string]*core.Collection{"posts": c, "posts_id": c, "vault": vault, "vault_id": vault}
	f.Fuzz(func(t *testing.T, rule string) {
		// Indexes are empty and both tables count as large, so the checks
		// never reach the (absent) store.
		l := &ruleLinter{ctx: context.Background(), largeTable: 1,
			large: map[string]bool{c.Id: true, vault.Id: true},
			find:  func(k string) *core.Collection { return byName[k] }}
		for _, key := range []string{"listRule", "updateRule"} {
			for _, got := range l.lintRule(c, namedRule{key: key, rule: &rule}) {
				if got.Code == "" || got.Message == "" || got.Severity == "" {
					t.Fatalf("incomplete finding %+v for %q", got, rule)
				}
			}
		}
	})
}
