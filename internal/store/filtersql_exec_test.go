package store

import (
	"sort"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
)

// execStore opens a real SQLite store with the filter schema and a few
// rows: posts p1 (cats Tabby+Siamese, tags a,b, comments nice/great/meh),
// p2 (cat Tabby, no tags, comment nice) and p3 (no cats, tags z).
func execStore(t *testing.T) (*Store, map[string]*core.Collection) {
	t.Helper()
	return execStoreOn(t, onPostgres(t))
}

// execStoreOn is execStore on PostgreSQL (pg) or SQLite.
func execStoreOn(t *testing.T, pg bool) (*Store, map[string]*core.Collection) {
	t.Helper()
	s, cols := schemaStoreOn(t, filterSchema(), pg)
	insert := func(table string, row map[string]any) {
		t.Helper()
		insertRow(t, s, table, row)
	}
	insert("users", map[string]any{"id": "u1aaaaaaaaaaaaa", "email": "one@example.com", "emailVisibility": true, "name": "User One", "secret": "s1", "friends": `["u2aaaaaaaaaaaaa"]`})
	insert("users", map[string]any{"id": "u2aaaaaaaaaaaaa", "email": "two@example.com", "emailVisibility": false, "name": "User Two", "secret": "s2", "friends": `[]`})
	insert("cats", map[string]any{"id": "c1", "name": "Tabby", "owner": "u1aaaaaaaaaaaaa"})
	insert("cats", map[string]any{"id": "c2", "name": "Siamese", "owner": "u2aaaaaaaaaaaaa"})
	insert("secrets", map[string]any{"id": "s1", "code": "x"})
	insert("posts", map[string]any{"id": "p1", "title": "Hello world", "status": "draft", "views": 10, "published": true,
		"tags": `["a","b"]`, "author": "u1aaaaaaaaaaaaa", "cats": `["c1","c2"]`, "meta": `{"arr":[1,2],"k":"V"}`,
		"loc": `{"lon":23.32,"lat":42.69}`, "created": "2024-01-02 10:00:00.000Z", "secret": "s1"})
	insert("posts", map[string]any{"id": "p2", "title": "Second 100%", "status": "", "views": 5, "published": false,
		"tags": `[]`, "author": "u2aaaaaaaaaaaaa", "cats": `["c1"]`, "created": "2025-06-01 00:00:00.000Z"})
	insert("posts", map[string]any{"id": "p3", "title": "Third_x", "status": "pub", "views": 7,
		"tags": `["z"]`, "author": "", "cats": `[]`, "meta": `{"k":"w"}`, "created": "2025-07-01 00:00:00.000Z"})
	insert("comments", map[string]any{"id": "m1", "msg": "nice", "post": "p1", "author": "u1aaaaaaaaaaaaa", "created": ""})
	insert("comments", map[string]any{"id": "m2", "msg": "great", "post": "p1", "author": "u2aaaaaaaaaaaaa"})
	insert("comments", map[string]any{"id": "m3", "msg": "meh", "post": "p1"})
	insert("comments", map[string]any{"id": "m4", "msg": "nice", "post": "p2"})
	return s, cols
}

// schemaStore opens a real SQLite store in t.TempDir() holding a table per
// collection of list (no indexes, no rows).
func schemaStore(t testing.TB, list []*core.Collection) (*Store, map[string]*core.Collection) {
	t.Helper()
	return schemaStoreOn(t, list, onPostgres(t))
}

// schemaStoreOn is schemaStore on PostgreSQL (pg) or SQLite.
func schemaStoreOn(t testing.TB, list []*core.Collection, pg bool) (*Store, map[string]*core.Collection) {
	t.Helper()
	ctx := t.Context()
	s := openTestStoreOn(t, pg)
	cols := map[string]*core.Collection{}
	for _, c := range list {
		cols[c.Name] = c
		defs := make([]string, len(c.Fields))
		for i, f := range c.Fields {
			defs[i] = s.q(f.GetName()) + " " + s.d.ColumnDefinition(columnKind(f))
		}
		if err := s.db.Exec(ctx, "CREATE TABLE "+s.q(c.Name)+" ("+strings.Join(defs, ", ")+")", nil); err != nil {
			t.Fatal(err)
		}
	}
	s.setCollections(list)
	return s, cols
}

// insertRow inserts row into table with plain SQL.
func insertRow(t testing.TB, s *Store, table string, row map[string]any) {
	t.Helper()
	var names, ph []string
	params := map[string]any{}
	for k, v := range row {
		names = append(names, s.q(k))
		ph = append(ph, "{:"+k+"}")
		params[k] = v
	}
	if err := s.db.Exec(t.Context(), "INSERT INTO "+s.q(table)+" ("+strings.Join(names, ", ")+") VALUES ("+strings.Join(ph, ", ")+")", params); err != nil {
		t.Fatalf("insert into %s: %v", table, err)
	}
}

func TestFilterSQLExecution(t *testing.T) { forEngines(t, testFilterSQLExecution) }

func testFilterSQLExecution(t *testing.T) {
	withFixedNow(t)
	s, cols := execStore(t)
	cases := []struct {
		fc   filterCase
		want string // comma-separated ids in result order
	}{
		// spec §3.6 observed examples
		{filterCase{rule: `cats.name ?= "Tabby"`}, "p1,p2"},
		{filterCase{rule: `cats.name = "Tabby"`}, "p2"},
		{filterCase{rule: `comments_via_post.msg ?= "nice"`}, "p1,p2"},
		{filterCase{rule: `comments_via_post.msg = "nice"`}, "p2"},
		{filterCase{rule: `tags:each ?= "a"`}, "p1"},
		{filterCase{rule: `tags:each = "a"`}, ""},
		{filterCase{rule: `tags:each != "z"`}, "p1,p2"},
		{filterCase{rule: `tags ~ "a"`}, "p1"},
		{filterCase{rule: `@collection.cats.name ?= 'Tabby'`}, "p1,p2,p3"},
		{filterCase{rule: `@collection.cats.name = 'Nope'`}, ""},
		// operators and NULL/empty
		{filterCase{rule: `title ~ "hello"`}, "p1"},
		{filterCase{rule: `title ~ "Hel%"`}, "p1"},
		{filterCase{rule: `title ~ "%x"`}, "p3"},
		{filterCase{rule: `title ~ "_"`}, "p3"},
		{filterCase{rule: `title ~ "100%"`}, ""},
		{filterCase{rule: `title !~ "o"`}, "p3"},
		{filterCase{rule: `status = ""`}, "p2"},
		{filterCase{rule: `status != ""`}, "p1,p3"},
		{filterCase{rule: `author = null`}, "p3"},
		{filterCase{rule: `views >= 7 && title = "Second 100%" || title = "Third_x"`}, "p3"},
		{filterCase{rule: `views > "6"`}, "p1,p3"},
		{filterCase{rule: `published = true`}, "p1"},
		{filterCase{rule: `meta.arr.1 = 2`}, "p1"},
		{filterCase{rule: `meta = null`}, "p2"},
		{filterCase{rule: `meta.k:lower = "v"`}, "p1"},
		{filterCase{rule: `cats:length > 1`}, "p1"},
		{filterCase{rule: `tags:length = 0`}, "p2"},
		{filterCase{rule: `author.name = "User One"`}, "p1"},
		{filterCase{rule: `author.id = "u2aaaaaaaaaaaaa"`}, "p2"},
		{filterCase{rule: `cats.owner.name ?= "User Two"`}, "p1"},
		// p3 has neither cats nor comments: NULL and NULL compare equal (§3.5).
		{filterCase{rule: `cats.name = comments_via_post.msg`}, "p3"},
		{filterCase{rule: `geoDistance(loc.lon, loc.lat, 23.3, 42.7) < 5`}, "p1"},
		{filterCase{rule: `strftime('%Y', created) = '2024'`}, "p1"},
		{filterCase{rule: `strftime('%Y', comments_via_post.created) = ''`}, "p1,p2,p3"},
		{filterCase{rule: `created < @now`}, "p1"},
		{filterCase{rule: `title = "x' OR 1=1 --"`}, ""},
		// @request.*
		{filterCase{rule: `author = @request.auth.id`, as: "user"}, "p1"},
		{filterCase{rule: `@request.auth.id != ""`, as: "user"}, "p1,p2,p3"},
		{filterCase{rule: `@request.auth.id != ""`}, ""},
		{filterCase{rule: `@request.auth.name = "User One" && author = @request.auth.id`, as: "user"}, "p1"},
		{filterCase{rule: `@request.auth.friends.name ?= author.name`, as: "user"}, "p2"},
		{filterCase{rule: `@request.query.q = title`, query: map[string]string{"q": "Third_x"}}, "p3"},
		{filterCase{rule: `@request.body.author:changed = false`, body: map[string]any{"author": "u1aaaaaaaaaaaaa"}}, "p1"},
		{filterCase{rule: `@request.body.author:changed = false`, body: map[string]any{}}, "p1,p2,p3"},
		{filterCase{rule: `@request.body.views = views`, body: map[string]any{"views": "7"}}, "p3"},
		{filterCase{rule: `@request.body.cats.name ?= "Siamese" && cats.id ?= "c2"`, body: map[string]any{"cats": []any{"c2"}}}, "p1"},
		{filterCase{rule: `@request.body.tags:each ?= tags:each`, body: map[string]any{"tags": []any{"z"}}}, "p3"},
		// client filters and sorts by a non-superuser
		{filterCase{filter: `author.email = "two@example.com"`, as: "user"}, ""},
		{filterCase{filter: `author.email = "two@example.com"`, as: "super"}, "p2"},
		{filterCase{sort: `author.name`, as: "user"}, "p3,p1"},
		{filterCase{sort: `-views`, as: "super"}, "p1,p3,p2"},
		{filterCase{sort: `-@rowid`, as: "super"}, "p3,p2,p1"},
		{filterCase{sort: `-meta.k`, as: "super"}, "p3,p1,p2"},
	}
	for _, tc := range cases {
		fc := tc.fc
		name := fc.rule + fc.filter + " sort=" + fc.sort
		t.Run(name, func(t *testing.T) {
			q := fc.recordQuery(t, cols)
			q.Count = true
			res, err := s.Query(t.Context(), q)
			if err != nil {
				t.Fatalf("Query: %v", err)
			}
			var ids []string
			for _, r := range res.Records {
				ids = append(ids, r.Id())
			}
			got := strings.Join(ids, ",")
			if tc.fc.sort == "" {
				sorted := append([]string(nil), ids...)
				sort.Strings(sorted)
				got = strings.Join(sorted, ",")
			}
			if got != tc.want {
				t.Errorf("got ids %q, want %q", got, tc.want)
			}
			if res.Total != len(ids) {
				t.Errorf("total = %d, want %d", res.Total, len(ids))
			}
		})
	}
}
