package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/testenv"
)

// viewFields creates a view collection over query and returns its fields
// by name.
func viewFields(t *testing.T, s *testenv.Server, su, name, query string) map[string]map[string]any {
	t.Helper()
	st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": name, "type": "view", "viewQuery": query})
	if st != 200 {
		t.Fatalf("create view: %d %s", st, toJSON(b))
	}
	out := map[string]map[string]any{}
	for _, f := range b["fields"].([]any) {
		m := f.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}

// TestViewFieldInference checks the spec §5.7 inference rules through
// table names, table aliases, AS renames, joins and expressions: a direct
// reference to a source field (however it is qualified) is a copy of that
// field, a source id under another name is a relation, count/total/cast
// have fixed types, anything else is json.
func TestViewFieldInference(t *testing.T) {
	testenv.SkipOnPostgres(t, "its view queries are SQLite SQL")
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")

	st, users := s.Do("GET", "/api/collections/users", su, nil)
	if st != 200 {
		t.Fatal(users)
	}
	usersId := users["id"].(string)
	st, b := s.Do("POST", "/api/collections", su, map[string]any{
		"name": "posts",
		"fields": []any{
			map[string]any{"name": "title", "type": "text", "max": 77},
			map[string]any{"name": "views", "type": "number", "onlyInt": true},
			map[string]any{"name": "published", "type": "bool"},
			map[string]any{"name": "author", "type": "relation", "collectionId": usersId, "maxSelect": 1},
			map[string]any{"name": "name", "type": "email"},
		},
	})
	if st != 200 {
		t.Fatalf("posts: %d %s", st, toJSON(b))
	}
	postsId := b["id"].(string)

	type want struct {
		typ, key string
		val      any
	}
	cases := []struct {
		name  string
		query string
		want  map[string]want
	}{
		{"plain columns", "SELECT id, title, views FROM posts", map[string]want{
			"id": {"text", "primaryKey", true}, "title": {"text", "max", 77.0}, "views": {"number", "onlyInt", true}}},
		{"table.column", "SELECT posts.id, posts.title, posts.published FROM posts", map[string]want{
			"id": {"text", "primaryKey", true}, "title": {"text", "max", 77.0}, "published": {"bool", "", nil}}},
		{"quoted table.column", "SELECT `posts`.`id`, \"posts\".\"views\" FROM `posts`", map[string]want{
			"views": {"number", "onlyInt", true}}},
		{"alias.column and AS renames", "SELECT p.id, p.title AS headline, p.views AS hits FROM posts p", map[string]want{
			"headline": {"text", "max", 77.0}, "hits": {"number", "onlyInt", true}}},
		{"alias declared with AS", "SELECT p.id, p.title FROM posts AS p", map[string]want{
			"title": {"text", "max", 77.0}}},
		{"relation through AS keeps its target", "SELECT p.id, p.author AS writer FROM posts p", map[string]want{
			"writer": {"relation", "collectionId", usersId}}},
		{"join with the same column name on both sides", "SELECT p.id, p.name AS post_name, u.name AS author_name, u.email FROM posts p JOIN users u ON u.id = p.author", map[string]want{
			"post_name": {"email", "", nil}, "author_name": {"text", "max", 255.0}, "email": {"email", "", nil}}},
		// PocketBase resolves an unqualified column against the main (first)
		// table only, even when SQLite finds it in a joined one.
		{"unqualified column resolves in the main table only", "SELECT p.id, title, emailVisibility FROM posts p LEFT JOIN users u ON u.id = p.author", map[string]want{
			"title": {"text", "max", 77.0}, "emailVisibility": {"json", "maxSize", 1.0}}},
		{"source id under another name is a relation", "SELECT p.id, u.id AS author_id, p.id AS post FROM posts p JOIN users u ON u.id = p.author", map[string]want{
			"author_id": {"relation", "collectionId", usersId}, "post": {"relation", "collectionId", postsId}}},
		{"any column named id is the text primary key", "SELECT p.author AS id, p.title FROM posts p", map[string]want{
			"id": {"text", "primaryKey", true}}},
		{"subquery in the projection does not change the main table", "SELECT id, name, (SELECT COUNT(*) FROM users) AS n, title FROM posts", map[string]want{
			"name": {"email", "", nil}, "n": {"json", "", nil}, "title": {"text", "max", 77.0}}},
		{"aggregates", "SELECT u.id, COUNT(p.id) AS n, count(*) AS m, TOTAL(p.views) AS t FROM users u LEFT JOIN posts p ON p.author = u.id GROUP BY u.id", map[string]want{
			"n": {"number", "onlyInt", true}, "m": {"number", "onlyInt", true}, "t": {"number", "onlyInt", false}}},
		{"casts", "SELECT id, CAST(views AS real) AS r, cast(views as INTEGER) AS i, CAST(title AS text) AS s, CAST(1 AS boolean) AS b FROM posts", map[string]want{
			"r": {"number", "onlyInt", false}, "i": {"number", "onlyInt", true}, "s": {"text", "", nil}, "b": {"bool", "", nil}}},
		{"other expressions are json", "SELECT id, (views * 2) AS double, SUM(views) AS s, upper(title) AS loud, (SELECT COUNT(*) FROM users) AS sub FROM posts GROUP BY id", map[string]want{
			"double": {"json", "maxSize", 1.0}, "s": {"json", "maxSize", 1.0}, "loud": {"json", "", nil}, "sub": {"json", "", nil}}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fields := viewFields(t, s, su, fmt.Sprintf("v%d", i), tc.query)
			for name, w := range tc.want {
				f := fields[name]
				if f == nil {
					t.Fatalf("no field %q in %s", name, toJSON(fields))
				}
				if f["type"] != w.typ {
					t.Errorf("%s: type %v, want %s (%s)", name, f["type"], w.typ, toJSON(f))
					continue
				}
				if w.key != "" && f[w.key] != w.val {
					t.Errorf("%s: %s = %v, want %v (%s)", name, w.key, f[w.key], w.val, toJSON(f))
				}
				// Only the id is a system field (PocketBase's parseQueryToFields):
				// a system text primary key without length bounds or generator.
				if isId := name == "id"; f["system"] != isId {
					t.Errorf("%s: system = %v, want %v: %s", name, f["system"], isId, toJSON(f))
				} else if isId && (f["min"] != 0.0 || f["max"] != 0.0 || f["autogeneratePattern"] != "" || f["pattern"] != "^[a-z0-9]+$" || f["required"] != true) {
					t.Errorf("id: %s, want PocketBase's view id field", toJSON(f))
				}
			}
		})
	}
}

// TestImportPutsIdFirst checks that an imported collection always starts
// with its system id field, as PocketBase orders it, whether the document
// lists id elsewhere or leaves it out, for new and for existing
// collections.
func TestImportPutsIdFirst(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")

	idField := map[string]any{"name": "id", "type": "text", "id": "text3208210256", "primaryKey": true, "required": true, "system": true,
		"min": 15, "max": 15, "pattern": "^[a-z0-9]+$", "autogeneratePattern": "[a-z0-9]{15}"}
	text := func(name string) map[string]any { return map[string]any{"name": name, "type": "text"} }
	cases := []struct {
		name string
		doc  map[string]any
	}{
		{"new collection, id listed last", map[string]any{"name": "late", "type": "base", "fields": []any{text("a"), text("b"), idField}}},
		{"new collection, id omitted", map[string]any{"name": "none", "type": "base", "fields": []any{text("a"), text("b")}}},
		{"new auth collection, id omitted", map[string]any{"name": "members", "type": "auth", "fields": []any{text("nick")}}},
		{"existing collection, id moved last", map[string]any{"name": "late", "type": "base", "fields": []any{text("b"), text("a"), idField}}},
		{"existing collection, id omitted with deleteMissing", map[string]any{"name": "none", "type": "base", "fields": []any{text("b")}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			deleteMissing := strings.Contains(tc.name, "deleteMissing")
			body := map[string]any{"collections": []any{tc.doc}}
			if deleteMissing {
				// deleteMissing drops every collection not listed: list the
				// other test collections too.
				body["collections"] = []any{tc.doc,
					map[string]any{"name": "late", "type": "base", "fields": []any{text("a"), text("b")}},
					map[string]any{"name": "members", "type": "auth", "fields": []any{text("nick")}},
					map[string]any{"name": "users", "type": "auth"}}
				body["deleteMissing"] = true
			}
			st, b := s.Do("PUT", "/api/collections/import", su, body)
			if st != 204 {
				t.Fatalf("import: %d %s", st, toJSON(b))
			}
			st, b = s.Do("GET", "/api/collections/"+tc.doc["name"].(string), su, nil)
			if st != 200 {
				t.Fatalf("get: %d %s", st, toJSON(b))
			}
			fields := b["fields"].([]any)
			first := fields[0].(map[string]any)
			if first["name"] != "id" || first["primaryKey"] != true || first["system"] != true {
				t.Fatalf("first field is %s, want the system id (all: %s)", toJSON(first), toJSON(fields))
			}
			n := 0
			for _, f := range fields {
				if f.(map[string]any)["name"] == "id" {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d id fields: %s", n, toJSON(fields))
			}
			// Records still work with the reordered schema.
			rec := map[string]any{}
			if tc.doc["type"] == "auth" {
				rec = map[string]any{"email": "m@example.com", "password": "password123", "passwordConfirm": "password123"}
			}
			if st, b := s.Do("POST", "/api/collections/"+tc.doc["name"].(string)+"/records", su, rec); st != 200 {
				t.Fatalf("record: %d %s", st, toJSON(b))
			}
		})
	}
}

// TestUnknownTypes pins PocketBase's answers to an unknown collection
// type (a validation error keyed "type", code validation_in_invalid, under
// the endpoint's own message) and to an unknown field type (the body
// cannot be decoded: the generic formatting error of spec C2, or the
// import failure of spec C7), and checks that nothing changes.
func TestUnknownTypes(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	if st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "books"}); st != 200 {
		t.Fatalf("books: %d %s", st, toJSON(b))
	}
	listNames := func() string {
		_, b := s.Do("GET", "/api/collections?perPage=500&fields=name,type", su, nil)
		return toJSON(b["items"])
	}
	badField := []any{map[string]any{"name": "a", "type": "nope"}}
	cases := []struct {
		name, method, path string
		body               any
		message            string
		data               string // expected toJSON(data), or a substring of it when prefixed by "~"
	}{
		{"create with unknown collection type", "POST", "/api/collections", map[string]any{"name": "x1", "type": "nope"},
			"Failed to create collection.", `{"type":{"code":"validation_in_invalid","message":"Must be a valid value."}}`},
		{"update to unknown collection type", "PATCH", "/api/collections/books", map[string]any{"type": "nope"},
			"Failed to update collection.", `{"type":{"code":"validation_in_invalid","message":"Must be a valid value."}}`},
		{"create with unknown field type", "POST", "/api/collections", map[string]any{"name": "x2", "fields": badField},
			"Failed to load the submitted data due to invalid formatting.", `{}`},
		{"update with unknown field type", "PATCH", "/api/collections/books", map[string]any{"fields": badField},
			"Failed to load the submitted data due to invalid formatting.", `{}`},
		{"import with unknown collection type", "PUT", "/api/collections/import", map[string]any{"collections": []any{map[string]any{"name": "x3", "type": "nope"}}},
			"Failed to import collections.", `~{"collections":{"code":"validation_collections_import_failure","message":"Data validations failed for collection \"x3\"`},
		{"import with unknown field type", "PUT", "/api/collections/import", map[string]any{"collections": []any{map[string]any{"name": "x4", "fields": badField}}},
			"Failed to import collections.", `~{"collections":{"code":"validation_collections_import_failure","message":"Failed to import the collections configuration. Raw error:\n`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := listNames()
			st, b := s.Do(tc.method, tc.path, su, tc.body)
			if st != 400 || b["status"] != 400.0 || b["message"] != tc.message {
				t.Fatalf("got %d %s, want 400 %q", st, toJSON(b), tc.message)
			}
			data := toJSON(b["data"])
			if want, ok := strings.CutPrefix(tc.data, "~"); ok {
				if !strings.Contains(data, want) {
					t.Fatalf("data %s lacks %s", data, want)
				}
			} else if data != tc.data {
				t.Fatalf("data %s, want %s", data, tc.data)
			}
			if after := listNames(); after != before {
				t.Fatalf("collections changed:\n%s\n%s", before, after)
			}
		})
	}
}

// TestScaffoldsCarryOnlySystemFields compares the scaffolds with spec C8
// and PocketBase's NewBaseCollection/NewAuthCollection/NewViewCollection:
// blank id and name, the type's system fields only (the created/updated
// autodate fields are added by the dashboard form, not by the scaffold),
// and auth index definitions without a table name.
func TestScaffoldsCarryOnlySystemFields(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	st, b := s.Do("GET", "/api/collections/meta/scaffolds", su, nil)
	if st != 200 {
		t.Fatalf("scaffolds: %d %s", st, toJSON(b))
	}
	want := map[string]string{
		"base": "[id]",
		"auth": "[id password tokenKey email emailVisibility verified]",
		"view": "[]",
	}
	for typ, fields := range want {
		t.Run(typ, func(t *testing.T) {
			sc, _ := b[typ].(map[string]any)
			if sc == nil || sc["type"] != typ || sc["id"] != "" || sc["name"] != "" {
				t.Fatalf("scaffold %s", toJSON(sc))
			}
			var names []string
			for _, f := range sc["fields"].([]any) {
				m := f.(map[string]any)
				names = append(names, m["name"].(string))
				if m["system"] != true || m["id"] == "" {
					t.Errorf("field %s: scaffolds carry system fields with ids only", toJSON(m))
				}
			}
			if got := fmt.Sprint(names); got != fields {
				t.Fatalf("fields %s, want %s", got, fields)
			}
			for _, idx := range sc["indexes"].([]any) {
				if !strings.Contains(idx.(string), "ON ``") {
					t.Errorf("index %q names a table", idx)
				}
			}
		})
	}
}
