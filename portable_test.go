package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

// TestExportImportRoundTrip (issue #26): a SQLite database exported and
// imported into PostgreSQL, then exported from there and imported into a
// fresh SQLite data dir, answers the API identically at every step:
// records of several field kinds, a relation expand, an uploaded file,
// and logins with the passwords set at the start.
func TestExportImportRoundTrip(t *testing.T) {
	pgDSN := pgtest.DSN(t)
	bin := buildBinary(t)
	root := t.TempDir()
	dirA, dirB, dirC := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "c")
	if out, err := run(t, bin, nil, "superuser", "upsert", "su@example.com", "password123", "--dir", dirA); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	srv, base := startServeArgs(t, bin, "--dir", dirA)
	token := login(t, base, "_superusers", "su@example.com", "password123")
	if st, b, _ := postJSON(base+"/api/collections", token, map[string]any{"name": "notes", "listRule": "", "viewRule": "",
		"fields": []any{
			map[string]any{"name": "title", "type": "text"},
			map[string]any{"name": "n", "type": "number"},
			map[string]any{"name": "done", "type": "bool"},
			map[string]any{"name": "meta", "type": "json"},
			map[string]any{"name": "tags", "type": "select", "values": []string{"a", "b", "c"}, "maxSelect": 2},
			map[string]any{"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
			map[string]any{"name": "doc", "type": "file", "maxSelect": 1, "maxSize": 1000},
		}}); st != 200 {
		t.Fatalf("create notes: %d %v", st, b)
	}
	st, user, _ := postJSON(base+"/api/collections/users/records", "", map[string]any{"email": "u@example.com", "password": "userpass123", "passwordConfirm": "userpass123", "name": "U"})
	if st != 200 {
		t.Fatalf("create user: %d %v", st, user)
	}
	for _, n := range []map[string]any{
		{"title": "one", "n": 1.5, "done": true, "meta": map[string]any{"k": []any{1, "x"}}, "tags": []string{"a", "c"}, "owner": user["id"]},
		{"title": "two", "n": -3, "done": false, "tags": []string{}},
	} {
		if st, b, _ := postJSON(base+"/api/collections/notes/records", token, n); st != 200 {
			t.Fatalf("create note: %d %v", st, b)
		}
	}
	uploadNote(t, base, token, "three", "hello.txt", "file body")
	want := answers(t, base)
	srv.Process.Kill()
	srv.Wait()

	step := func(name, fromDir string, fromDB []string, toDir string, toDB []string) string {
		t.Helper()
		archive := filepath.Join(root, name+".zip")
		if out, err := run(t, bin, nil, append([]string{"export", archive, "--dir", fromDir}, fromDB...)...); err != nil {
			t.Fatalf("export: %v\n%s", err, out)
		}
		if out, err := run(t, bin, nil, append([]string{"import", archive, "--dir", toDir}, toDB...)...); err != nil {
			t.Fatalf("import: %v\n%s", err, out)
		}
		srv, base := startServeArgs(t, bin, append([]string{"--dir", toDir}, toDB...)...)
		if got := answers(t, base); got != want {
			t.Fatalf("%s: API answers differ\n got %s\nwant %s", name, got, want)
		}
		login(t, base, "_superusers", "su@example.com", "password123")
		login(t, base, "users", "u@example.com", "userpass123")
		srv.Process.Kill()
		srv.Wait()
		return archive
	}
	step("sqlite-to-postgres", dirA, nil, dirB, []string{"--db", pgDSN})
	step("postgres-to-sqlite", dirB, []string{"--db", pgDSN}, dirC, nil)

	// Importing into a database that is not empty is refused.
	if out, err := run(t, bin, nil, "import", filepath.Join(root, "postgres-to-sqlite.zip"), "--dir", dirC); err == nil || !bytes.Contains([]byte(out), []byte("not empty")) {
		t.Fatalf("import into a non-empty database: %v\n%s", err, out)
	}
}

func login(t *testing.T, base, collection, email, password string) string {
	t.Helper()
	st, b, err := postJSON(base+"/api/collections/"+collection+"/auth-with-password", "", map[string]any{"identity": email, "password": password})
	if err != nil || st != 200 {
		t.Fatalf("login %s: %d %v %v", email, st, b, err)
	}
	return b["token"].(string)
}

func uploadNote(t *testing.T, base, token, title, filename, body string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", title)
	fw, _ := mw.CreateFormFile("doc", filename)
	_, _ = fw.Write([]byte(body))
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/collections/notes/records", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload: %v %v", err, resp)
	}
	resp.Body.Close()
}

// answers is what the API says about the notes: the list with the owner
// expanded, and the uploaded file's bytes.
func answers(t *testing.T, base string) string {
	t.Helper()
	get := func(url string) []byte {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
		}
		return b
	}
	list := get(base + "/api/collections/notes/records?sort=title&expand=owner")
	var env struct {
		Items []struct {
			Id  string `json:"id"`
			Doc string `json:"doc"`
		} `json:"items"`
	}
	if err := jsonUnmarshal(list, &env); err != nil {
		t.Fatal(err)
	}
	out := string(list)
	for _, it := range env.Items {
		if it.Doc != "" {
			out += "\nfile: " + string(get(base+"/api/files/notes/"+it.Id+"/"+it.Doc))
		}
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
