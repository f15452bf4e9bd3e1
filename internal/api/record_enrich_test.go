package api_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// TestRecordEnrich checks that OnRecordEnrich runs for every record a
// response carries (list, view, create, update, expanded records), that
// Hide and SetCustom change the output, and that a failing handler is
// logged while the response still goes out.
func TestRecordEnrich(t *testing.T) {
	hooks := &hookCounter{n: map[string]int{}}
	register := func(app *core.App) error {
		app.OnRecordEnrich("authors").BindFunc(func(e *core.RecordEnrichEvent) error {
			hooks.inc("authors")
			if e.Auth == nil {
				e.Record.Hide("secret")
			}
			return e.Next()
		})
		app.OnRecordEnrich("posts").BindFunc(func(e *core.RecordEnrichEvent) error {
			hooks.inc("posts")
			e.Record.SetCustom("shout", strings.ToUpper(e.Record.GetString("title")))
			e.Record.SetCustom("title", "ignored: a field name")
			if e.Record.GetString("title") == "boom" {
				return errors.New("enrich failed")
			}
			return e.Next()
		})
		return nil
	}
	s := testenv.StartServer(t, register)
	ctx := context.Background()
	su := s.Superuser("admin@example.com", "password123")

	authors := core.NewBaseCollection("authors")
	authors.ListRule, authors.ViewRule = core.StrPtr(""), core.StrPtr("")
	authors.Fields.Add(&core.TextField{BaseField: core.BaseField{Name: "name"}}, &core.TextField{BaseField: core.BaseField{Name: "secret"}})
	if err := s.App.SaveCollection(ctx, authors); err != nil {
		t.Fatal(err)
	}
	authors, _ = s.App.FindCollectionByNameOrId("authors")
	posts := core.NewBaseCollection("posts")
	posts.ListRule, posts.ViewRule, posts.CreateRule, posts.UpdateRule = core.StrPtr(""), core.StrPtr(""), core.StrPtr(""), core.StrPtr("")
	posts.Fields.Add(
		&core.TextField{BaseField: core.BaseField{Name: "title"}},
		&core.RelationField{BaseField: core.BaseField{Name: "author"}, CollectionId: authors.Id, MaxSelect: 1},
	)
	if err := s.App.SaveCollection(ctx, posts); err != nil {
		t.Fatal(err)
	}
	a := core.NewRecord(authors)
	a.Set("name", "ann")
	a.Set("secret", "s3")
	if err := s.App.Save(ctx, a); err != nil {
		t.Fatal(err)
	}

	status, created := s.Do("POST", "/api/collections/posts/records?expand=author", "", map[string]any{"title": "hi", "author": a.Id()})
	if status != 200 {
		t.Fatalf("create: %d %v", status, created)
	}
	id, _ := created["id"].(string)
	for _, tc := range []struct {
		name, method, path, token string
		body                      any
		wantPosts, wantAuthors    int
		wantSecret                bool
	}{
		{name: "create", wantPosts: 1, wantAuthors: 1}, // the request above
		{name: "list with expand", method: "GET", path: "/api/collections/posts/records?expand=author", wantPosts: 1, wantAuthors: 1},
		{name: "view", method: "GET", path: "/api/collections/posts/records/" + id + "?expand=author", wantPosts: 1, wantAuthors: 1},
		{name: "update", method: "PATCH", path: "/api/collections/posts/records/" + id + "?expand=author", body: map[string]any{"title": "ho"}, wantPosts: 1, wantAuthors: 1},
		{name: "authors list as superuser", method: "GET", path: "/api/collections/authors/records", token: su, wantAuthors: 1, wantSecret: true},
		{name: "failing handler", method: "PATCH", path: "/api/collections/posts/records/" + id, body: map[string]any{"title": "boom"}, wantPosts: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := created
			if tc.method != "" {
				before := map[string]int{"posts": hooks.get("posts"), "authors": hooks.get("authors")}
				var status int
				status, body = s.Do(tc.method, tc.path, tc.token, tc.body)
				if status != 200 {
					t.Fatalf("%d %v", status, body)
				}
				if got := hooks.get("posts") - before["posts"]; got != tc.wantPosts {
					t.Fatalf("posts enrich fired %d times, want %d", got, tc.wantPosts)
				}
				if got := hooks.get("authors") - before["authors"]; got != tc.wantAuthors {
					t.Fatalf("authors enrich fired %d times, want %d", got, tc.wantAuthors)
				}
			}
			if items, ok := body["items"].([]any); ok {
				body = items[0].(map[string]any)
			}
			if body["collectionName"] == "authors" {
				if _, has := body["secret"]; has != tc.wantSecret {
					t.Fatalf("secret shown=%v, want %v: %v", has, tc.wantSecret, body)
				}
				return
			}
			title, _ := body["title"].(string)
			if body["shout"] != strings.ToUpper(title) {
				t.Fatalf("custom key: %v", body)
			}
			if tc.wantAuthors == 0 {
				return
			}
			author, _ := body["expand"].(map[string]any)["author"].(map[string]any)
			if author["name"] != "ann" {
				t.Fatalf("expand: %v", body)
			}
			if _, has := author["secret"]; has {
				t.Fatalf("hidden field in expand: %v", author)
			}
		})
	}
	// Nothing was stored by Hide/SetCustom.
	got, err := s.App.FindRecordById(ctx, "authors", a.Id())
	if err != nil || got.GetString("secret") != "s3" {
		t.Fatalf("stored secret: %v %v", got, err)
	}
}

// TestRecordEnrichRealtime: realtime messages go through OnRecordEnrich
// too, with Realtime set, and the REST response of the same change is
// enriched separately.
func TestRecordEnrichRealtime(t *testing.T) {
	var realtimeCalls, restCalls sync.Map
	register := func(app *core.App) error {
		app.OnRecordEnrich("posts").BindFunc(func(e *core.RecordEnrichEvent) error {
			if e.Realtime {
				realtimeCalls.Store(e.Record.Id(), true)
				e.Record.SetCustom("via", "realtime")
				e.Record.Hide("title")
			} else {
				restCalls.Store(e.Record.Id(), true)
				e.Record.SetCustom("via", "rest")
			}
			return e.Next()
		})
		return nil
	}
	s := testenv.StartServer(t, register)
	posts := core.NewBaseCollection("posts")
	posts.ListRule, posts.ViewRule, posts.CreateRule = core.StrPtr(""), core.StrPtr(""), core.StrPtr("")
	posts.Fields.Add(&core.TextField{BaseField: core.BaseField{Name: "title"}})
	if err := s.App.SaveCollection(context.Background(), posts); err != nil {
		t.Fatal(err)
	}
	c := openSSE(t, s)
	if st, body := subscribe(s, c.ClientId, "", "posts/*"); st != 204 {
		t.Fatalf("subscribe: %d %v", st, body)
	}
	st, body := s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": "a"})
	if st != 200 || body["via"] != "rest" || body["title"] != "a" {
		t.Fatalf("create: %d %v", st, body)
	}
	ev := c.expect("posts/*", "create")
	if ev.Record["via"] != "realtime" || ev.Record["title"] != nil || ev.Record["id"] != body["id"] {
		t.Fatalf("realtime record not enriched: %v", ev.Record)
	}
	id := body["id"].(string)
	if _, ok := realtimeCalls.Load(id); !ok {
		t.Fatal("no realtime enrich call")
	}
	if _, ok := restCalls.Load(id); !ok {
		t.Fatal("no rest enrich call")
	}
}
