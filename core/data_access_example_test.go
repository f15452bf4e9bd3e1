package core_test

import (
	"context"
	"fmt"
	"os"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// exampleApp opens an app in a temporary directory with a "posts"
// collection holding three posts.
func exampleApp(ctx context.Context) (app *core.App, cleanup func()) {
	dir, err := os.MkdirTemp("", "basalt-example")
	if err != nil {
		panic(err)
	}
	app, err = testenv.OpenApp(ctx, dir)
	if err != nil {
		panic(err)
	}
	posts := core.NewBaseCollection("posts")
	if err := posts.ApplyJSON([]byte(`{"fields": [
		{"name": "title", "type": "text"},
		{"name": "views", "type": "number"}]}`)); err != nil {
		panic(err)
	}
	if err := app.SaveCollection(ctx, posts); err != nil {
		panic(err)
	}
	for i, title := range []string{"hello", "it's a 'quoted' title", "world"} {
		r := core.NewRecord(posts)
		r.Set("title", title)
		r.Set("views", (i+1)*10)
		if err := app.Save(ctx, r); err != nil {
			panic(err)
		}
	}
	return app, func() { app.Store().Close(); os.RemoveAll(dir) }
}

// App.DB runs raw SQL: {:name} placeholders are bound, never pasted, so
// a value with quotes stays a value. Reads use the read pool; writes go
// through the write queue (and join RunInTransaction's ctx).
func ExampleApp_DB() {
	ctx := context.Background()
	app, cleanup := exampleApp(ctx)
	defer cleanup()

	res, err := app.DB().NewQuery("UPDATE posts SET views = views + {:n} WHERE title = {:title}").
		Bind(core.Params{"n": 5, "title": "it's a 'quoted' title"}).Execute(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("updated:", res.RowsAffected)

	var rows []struct {
		Title string `db:"title"`
		Views int    `db:"views"`
	}
	err = app.DB().Select("title", "views").From("posts").
		Where(core.NewExpr("views > {:min}", core.Params{"min": 15})).
		OrderBy("views DESC").All(ctx, &rows)
	if err != nil {
		panic(err)
	}
	for _, r := range rows {
		fmt.Println(r.Title, r.Views)
	}

	var total int
	if err := app.DB().Select("SUM(views)").From("posts").Row(ctx, &total); err != nil {
		panic(err)
	}
	fmt.Println("total views:", total)
	// Output:
	// updated: 1
	// world 30
	// it's a 'quoted' title 25
	// total views: 65
}

// App.RecordQuery returns records: filters in the API's filter syntax
// with bound params, the API's sort syntax, limit and offset.
func ExampleApp_RecordQuery() {
	ctx := context.Background()
	app, cleanup := exampleApp(ctx)
	defer cleanup()

	recs, err := app.RecordQuery("posts").
		Filter("views >= {:min}", map[string]any{"min": 20}).
		Sort("-views").
		Limit(10).
		All(ctx)
	if err != nil {
		panic(err)
	}
	for _, r := range recs {
		fmt.Println(r.GetString("title"))
	}

	n, err := app.CountRecords(ctx, "posts", core.Filter("title ~ {:q}", map[string]any{"q": "o"}))
	if err != nil {
		panic(err)
	}
	fmt.Println("titles with an o:", n)
	// Output:
	// world
	// it's a 'quoted' title
	// titles with an o: 3
}
