package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/basalthq/basalt/internal/testenv"
)

// getDoc fetches /api/openapi.json with token and decodes it.
func getDoc(t *testing.T, srv *testenv.Server, token string) ([]byte, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+"/api/openapi.json", nil)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/openapi.json: %d %s", resp.StatusCode, raw)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return raw, m
}

// newValidator parses doc with pb33f/libopenapi and checks it against the
// OpenAPI 3.1 meta-schema.
func newValidator(t *testing.T, doc []byte) validator.Validator {
	t.Helper()
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("invalid document: %s: %s", e.Message, e.Reason)
		}
		t.FailNow()
	}
	return v
}

// exchange sends a request and checks both it and the answer against the
// document: the document must describe what the server really does.
func exchange(t *testing.T, srv *testenv.Server, v validator.Validator, method, path, token string, body any, want int) map[string]any {
	t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
	// The validator reads both bodies again; it matches paths without the
	// test server's host.
	vreq, _ := http.NewRequest(method, path, bytes.NewReader(raw))
	vreq.Header = req.Header.Clone()
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.Request = vreq
	check := v.ValidateHttpRequestResponse
	if want >= 400 {
		check = v.ValidateHttpResponse // the request is wrong on purpose
	}
	if ok, errs := check(vreq, resp); !ok {
		for _, e := range errs {
			t.Errorf("%s %s does not match the document: %s: %s", method, path, e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s: %s", se.FieldPath+" "+se.KeywordLocation, se.Reason)
			}
		}
		t.Fatalf("response: %s", out)
	}
	var m map[string]any
	_ = json.Unmarshal(out, &m)
	return m
}

func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func importFixture(t *testing.T, srv *testenv.Server, su string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "openapi", "testdata", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cols []any
	if err := json.Unmarshal(raw, &cols); err != nil {
		t.Fatal(err)
	}
	if st, body := srv.Do("PUT", "/api/collections/import", su, map[string]any{"collections": cols, "deleteMissing": false}); st != 204 {
		t.Fatalf("import: %d %v", st, body)
	}
}

// TestOpenAPIDocumentFollowsSchema: the served document validates, shows
// each audience its part, changes with the collections, and describes the
// real answers of the record and auth endpoints.
func TestOpenAPIDocumentFollowsSchema(t *testing.T) {
	srv := testenv.StartServer(t)
	su := srv.Superuser("su@example.com", "password123")
	importFixture(t, srv, su)

	guestRaw, guest := getDoc(t, srv, "")
	suRaw, full := getDoc(t, srv, su)
	vg := newValidator(t, guestRaw)
	v := newValidator(t, suRaw)

	audience := []struct {
		name string
		doc  map[string]any
		path []string
		want any
	}{
		{"guest: no all-null collection", guest, []string{"paths", "/api/collections/secrets/records"}, nil},
		{"guest: no rule text", guest, []string{"paths", "/api/collections/posts/records", "get", "x-basalt-rule", "value"}, nil},
		{"guest: no hidden field", guest, []string{"components", "schemas", "posts_Record", "properties", "secret"}, nil},
		{"guest: no admin endpoints", guest, []string{"paths", "/api/collections"}, nil},
		{"superuser: all-null collection", full, []string{"paths", "/api/collections/secrets/records", "get", "operationId"}, "secrets_list"},
		{"superuser: rule text", full, []string{"paths", "/api/collections/posts/records", "get", "x-basalt-rule", "value"}, "published = true || author = @request.auth.id"},
		{"superuser: hidden field", full, []string{"components", "schemas", "posts_Record", "properties", "secret", "type"}, "string"},
		{"superuser: system collection", full, []string{"paths", "/api/collections/_superusers/auth-with-password", "post", "operationId"}, "_superusers_auth-with-password"},
	}
	for _, tc := range audience {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := json.Marshal(at(tc.doc, tc.path...))
			want, _ := json.Marshal(tc.want)
			if !bytes.Equal(got, want) {
				t.Fatalf("%s = %s, want %s", strings.Join(tc.path, "."), got, want)
			}
		})
	}

	t.Run("guest: no rule text anywhere", func(t *testing.T) {
		for _, rule := range []string{"author = @request.auth.id", "id = @request.auth.id", `@request.auth.id != \"\"`} {
			if bytes.Contains(guestRaw, []byte(rule)) {
				t.Errorf("the guests' document contains the rule text %q", rule)
			}
			if !bytes.Contains(suRaw, []byte(rule)) {
				t.Errorf("the superusers' document lacks the rule text %q", rule)
			}
		}
	})

	t.Run("real answers match the document", func(t *testing.T) {
		user := exchange(t, srv, v, "POST", "/api/collections/users/records", "", map[string]any{
			"email": "u@example.com", "password": "password123", "passwordConfirm": "password123", "name": "U",
		}, 200)
		auth := exchange(t, srv, v, "POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": "u@example.com", "password": "password123"}, 200)
		token := auth["token"].(string)
		tag := exchange(t, srv, v, "POST", "/api/collections/tags/records", su, map[string]any{"name": "go"}, 200)
		post := exchange(t, srv, v, "POST", "/api/collections/posts/records?expand=author,tags", token, map[string]any{
			"title": "hello", "status": "live", "labels": []string{"news"}, "author": user["id"], "tags": []any{tag["id"]},
			"score": 5, "published": true, "meta": map[string]any{"a": 1}, "location": map[string]any{"lon": 1.5, "lat": 2.5},
		}, 200)
		id := post["id"].(string)
		exchange(t, srv, v, "GET", "/api/collections/posts/records?perPage=5&sort=-created&expand=author,tags", token, nil, 200)
		exchange(t, srv, v, "GET", "/api/collections/posts/records/"+id+"?expand=author", "", nil, 200)
		exchange(t, srv, v, "PATCH", "/api/collections/posts/records/"+id, token, map[string]any{"labels+": "howto", "score+": 1}, 200)
		exchange(t, srv, v, "GET", "/api/collections/users/records/"+user["id"].(string), token, nil, 200)
		exchange(t, srv, v, "GET", "/api/collections/post_titles/records?skipTotal=true", "", nil, 200)
		exchange(t, srv, v, "POST", "/api/collections/users/auth-refresh", token, nil, 200)
		exchange(t, srv, v, "GET", "/api/collections/users/auth-methods", "", nil, 200)
		exchange(t, srv, v, "POST", "/api/collections/posts/records", token, map[string]any{"status": "nope"}, 400)
		exchange(t, srv, v, "GET", "/api/health", "", nil, 200)
		// the guests' document describes what guests get
		exchange(t, srv, vg, "GET", "/api/collections/tags/records", "", nil, 200)
		exchange(t, srv, vg, "GET", "/api/collections/posts/records/"+id+"?expand=tags", "", nil, 200)
		exchange(t, srv, v, "DELETE", "/api/collections/posts/records/"+id, su, nil, 204)
	})

	t.Run("a schema change regenerates the document", func(t *testing.T) {
		st, col := srv.Do("GET", "/api/collections/posts", su, nil)
		if st != 200 {
			t.Fatalf("view posts: %d %v", st, col)
		}
		fields := append(col["fields"].([]any), map[string]any{"name": "mood", "type": "select", "maxSelect": 1, "values": []string{"happy", "sad"}})
		if st, body := srv.Do("PATCH", "/api/collections/posts", su, map[string]any{"listRule": "published = true", "fields": fields}); st != 200 {
			t.Fatalf("update posts: %d %v", st, body)
		}
		if st, body := srv.Do("POST", "/api/collections", su, map[string]any{"name": "notes", "type": "base", "listRule": "", "fields": []any{map[string]any{"name": "text", "type": "text"}}}); st != 200 {
			t.Fatalf("create notes: %d %v", st, body)
		}
		raw, doc := getDoc(t, srv, su)
		newValidator(t, raw)
		_, guestDoc := getDoc(t, srv, "")
		checks := []struct {
			name string
			doc  map[string]any
			path []string
			want any
		}{
			{"new field with its enum", doc, []string{"components", "schemas", "posts_Record", "properties", "mood", "enum"}, []any{"happy", "sad", ""}},
			{"new rule text", doc, []string{"paths", "/api/collections/posts/records", "get", "x-basalt-rule", "value"}, "published = true"},
			{"new collection for superusers", doc, []string{"paths", "/api/collections/notes/records", "get", "operationId"}, "notes_list"},
			{"new collection for guests", guestDoc, []string{"paths", "/api/collections/notes/records", "get", "operationId"}, "notes_list"},
			{"null create rule left out for guests", guestDoc, []string{"paths", "/api/collections/notes/records", "post"}, nil},
		}
		for _, tc := range checks {
			got, _ := json.Marshal(at(tc.doc, tc.path...))
			want, _ := json.Marshal(tc.want)
			if !bytes.Equal(got, want) {
				t.Errorf("%s: %s = %s, want %s", tc.name, strings.Join(tc.path, "."), got, want)
			}
		}
		if st, body := srv.Do("DELETE", "/api/collections/notes", su, nil); st != 204 {
			t.Fatalf("delete notes: %d %v", st, body)
		}
		if _, doc := getDoc(t, srv, su); at(doc, "paths", "/api/collections/notes/records") != nil {
			t.Fatal("a deleted collection is still in the document")
		}
	})
}
