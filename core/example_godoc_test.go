package core_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/basalthq/basalt/core"
)

// A record hook runs for every save, whatever its origin (API, Go code,
// a migration): here it normalises a field and refuses a value, and
// e.Next() continues to the save itself.
func ExampleApp_OnRecordCreate() {
	ctx := context.Background()
	app, cleanup := exampleApp(ctx)
	defer cleanup()

	app.OnRecordCreate("posts").BindFunc(func(e *core.RecordEvent) error {
		title := strings.TrimSpace(e.Record.GetString("title"))
		if title == "forbidden" {
			return errors.New("that title is not allowed")
		}
		e.Record.Set("title", strings.ToUpper(title))
		return e.Next()
	})

	posts, _ := app.FindCollectionByNameOrId("posts")
	for _, title := range []string{"  shout  ", "forbidden"} {
		r := core.NewRecord(posts)
		r.Set("title", title)
		if err := app.Save(ctx, r); err != nil {
			fmt.Println("refused:", err)
			continue
		}
		fmt.Println("saved:", r.GetString("title"))
	}
	// Output:
	// saved: SHOUT
	// refused: that title is not allowed
}

// Routes are added in OnServe on se.Router: method helpers, groups with
// a prefix, middlewares with ids and priorities, the built-in guards.
// RouteChain shows what the server mounts, and runs a chain directly.
func ExampleRouter() {
	r := core.NewRouter()
	api := r.Group("/api/shop").Bind(core.RequireAuth("customers"))
	api.GET("/cart", func(e *core.RequestEvent) error {
		return e.String(200, "cart of "+e.Auth.Id())
	})
	api.POST("/restock", func(e *core.RequestEvent) error { return e.NoContent(204) }).
		Bind(core.RequireSuperuserAuth())
	r.GET("/ping", func(e *core.RequestEvent) error { return e.String(200, "pong") }).
		Bind(&core.Middleware{Id: "timing", Priority: -10, Func: func(e *core.RequestEvent) error {
			e.Response.Header().Set("X-Timed", "yes")
			return e.Next()
		}})

	for _, rc := range r.Routes() {
		fmt.Println(rc.Method, rc.Path, rc.MiddlewareIds)
	}

	// The server runs a chain per request; here one runs by hand.
	ping := r.Routes()[2]
	rec := httptest.NewRecorder()
	_, err := ping.Run(&core.RequestEvent{Request: httptest.NewRequest("GET", "/ping", nil), Response: rec})
	fmt.Println(rec.Code, rec.Body.String(), rec.Header().Get("X-Timed"), err)
	// Output:
	// GET /api/shop/cart [basaltRequireAuth]
	// POST /api/shop/restock [basaltRequireAuth basaltRequireSuperuserAuth]
	// GET /ping [timing]
	// 200 pong yes <nil>
}

// Cron jobs are registered on app.Cron() (usually in OnOpen); they run
// while the server serves, are listed in GET /api/crons, and a superuser
// can start one with POST /api/crons/{id}.
func ExampleApp_Cron() {
	ctx := context.Background()
	app, cleanup := exampleApp(ctx)
	defer cleanup()

	err := app.Cron().Add("recountViews", "*/30 * * * *", func(ctx context.Context) error {
		n, err := app.CountRecords(ctx, "posts")
		app.Logger().Info("posts counted", "n", n)
		return err
	})
	fmt.Println("added:", err)
	fmt.Println("bad expression:", app.Cron().Add("broken", "every minute", func(context.Context) error { return nil }) != nil)
	for _, j := range app.Cron().List() {
		if j.Id == "recountViews" {
			fmt.Println(j.Id, j.Expression)
		}
	}
	// Output:
	// added: <nil>
	// bad expression: true
	// recountViews */30 * * * *
}

// FindRecordsByFilter takes the API's filter syntax with {:name}
// placeholders: the params are bound as values, so a quote in a value
// cannot change the filter.
func ExampleApp_FindRecordsByFilter() {
	ctx := context.Background()
	app, cleanup := exampleApp(ctx)
	defer cleanup()

	recs, err := app.FindRecordsByFilter(ctx, "posts", "title = {:title} || views > {:views}", "-views", 10, 0,
		map[string]any{"title": "it's a 'quoted' title", "views": 25})
	if err != nil {
		panic(err)
	}
	for _, r := range recs {
		fmt.Println(r.GetString("title"), r.GetInt("views"))
	}
	// Output:
	// world 30
	// it's a 'quoted' title 20
}
