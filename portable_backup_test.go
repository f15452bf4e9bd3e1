package main

import (
	"archive/zip"
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
)

// TestPostgresBackupRestoreInPlace (issue #26 item 3): on PostgreSQL a
// backup is a portable archive; restoring it through the API loads it in
// place, so the same server process answers with the backed-up data at
// once (records, a relation expand, a file, logins), the changes made
// since are gone, and an archive that passes the check but fails to load
// (a duplicate record id) changes nothing.
func TestPostgresBackupRestoreInPlace(t *testing.T) {
	pgDSN := pgtest.DSN(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	db := []string{"--dir", dir, "--db", pgDSN}
	if out, err := run(t, bin, nil, append([]string{"superuser", "upsert", "su@example.com", "password123"}, db...)...); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	srv, base := startServeArgs(t, bin, db...)
	token := login(t, base, "_superusers", "su@example.com", "password123")
	st, notes, _ := postJSON(base+"/api/collections", token, map[string]any{"name": "notes", "listRule": "", "viewRule": "",
		"fields": []any{
			map[string]any{"name": "title", "type": "text"},
			map[string]any{"name": "owner", "type": "relation", "collectionId": "_pb_users_auth_", "maxSelect": 1},
			map[string]any{"name": "doc", "type": "file", "maxSelect": 1, "maxSize": 1000},
		}})
	if st != 200 {
		t.Fatalf("create notes: %d %v", st, notes)
	}
	st, user, _ := postJSON(base+"/api/collections/users/records", "", map[string]any{"email": "u@example.com", "password": "userpass123", "passwordConfirm": "userpass123"})
	if st != 200 {
		t.Fatalf("create user: %d %v", st, user)
	}
	if st, b, _ := postJSON(base+"/api/collections/notes/records", token, map[string]any{"title": "one", "owner": user["id"]}); st != 200 {
		t.Fatalf("create note: %d %v", st, b)
	}
	uploadNote(t, base, token, "two", "hello.txt", "file body")
	want := answers(t, base)
	if st, b, _ := postJSON(base+"/api/backups", token, map[string]any{"name": "snap.zip"}); st != 204 {
		t.Fatalf("create backup: %d %v", st, b)
	}

	// Changes after the backup.
	uploadNote(t, base, token, "three", "later.txt", "later body")
	if st, b, _ := postJSON(base+"/api/collections", token, map[string]any{"name": "later", "fields": []any{}}); st != 200 {
		t.Fatalf("create collection: %d %v", st, b)
	}
	changed := answers(t, base)
	if changed == want {
		t.Fatal("the changes after the backup changed nothing")
	}
	statusOf := func(method, path string) int {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, nil)
		req.Header.Set("Authorization", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	// An archive that passes the check but fails to load: nothing changes.
	archive := downloadBackup(t, base, token, "snap.zip")
	uploadBackup(t, base, token, "dup.zip", duplicateFirstRecord(t, archive, "records/"+notes["id"].(string)+".jsonl"))
	if st, b, _ := postJSON(base+"/api/backups/dup.zip/restore", token, map[string]any{}); st != 400 || !strings.HasPrefix(b["message"].(string), "Failed to restore backup") {
		t.Fatalf("restore of a failing archive: %d %v", st, b)
	}
	if got := answers(t, base); got != changed {
		t.Fatalf("a failed restore changed the data\n got %s\nwant %s", got, changed)
	}
	if st := statusOf("GET", "/api/collections/later"); st != 200 {
		t.Fatalf("a failed restore dropped a collection: %d", st)
	}

	// The CLI restore is refused while a server runs on the data dir (it
	// could not reload that server's caches).
	if out, err := run(t, bin, nil, append([]string{"backup", "restore", "snap.zip"}, db...)...); err == nil || !strings.Contains(out, "in use by a running server") {
		t.Fatalf("CLI restore while serving: %v\n%s", err, out)
	}
	if got := answers(t, base); got != changed {
		t.Fatal("a refused CLI restore changed the data")
	}
	if st, b, _ := postJSON(base+"/api/backups/snap.zip/restore", token, map[string]any{}); st != 204 {
		t.Fatalf("restore: %d %v", st, b)
	}
	if got := answers(t, base); got != want {
		t.Fatalf("after the restore\n got %s\nwant %s", got, want)
	}
	if st := statusOf("GET", "/api/collections/later"); st != 404 {
		t.Fatalf("a collection created after the backup survived the restore: %d", st)
	}
	login(t, base, "users", "u@example.com", "userpass123")
	// The same process serves (no restart) and backups run again.
	if srv.ProcessState != nil {
		t.Fatal("the server exited")
	}
	if st, b, _ := postJSON(base+"/api/backups", token, map[string]any{"name": "after.zip"}); st != 204 {
		t.Fatalf("backup after the restore: %d %v", st, b)
	}
}

func downloadBackup(t *testing.T, base, token, key string) []byte {
	t.Helper()
	st, ft, _ := postJSON(base+"/api/files/token", token, map[string]any{})
	if st != 200 {
		t.Fatalf("file token: %d %v", st, ft)
	}
	resp, err := http.Get(base + "/api/backups/" + key + "?token=" + ft["token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("download %s: %d %s", key, resp.StatusCode, b)
	}
	return b
}

func uploadBackup(t *testing.T, base, token, name string, archive []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(archive)
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/backups/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("upload %s: %d", name, resp.StatusCode)
	}
}

// duplicateFirstRecord copies archive with the first line of the entry
// records repeated (the same record id twice).
func duplicateFirstRecord(t *testing.T, archive []byte, records string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == records {
			first, _, _ := bytes.Cut(b, []byte("\n"))
			b = append(append(b, first...), '\n')
			found = true
		}
		w, _ := zw.Create(f.Name)
		_, _ = w.Write(b)
	}
	zw.Close()
	if !found {
		t.Fatalf("no %s in the archive", records)
	}
	return out.Bytes()
}
