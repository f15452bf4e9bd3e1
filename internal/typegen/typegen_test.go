package typegen

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
)

var update = flag.Bool("update", false, "rewrite the golden file")

// fixture is the schema of the OpenAPI generator's tests (every field
// kind, relations, hidden and auth fields, a view); the e2e test compiles
// this output with tsc against the real SDK.
func fixture(t *testing.T) []*core.Collection {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "openapi", "testdata", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	var cols []*core.Collection
	for _, r := range list {
		c := &core.Collection{}
		if err := c.UnmarshalJSON(r); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	return cols
}

func TestGolden(t *testing.T) {
	got := Generate(fixture(t))
	path := filepath.Join("testdata", "schema.golden.ts")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("output differs from testdata/schema.golden.ts (go test -run TestGolden -update rewrites it)")
	}
}

func TestTypes(t *testing.T) {
	out := string(Generate(fixture(t)))
	tests := []struct {
		name, want string
		absent     bool
	}{
		{"select union", `export type PostsStatusOptions = "draft" | "live"`, false},
		{"single select may be empty", `status: PostsStatusOptions | ""`, false},
		{"multi select", `labels: PostsLabelsOptions[]`, false},
		{"relation id", `author: RecordIdString`, false},
		{"expand to the target", `author?: UsersResponse`, false},
		{"multi expand", `tags?: TagsResponse[]`, false},
		{"file upload on create", `cover?: File | Blob | FileNameString`, false},
		{"geo point", `location: GeoPoint`, false},
		{"json is unknown", `meta: unknown`, false},
		{"hidden field optional", "secret?: string", false},
		{"auth e-mail optional", "email?: string", false},
		{"password required on create", "\tpassword: string", false},
		{"update modifier", `"labels+"?: PostsLabelsOptions | (PostsLabelsOptions)[]`, false},
		{"typed client", `collection(idOrName: "posts"): RecordService<PostsResponse>`, false},
		{"by id too", `collection(idOrName: "pbc_posts"): RecordService<PostsResponse>`, false},
		{"no tokenKey", "tokenKey", true},
		{"no view create body", "PostTitlesCreate", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(out, tc.want) == tc.absent {
				t.Fatalf("output contains %q = %v, want %v", tc.want, !tc.absent, tc.absent)
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ in, want string }{
		{"posts", "Posts"},
		{"_superusers", "Superusers"},
		{"post_titles", "PostTitles"},
		{"9lives", "C9lives"},
	}
	for _, tc := range tests {
		if got := pascal(tc.in); got != tc.want {
			t.Errorf("pascal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// two names that collide get distinct type names
	names := typeNames([]*core.Collection{{Id: "a", Name: "my_posts"}, {Id: "b", Name: "myPosts"}, {Id: "c", Name: "record"}})
	if names["a"] == names["b"] || names["c"] == "Record" {
		t.Fatalf("names collide: %v", names)
	}
	if got := propKey("a-b"); got != `"a-b"` {
		t.Fatalf("propKey = %s", got)
	}
}
