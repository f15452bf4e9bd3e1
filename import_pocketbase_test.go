package main

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

// TestImportPocketBaseDataDir (issue #26 item 3): `basalt import DIR`
// loads a pb_data written by an unmodified PocketBase v0.36.8
// (testdata/pocketbase-pb_data.tar.gz, made by scripts/pbdata-fixture.sh)
// into an empty database of either engine, and the API then answers with
// its data: the list with the relation expanded, the view, the uploaded
// file's bytes, and logins with the passwords PocketBase hashed. The
// source dir is left as it was.
func TestImportPocketBaseDataDir(t *testing.T) {
	bin := buildBinary(t)
	src := extractFixture(t, filepath.Join("testdata", "pocketbase-pb_data.tar.gz"))
	before, err := os.ReadFile(filepath.Join(src, "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			args := []string{"--dir", filepath.Join(t.TempDir(), "pb_data")}
			if engine == "postgres" {
				args = append(args, "--db", pgtest.DSN(t))
			}
			out, err := run(t, bin, nil, append([]string{"import", src}, args...)...)
			if err != nil || !strings.Contains(out, "Imported") {
				t.Fatalf("import: %v\n%s", err, out)
			}
			srv, base := startServeArgs(t, bin, append([]string{}, args...)...)
			defer func() { srv.Process.Kill(); srv.Wait() }()

			// The expand needs the superuser: PocketBase's "users" view rule
			// lets a user see only itself.
			su := login(t, base, "_superusers", "su@example.com", "password123")
			var list struct {
				TotalItems int `json:"totalItems"`
				Items      []struct {
					Id         string `json:"id"`
					Title      string `json:"title"`
					Attachment string `json:"attachment"`
					Expand     struct {
						Author struct {
							Id    string `json:"id"`
							Name  string `json:"name"`
							Email string `json:"email"`
						} `json:"author"`
					} `json:"expand"`
				} `json:"items"`
			}
			decodeGet(t, base+"/api/collections/posts/records?expand=author", su, &list)
			if list.TotalItems != 1 || len(list.Items) != 1 {
				t.Fatalf("list: %+v", list)
			}
			p := list.Items[0]
			if p.Id != "p00000000000001" || p.Title != "hello" || p.Expand.Author.Id != "u00000000000001" || p.Expand.Author.Name != "Ursula" ||
				!strings.HasPrefix(p.Attachment, "note_") {
				t.Fatalf("post: %+v", p)
			}
			var view map[string]any
			decodeGet(t, base+"/api/collections/posts/records/p00000000000001", "", &view)
			if view["title"] != "hello" || view["author"] != "u00000000000001" || view["collectionName"] != "posts" {
				t.Fatalf("view: %v", view)
			}
			if got := getBody(t, base+"/api/files/posts/p00000000000001/"+p.Attachment, ""); got != "pocketbase file" {
				t.Fatalf("file: %q", got)
			}
			login(t, base, "users", "u@example.com", "userpass123")
			// PocketBase's storage metadata files are not carried over.
			sidecars, _ := filepath.Glob(filepath.Join(args[1], "storage", "*", "*", "*.attrs"))
			if len(sidecars) != 0 {
				t.Fatalf("PocketBase's .attrs files were imported: %v", sidecars)
			}
			if st, _, _ := postJSON(base+"/api/collections/users/auth-with-password", "", map[string]any{"identity": "u@example.com", "password": "wrong-password"}); st != 400 {
				t.Fatalf("login with a wrong password: %d", st)
			}
		})
	}
	// A directory without a data.db is refused with the reason.
	out, err := run(t, bin, nil, "import", t.TempDir(), "--dir", filepath.Join(t.TempDir(), "pb_data"))
	if err == nil || !strings.Contains(out, "not a data dir Basalt can import") {
		t.Fatalf("import of an empty dir: %v\n%s", err, out)
	}
	after, err := os.ReadFile(filepath.Join(src, "data.db"))
	if err != nil || string(after) != string(before) {
		t.Fatalf("the source data.db changed (%v)", err)
	}
}

// extractFixture unpacks the tar.gz fixture into a temp dir and returns
// its pb_data directory.
func extractFixture(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !filepath.IsLocal(h.Name) {
			t.Fatalf("fixture entry %q", h.Name)
		}
		dest := filepath.Join(root, h.Name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(dest, 0o755); err != nil {
				t.Fatal(err)
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dest, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return filepath.Join(root, "pb_data")
}

func getBody(t *testing.T, url, token string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

func decodeGet(t *testing.T, url, token string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(getBody(t, url, token)), v); err != nil {
		t.Fatal(err)
	}
}
