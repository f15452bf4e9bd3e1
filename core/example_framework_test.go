package core_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/basalthq/basalt/core"
)

// A collection built in Go: app.SaveCollection(ctx, posts) creates it.
func ExampleFieldsList_Add() {
	posts := core.NewBaseCollection("posts")
	posts.ListRule = core.StrPtr("") // anyone may list
	posts.Fields.Add(
		&core.TextField{BaseField: core.BaseField{Name: "title"}, Required: true, Max: 120},
		&core.NumberField{BaseField: core.BaseField{Name: "views"}, OnlyInt: true},
		&core.BoolField{BaseField: core.BaseField{Name: "published"}},
	)
	fmt.Println(posts.Fields.Names())

	r := core.NewRecord(posts)
	r.Set("title", "Hello")
	r.Set("views", "12") // cast like the API casts request bodies
	r.Set("published", "true")
	fmt.Println(r.GetString("title"), r.GetInt("views"), r.GetBool("published"))
	// Output:
	// [id title views published]
	// Hello 12 true
}

// OnRecordEnrich changes what clients receive, per request, without
// changing what is stored.
func ExampleApp_OnRecordEnrich() {
	app := core.NewApp(core.Config{}, nil)
	app.OnRecordEnrich("posts").BindFunc(func(e *core.RecordEnrichEvent) error {
		e.Record.SetCustom("shout", strings.ToUpper(e.Record.GetString("title")))
		if e.Auth == nil {
			e.Record.Hide("views") // guests do not see the counter
		}
		return e.Next() // always continue the chain
	})

	posts := core.NewBaseCollection("posts")
	posts.Id = "pbc_posts"
	posts.Fields.Add(&core.TextField{BaseField: core.BaseField{Name: "title"}}, &core.NumberField{BaseField: core.BaseField{Name: "views"}})
	r := core.NewRecord(posts)
	r.Set("id", "abc")
	r.Set("title", "hi")
	r.Set("views", 3)

	// The API does this for every record it sends.
	app.EnrichRecords(context.Background(), nil, false, r)
	out, _ := r.MarshalJSON()
	fmt.Println(string(out))
	// Output:
	// {"collectionId":"pbc_posts","collectionName":"posts","id":"abc","title":"hi","shout":"HI"}
}
