package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/basalthq/basalt/internal/testenv"
)

// snapshot returns a textual dump of a table's rows and its
// _collections row, to prove failed requests change nothing.
func snapshot(t *testing.T, dir, table string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	rows, err := db.Query(`SELECT * FROM "_collections" WHERE name = ?`, table)
	if err != nil {
		t.Fatal(err)
	}
	dump(t, rows, &b)
	var ddl string
	_ = db.QueryRow(`SELECT sql FROM sqlite_master WHERE name = ?`, table).Scan(&ddl)
	b.WriteString(ddl + "\n")
	rows, err = db.Query(fmt.Sprintf(`SELECT * FROM %q ORDER BY id`, table))
	if err != nil {
		t.Fatal(err)
	}
	dump(t, rows, &b)
	return b.String()
}

func dump(t *testing.T, rows *sql.Rows, b *strings.Builder) {
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(b, "%v\n", vals)
	}
}

func TestCollectionsAPI(t *testing.T) {
	testenv.SkipOnPostgres(t, "it reads data.db to compare the schema")
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")

	status, body := s.Do("POST", "/api/collections", su, map[string]any{
		"name": "books",
		"fields": []any{
			map[string]any{"name": "title", "type": "text"},
			map[string]any{"name": "pages", "type": "number"},
			map[string]any{"name": "tags", "type": "select", "values": []string{"a", "b"}, "maxSelect": 2},
		},
		"indexes": []string{"CREATE INDEX idx_books_title ON books (title)"},
	})
	if status != 200 {
		t.Fatalf("create: %d %v", status, body)
	}
	if body["listRule"] != nil {
		t.Fatalf("new collection rules must default to null, got %v", body["listRule"])
	}
	fields := body["fields"].([]any)
	titleId := fields[1].(map[string]any)["id"].(string)
	if st, b := s.Do("POST", "/api/collections/books/records", su, map[string]any{"title": "Dune", "pages": 412, "tags": []string{"a"}}); st != 200 {
		t.Fatalf("record: %d %v", st, b)
	}

	before := snapshot(t, s.Dir, "books")
	bad := []struct {
		name   string
		method string
		path   string
		body   any
		want   string
	}{
		{"duplicate name case-insensitive", "POST", "/api/collections", map[string]any{"name": "BOOKS"}, "validation_collection_name_exists"},
		{"reserved field name", "POST", "/api/collections", map[string]any{"name": "x1", "fields": []any{map[string]any{"name": "expand", "type": "text"}}}, "validation_not_in_invalid"},
		{"unknown field type", "POST", "/api/collections", map[string]any{"name": "x2", "fields": []any{map[string]any{"name": "a", "type": "nope"}}}, "Failed to load the submitted data"},
		{"invalid rule", "PATCH", "/api/collections/books", map[string]any{"listRule": "nope = 1"}, "validation_invalid_rule"},
		{"rule syntax", "PATCH", "/api/collections/books", map[string]any{"listRule": "title = "}, "validation_invalid_rule"},
		{"invalid index", "PATCH", "/api/collections/books", map[string]any{"indexes": []string{"CREATE INDEX oops"}}, "validation_invalid_index_expression"},
		{"type change", "PATCH", "/api/collections/books", map[string]any{"fields": []any{
			map[string]any{"name": "id", "type": "text", "id": "text3208210256", "primaryKey": true, "required": true, "system": true, "min": 15, "max": 15, "pattern": "^[a-z0-9]+$", "autogeneratePattern": "[a-z0-9]{15}"},
			map[string]any{"name": "title", "type": "number", "id": titleId},
		}}, "validation_field_type_change"},
		{"view that writes", "POST", "/api/collections", map[string]any{"name": "v1", "type": "view", "viewQuery": "DELETE FROM books"}, "validation_invalid_view_query"},
		{"view without id", "POST", "/api/collections", map[string]any{"name": "v2", "type": "view", "viewQuery": "SELECT title FROM books"}, "validation_invalid_view_query"},
		{"malformed json", "PATCH", "/api/collections/books", "{", ""},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			st, b := s.Do(tc.method, tc.path, su, tc.body)
			if st != 400 {
				t.Fatalf("status = %d, want 400 (%v)", st, b)
			}
			if tc.want != "" && !strings.Contains(toJSON(b), tc.want) {
				t.Fatalf("body %s lacks %q", toJSON(b), tc.want)
			}
			if after := snapshot(t, s.Dir, "books"); after != before {
				t.Fatalf("state changed:\nbefore %s\nafter %s", before, after)
			}
		})
	}

	t.Run("rename field keeps data", func(t *testing.T) {
		st, b := s.Do("GET", "/api/collections/books", su, nil)
		if st != 200 {
			t.Fatal(b)
		}
		fl := b["fields"].([]any)
		for _, f := range fl {
			m := f.(map[string]any)
			if m["name"] == "title" {
				m["name"] = "name"
			}
		}
		st, b = s.Do("PATCH", "/api/collections/books", su, map[string]any{"name": "novels", "fields": fl})
		if st != 200 {
			t.Fatalf("rename: %d %v", st, b)
		}
		st, b = s.Do("GET", "/api/collections/novels/records", su, nil)
		if st != 200 || !strings.Contains(toJSON(b), `"name":"Dune"`) {
			t.Fatalf("data lost after rename: %d %v", st, b)
		}
	})

	t.Run("view collection infers fields", func(t *testing.T) {
		st, b := s.Do("POST", "/api/collections", su, map[string]any{
			"name": "book_stats", "type": "view", "listRule": "",
			"viewQuery": "SELECT id, name, pages, (pages * 2) AS double FROM novels",
		})
		if st != 200 {
			t.Fatalf("view: %d %v", st, b)
		}
		got := toJSON(b["fields"])
		for _, want := range []string{`"name":"name","type":"text"`, `"name":"pages"`, `"name":"double","type":"json"`} {
			if !strings.Contains(strings.ReplaceAll(got, `"hidden":false,`, ""), strings.Split(want, ",")[0]) {
				t.Fatalf("fields %s lack %s", got, want)
			}
		}
		st, b = s.Do("GET", "/api/collections/book_stats/records", "", nil)
		if st != 200 || !strings.Contains(toJSON(b), `"totalItems":1`) {
			t.Fatalf("view list: %d %v", st, b)
		}
		st, b = s.Do("POST", "/api/collections/book_stats/records", su, map[string]any{})
		if st != 400 || !strings.Contains(toJSON(b), "Unsupported collection type") {
			t.Fatalf("view create: %d %v", st, b)
		}
		// The source table cannot be deleted while the view uses it.
		st, b = s.Do("DELETE", "/api/collections/novels", su, nil)
		if st != 400 {
			t.Fatalf("delete referenced: %d %v", st, b)
		}
	})

	t.Run("scaffolds", func(t *testing.T) {
		st, b := s.Do("GET", "/api/collections/meta/scaffolds", su, nil)
		if st != 200 || b["auth"] == nil || b["base"] == nil || b["view"] == nil {
			t.Fatalf("scaffolds: %d %v", st, b)
		}
	})

	t.Run("system collection cannot be deleted", func(t *testing.T) {
		st, _ := s.Do("DELETE", "/api/collections/_superusers", su, nil)
		if st != 400 {
			t.Fatalf("status %d", st)
		}
	})

	t.Run("list with filter and sort", func(t *testing.T) {
		st, b := s.Do("GET", "/api/collections?filter=system=false&sort=-name", su, nil)
		if st != 200 {
			t.Fatal(b)
		}
		items := b["items"].([]any)
		if len(items) < 2 || items[0].(map[string]any)["name"] != "users" {
			t.Fatalf("items: %v", toJSON(items))
		}
		st, _ = s.Do("GET", "/api/collections?filter=listRule='x'", su, nil)
		if st != 400 {
			t.Fatalf("filter on a non-filterable field: %d", st)
		}
	})

	t.Run("import with deleteMissing", func(t *testing.T) {
		st, b := s.Do("PUT", "/api/collections/import", su, map[string]any{
			"collections": []any{map[string]any{"name": "imported", "type": "base", "fields": []any{map[string]any{"name": "x", "type": "text"}}}},
		})
		if st != 204 {
			t.Fatalf("import: %d %v", st, b)
		}
		st, _ = s.Do("GET", "/api/collections/imported", su, nil)
		if st != 200 {
			t.Fatalf("imported missing: %d", st)
		}
		st, b = s.Do("PUT", "/api/collections/import", su, map[string]any{"collections": []any{}})
		if st != 400 {
			t.Fatalf("empty import: %d %v", st, b)
		}
	})

	t.Run("truncate", func(t *testing.T) {
		st, b := s.Do("DELETE", "/api/collections/imported/truncate", su, nil)
		if st != 204 {
			t.Fatalf("truncate: %d %v", st, b)
		}
	})
}

// TestParallelCollectionCreates proves concurrent schema changes never
// lose a just-created collection from the cache.
func TestParallelCollectionCreates(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	const n = 12
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": fmt.Sprintf("par_%d", i), "listRule": ""})
			if st != 200 {
				errs <- fmt.Sprintf("create %d: %d %v", i, st, b)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("par_%d", i)
		if _, err := s.App.FindCollectionByNameOrId(name); err != nil {
			t.Errorf("%s missing from the cache", name)
		}
		if st, _ := s.Do("GET", "/api/collections/"+name+"/records", "", nil); st != 200 {
			t.Errorf("%s records: %d", name, st)
		}
	}
	_ = context.Background()
}

func TestSchemaSync(t *testing.T) {
	testenv.SkipOnPostgres(t, "it reads data.db to compare the schema")
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "items", "listRule": "",
		"fields": []any{map[string]any{"name": "kind", "type": "select", "values": []string{"a", "b"}, "maxSelect": 1},
			map[string]any{"name": "label", "type": "text"}},
		"indexes": []string{"CREATE UNIQUE INDEX idx_items_label ON items (label)"}})
	if st != 200 {
		t.Fatalf("create: %d %v", st, b)
	}
	fields := b["fields"].([]any)
	if st, b := s.Do("POST", "/api/collections/items/records", su, map[string]any{"kind": "a", "label": "one"}); st != 200 {
		t.Fatalf("record: %d %v", st, b)
	}
	st, b = s.Do("POST", "/api/collections", su, map[string]any{"name": "items_view", "type": "view", "listRule": "",
		"viewQuery": "SELECT id, label, kind FROM items"})
	if st != 200 {
		t.Fatalf("view: %d %v", st, b)
	}

	t.Run("single to multiple converts stored values", func(t *testing.T) {
		for _, f := range fields {
			m := f.(map[string]any)
			if m["name"] == "kind" {
				m["maxSelect"] = 2
			}
		}
		st, b := s.Do("PATCH", "/api/collections/items", su, map[string]any{"fields": fields})
		if st != 200 {
			t.Fatalf("patch: %d %v", st, b)
		}
		st, b = s.Do("GET", "/api/collections/items/records", su, nil)
		if st != 200 || !strings.Contains(toJSON(b), `"kind":["a"]`) {
			t.Fatalf("converted value: %s", toJSON(b))
		}
	})

	t.Run("view is rebuilt and re-inferred after its source changes", func(t *testing.T) {
		st, b := s.Do("GET", "/api/collections/items_view", su, nil)
		if st != 200 || !strings.Contains(toJSON(b["fields"]), `"maxSelect":2`) {
			t.Fatalf("view fields not re-inferred: %s", toJSON(b["fields"]))
		}
		st, b = s.Do("GET", "/api/collections/items_view/records", "", nil)
		if st != 200 || !strings.Contains(toJSON(b), `"kind":["a"]`) {
			t.Fatalf("view records: %d %s", st, toJSON(b))
		}
	})

	t.Run("unique index enforced and kept on rename", func(t *testing.T) {
		st, b := s.Do("PATCH", "/api/collections/items", su, map[string]any{"name": "things"})
		if st != 400 {
			// The view still selects from "items": the rename must be refused
			// rather than leave a broken view.
			t.Fatalf("rename under a view: %d %v", st, b)
		}
		if st, b := s.Do("POST", "/api/collections/items/records", su, map[string]any{"label": "one"}); st != 400 || !strings.Contains(toJSON(b), "validation_not_unique") {
			t.Fatalf("duplicate: %d %v", st, b)
		}
	})

	t.Run("dropping a field drops its column", func(t *testing.T) {
		if st, b := s.Do("DELETE", "/api/collections/items_view", su, nil); st != 204 {
			t.Fatalf("delete view: %d %v", st, b)
		}
		st, b := s.Do("GET", "/api/collections/items", su, nil)
		if st != 200 {
			t.Fatal(b)
		}
		var kept []any
		for _, f := range b["fields"].([]any) {
			if f.(map[string]any)["name"] != "kind" {
				kept = append(kept, f)
			}
		}
		if st, b := s.Do("PATCH", "/api/collections/items", su, map[string]any{"fields": kept}); st != 200 {
			t.Fatalf("drop: %d %v", st, b)
		}
		if snap := snapshot(t, s.Dir, "items"); strings.Contains(strings.SplitN(snap, "\n", 3)[1], `"kind"`) {
			t.Fatalf("column still in DDL: %s", snap)
		}
	})
}
