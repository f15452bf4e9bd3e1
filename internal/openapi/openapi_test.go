package openapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/openapi"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixture is the small schema of testdata/schema.json: every field kind,
// relations, a hidden field, an auth collection and a collection whose
// rules are all null.
func fixture(t *testing.T) []*core.Collection {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	cols := make([]*core.Collection, 0, len(list))
	for _, r := range list {
		c := &core.Collection{}
		if err := c.UnmarshalJSON(r); err != nil {
			t.Fatalf("fixture: %v", err)
		}
		cols = append(cols, c)
	}
	return cols
}

// Validate checks doc against the OpenAPI 3.1 meta-schema with
// pb33f/libopenapi-validator and returns the problems (none when valid).
func validate(t *testing.T, doc []byte) []string {
	t.Helper()
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	v, errs := validator.NewValidator(d)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	ok, verrs := v.ValidateDocument()
	var out []string
	for _, e := range verrs {
		out = append(out, e.Message+": "+e.Reason)
		for _, se := range e.SchemaValidationErrors {
			out = append(out, "  "+se.FieldPath+" "+se.KeywordLocation+" "+se.Reason)
		}
	}
	if !ok && len(out) == 0 {
		out = append(out, "invalid")
	}
	return out
}

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	cols := fixture(t)
	for _, tc := range []struct {
		name string
		su   bool
	}{{"guest", false}, {"superuser", true}} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := openapi.Generate(cols, openapi.Options{Superuser: tc.su})
			if err != nil {
				t.Fatal(err)
			}
			if probs := validate(t, doc); len(probs) > 0 {
				t.Fatalf("invalid document:\n%s", strings.Join(probs, "\n"))
			}
		})
	}
}

// TestValidatorRejectsBrokenDocument shows the validator is real: the same
// document with one type misspelt fails.
func TestValidatorRejectsBrokenDocument(t *testing.T) {
	doc, err := openapi.Generate(fixture(t), openapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	broken := bytes.Replace(doc, []byte(`"openapi": "3.1.0"`), []byte(`"openapi": 31`), 1)
	if probs := validate(t, broken); len(probs) == 0 {
		t.Fatal("a document with a numeric openapi version passed validation")
	}
}

func TestGolden(t *testing.T) {
	doc, err := openapi.Generate(fixture(t), openapi.Options{Superuser: true, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "superuser.golden.json")
	if *update {
		if err := os.WriteFile(path, append(doc, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(doc, '\n'), want) {
		t.Fatal("document differs from testdata/superuser.golden.json (go test -run TestGolden -update rewrites it)")
	}
}

// at walks a decoded document by keys.
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

func TestDocumentDescribesSchema(t *testing.T) {
	cols := fixture(t)
	docs := map[bool]map[string]any{}
	for _, su := range []bool{false, true} {
		raw, err := openapi.Generate(cols, openapi.Options{Superuser: su})
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		docs[su] = m
	}
	rec := []string{"components", "schemas", "posts_Record", "properties"}
	tests := []struct {
		name string
		su   bool
		path []string
		want any // nil: absent; "present": any value
	}{
		{"select values as enum", false, append(rec, "status", "enum"), []any{"draft", "live", ""}},
		{"multi select items enum", false, append(rec, "labels", "items", "enum"), []any{"news", "howto", "opinion"}},
		{"multi select max", false, append(rec, "labels", "maxItems"), 3.0},
		{"integer number", false, append(rec, "score", "type"), "integer"},
		{"geo point", false, append(rec, "location", "$ref"), "#/components/schemas/GeoPoint"},
		{"relation is an id", false, append(rec, "author", "type"), "string"},
		{"relation expands to the target", false, append(rec, "expand", "properties", "author", "$ref"), "#/components/schemas/users_Record"},
		{"multi relation expands to a list", false, append(rec, "expand", "properties", "tags", "items", "$ref"), "#/components/schemas/tags_Record"},
		{"file is a file name", false, append(rec, "cover", "type"), "string"},
		{"multipart file upload", false, []string{"components", "schemas", "posts_CreateForm", "properties", "attachments", "items", "contentMediaType"}, "application/octet-stream"},
		{"json body has no file", false, []string{"components", "schemas", "posts_Create", "properties", "cover"}, nil},
		{"hidden field omitted for guests", false, append(rec, "secret"), nil},
		{"hidden field shown to superusers", true, append(rec, "secret", "type"), "string"},
		{"hidden field never required (superusers only)", true, []string{"components", "schemas", "posts_Record", "required"}, []any{"collectionId", "collectionName", "id", "title", "body", "contact", "site", "score", "published", "publishedAt", "status", "labels", "cover", "attachments", "author", "tags", "meta", "location", "created", "updated"}},
		{"password never in a record", true, []string{"components", "schemas", "users_Record", "properties", "password"}, nil},
		{"tokenKey never in a record", true, []string{"components", "schemas", "users_Record", "properties", "tokenKey"}, nil},
		{"password write-only in create", false, []string{"components", "schemas", "users_Create", "properties", "password", "writeOnly"}, true},
		{"email optional in a record", false, []string{"components", "schemas", "users_Record", "required"}, []any{"collectionId", "collectionName", "id", "emailVisibility", "verified", "name", "avatar", "created", "updated"}},
		{"update modifiers", false, []string{"components", "schemas", "posts_Update", "properties", "labels+", "description"}, "Values to append."},
		{"all-null collection hidden from guests", false, []string{"paths", "/api/collections/secrets/records"}, nil},
		{"all-null collection shown to superusers", true, []string{"paths", "/api/collections/secrets/records", "get", "operationId"}, "secrets_list"},
		{"null-rule operation hidden from guests", false, []string{"paths", "/api/collections/posts/records/{id}", "delete"}, nil},
		{"null-rule operation marked for superusers", true, []string{"paths", "/api/collections/posts/records/{id}", "delete", "description"}, "**Superusers only** (the deleteRule is null)."},
		{"rule text for superusers", true, []string{"paths", "/api/collections/posts/records", "get", "x-basalt-rule", "value"}, "published = true || author = @request.auth.id"},
		{"no rule text for guests", false, []string{"paths", "/api/collections/posts/records", "get", "x-basalt-rule", "value"}, nil},
		{"empty rule is public", false, []string{"paths", "/api/collections/tags/records", "get", "description"}, "Returns a page of the records the list rule lets the caller see (the others are left out, not refused).\n\nOpen to everyone (the listRule is empty)."},
		{"password auth enabled", false, []string{"paths", "/api/collections/users/auth-with-password", "post", "operationId"}, "users_auth-with-password"},
		{"otp enabled", false, []string{"paths", "/api/collections/users/auth-with-otp", "post", "operationId"}, "users_auth-with-otp"},
		{"oauth2 disabled", false, []string{"paths", "/api/collections/users/auth-with-oauth2"}, nil},
		{"admin endpoints for superusers", true, []string{"paths", "/api/settings", "get", "operationId"}, "settingsView"},
		{"no admin endpoints for guests", false, []string{"paths", "/api/settings"}, nil},
		{"view collection: list", false, []string{"paths", "/api/collections/post_titles/records", "get", "operationId"}, "post_titles_list"},
		{"view collection: no create", true, []string{"paths", "/api/collections/post_titles/records", "post"}, nil},
		{"view collection: no body schema", true, []string{"components", "schemas", "post_titles_Create"}, nil},
		{"bearer scheme", false, []string{"components", "securitySchemes", "bearerAuth", "scheme"}, "bearer"},
		{"error shape", false, []string{"components", "schemas", "Error", "required"}, []any{"status", "message", "data"}},
		{"filter grammar", false, []string{"components", "parameters", "filter", "name"}, "filter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := at(docs[tc.su], tc.path...)
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(tc.want)
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Fatalf("%s = %s, want %s", strings.Join(tc.path, "."), gotJSON, wantJSON)
			}
		})
	}
	if g := at(docs[false], "info", "description").(string); !strings.Contains(g, "?=") || !strings.Contains(g, "@request.auth") {
		t.Fatalf("info.description does not describe the filter grammar: %q", g)
	}
}
