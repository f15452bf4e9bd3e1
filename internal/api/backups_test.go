package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// backupDo sends a request with an optional body and content type.
func backupDo(t *testing.T, s *testenv.Server, method, path, token, ctype string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, body)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, raw
}

func backupKeys(t *testing.T, s *testenv.Server, su string) []string {
	t.Helper()
	st, _, raw := backupDo(t, s, "GET", "/api/backups", su, "", nil)
	if st != 200 {
		t.Fatalf("list backups: %d %s", st, raw)
	}
	var list []struct {
		Key      string `json:"key"`
		Size     int64  `json:"size"`
		Modified string `json:"modified"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	keys := []string{}
	for _, b := range list {
		if b.Size <= 0 || !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(b.Modified) {
			t.Fatalf("backup item %+v: want a size and an API datetime", b)
		}
		keys = append(keys, b.Key)
	}
	sort.Strings(keys)
	return keys
}

func uploadBody(t *testing.T, filename string, content []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(content)
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func fileToken(t *testing.T, s *testenv.Server, auth string) string {
	t.Helper()
	st, body := s.Do("POST", "/api/files/token", auth, nil)
	if st != 200 {
		t.Fatalf("file token: %d %v", st, body)
	}
	return body["token"].(string)
}

func noScratch(t *testing.T, s *testenv.Server) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(s.Dir, core.TempDirName))
	if len(entries) > 0 {
		t.Fatalf("scratch files left behind: %v", entries)
	}
}

// TestBackupsAPI drives spec §1.11 K1–K6: who may call, PocketBase's
// names, statuses and error shapes, and that bad input changes nothing.
func TestBackupsAPI(t *testing.T) {
	var created []string
	s := testenv.StartServer(t, func(app *core.App) error {
		app.SetBackupLimits(core.BackupLimits{MaxArchiveSize: 1 << 20})
		app.OnBackupCreate().BindFunc(func(e *core.BackupEvent) error {
			created = append(created, e.Name)
			return e.Next()
		})
		return nil
	})
	su := s.Superuser("admin@example.com", "password123")
	if st, b := s.Do("PATCH", "/api/collections/users", su, map[string]any{"createRule": ""}); st != 200 {
		t.Fatalf("users createRule: %d %v", st, b)
	}
	user, _ := userToken(t, s, "alice@example.com")

	// Who may call.
	for _, tt := range []struct {
		name, method, path, token string
		want                      int
	}{
		{"list anonymous", "GET", "/api/backups", "", 401},
		{"list as user", "GET", "/api/backups", user, 403},
		{"create as user", "POST", "/api/backups", user, 403},
		{"delete as user", "DELETE", "/api/backups/x.zip", user, 403},
		{"restore anonymous", "POST", "/api/backups/x.zip/restore", "", 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if st, _, raw := backupDo(t, s, tt.method, tt.path, tt.token, "", nil); st != tt.want {
				t.Fatalf("%s %s = %d %s, want %d", tt.method, tt.path, st, raw, tt.want)
			}
		})
	}
	if got := backupKeys(t, s, su); len(got) != 0 {
		t.Fatalf("fresh list = %v, want []", got)
	}

	// Create: named, generated, and refused names.
	if st, body := s.Do("POST", "/api/backups", su, map[string]any{"name": "first.zip"}); st != 204 {
		t.Fatalf("create first.zip: %d %v", st, body)
	}
	if st, body := s.Do("POST", "/api/backups", su, map[string]any{}); st != 204 {
		t.Fatalf("create unnamed: %d %v", st, body)
	}
	keys := backupKeys(t, s, su)
	if len(keys) != 2 || keys[0] != "first.zip" || !regexp.MustCompile(`^pb_backup_acme_\d{14}\.zip$`).MatchString(keys[1]) {
		t.Fatalf("keys = %v, want first.zip and pb_backup_acme_<time>.zip", keys)
	}
	for _, tt := range []struct{ name, backup, code string }{
		{"exists", "first.zip", "validation_backup_name_exists"},
		{"parent dir", "../first.zip", "validation_match_invalid"},
		{"separator", "a/b.zip", "validation_match_invalid"},
		{"dots", "..zip", "validation_match_invalid"},
		{"upper case", "Backup.zip", "validation_match_invalid"},
		{"not zip", "backup.tar", "validation_match_invalid"},
		{"too long", strings.Repeat("a", 148) + ".zip", "validation_length_out_of_range"},
	} {
		t.Run("create "+tt.name, func(t *testing.T) {
			st, body := s.Do("POST", "/api/backups", su, map[string]any{"name": tt.backup})
			data, _ := body["data"].(map[string]any)
			name, _ := data["name"].(map[string]any)
			if st != 400 || body["message"] != "An error occurred while validating the submitted data." || name["code"] != tt.code {
				t.Fatalf("create %q = %d %v, want 400 %s", tt.backup, st, body, tt.code)
			}
		})
	}
	if got := backupKeys(t, s, su); len(got) != 2 {
		t.Fatalf("refused creates changed the list: %v", got)
	}
	if len(created) != 2 {
		t.Fatalf("OnBackupCreate fired %d times, want 2", len(created))
	}

	// Download with a file token.
	suFile := fileToken(t, s, su)
	userFile := fileToken(t, s, user)
	for _, tt := range []struct {
		name, path, auth string
		want             int
	}{
		{"no token", "/api/backups/first.zip", "", 403},
		{"header only", "/api/backups/first.zip", su, 403},
		{"user file token", "/api/backups/first.zip?token=" + userFile, "", 403},
		{"auth token as file token", "/api/backups/first.zip?token=" + su, "", 403},
		{"missing", "/api/backups/nope.zip?token=" + suFile, "", 404},
		{"dotted key", "/api/backups/..?token=" + suFile, "", 404},
	} {
		t.Run("download "+tt.name, func(t *testing.T) {
			if st, _, raw := backupDo(t, s, "GET", tt.path, tt.auth, "", nil); st != tt.want {
				t.Fatalf("GET %s = %d %s, want %d", tt.path, st, raw, tt.want)
			}
		})
	}
	st, hdr, archive := backupDo(t, s, "GET", "/api/backups/first.zip?token="+suFile, "", "", nil)
	if st != 200 || !strings.HasPrefix(hdr.Get("Content-Disposition"), "attachment") || !bytes.HasPrefix(archive, []byte("PK\x03\x04")) {
		t.Fatalf("download = %d %v (%d bytes)", st, hdr, len(archive))
	}
	if cc := hdr.Get("Cache-Control"); cc != "private, no-store" {
		t.Fatalf("download Cache-Control = %q: an archive must not be cached", cc)
	}

	// Upload.
	for _, tt := range []struct {
		name, filename string
		content        []byte
		want           int
		code           string
	}{
		{"exists", "first.zip", archive, 400, "validation_backup_name_exists"},
		{"not a zip", "text.zip", []byte("plain text, not an archive"), 400, "validation_invalid_mime_type"},
		{"oversized", "big.zip", append([]byte("PK\x03\x04"), make([]byte, 1<<20)...), 400, "validation_file_size_limit"},
		{"dots", "a..zip", archive, 400, "validation_invalid_name"},
		{"not .zip", "copy.txt", archive, 400, "validation_invalid_name"},
	} {
		t.Run("upload "+tt.name, func(t *testing.T) {
			body, ctype := uploadBody(t, tt.filename, tt.content)
			st, _, raw := backupDo(t, s, "POST", "/api/backups/upload", su, ctype, body)
			if st != tt.want || !strings.Contains(string(raw), tt.code) {
				t.Fatalf("upload %s = %d %s, want %d %s", tt.filename, st, raw, tt.want, tt.code)
			}
			noScratch(t, s)
		})
	}
	if st, _, raw := backupDo(t, s, "POST", "/api/backups/upload", su, "application/json", strings.NewReader("{}")); st != 400 {
		t.Fatalf("upload without a file = %d %s", st, raw)
	}
	body, ctype := uploadBody(t, "copy.zip", archive)
	if st, _, raw := backupDo(t, s, "POST", "/api/backups/upload", su, ctype, body); st != 204 {
		t.Fatalf("upload copy.zip = %d %s", st, raw)
	}
	if got := backupKeys(t, s, su); len(got) != 3 || got[0] != "copy.zip" {
		t.Fatalf("after upload keys = %v", got)
	}
	noScratch(t, s)

	// Restore answers PocketBase's errors for a missing backup.
	if st, body := s.Do("POST", "/api/backups/nope.zip/restore", su, nil); st != 400 || body["message"] != "Missing or invalid backup file." {
		t.Fatalf("restore missing = %d %v", st, body)
	}

	// Delete.
	if st, body := s.Do("DELETE", "/api/backups/nope.zip", su, nil); st != 400 || !strings.HasPrefix(body["message"].(string), "Invalid or already deleted backup file. Raw error:") {
		t.Fatalf("delete missing = %d %v", st, body)
	}
	if st, body := s.Do("DELETE", "/api/backups/copy.zip", su, nil); st != 204 {
		t.Fatalf("delete copy.zip = %d %v", st, body)
	}
	if got := backupKeys(t, s, su); len(got) != 2 {
		t.Fatalf("after delete keys = %v", got)
	}
}

// TestBackupsAPIBusy: while a backup runs, another create (or a restore)
// answers PocketBase's "try again later" and deleting the backup being
// written answers "in use"; neither changes anything.
func TestBackupsAPIBusy(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	s := testenv.StartServer(t, func(app *core.App) error {
		app.OnBackupCreate().BindFunc(func(e *core.BackupEvent) error {
			if e.Name == "slow.zip" {
				close(entered)
				<-release
			}
			return e.Next()
		})
		return nil
	})
	su := s.Superuser("admin@example.com", "password123")
	canBackup := func() any {
		_, body := s.Do("GET", "/api/health", su, nil)
		return body["data"].(map[string]any)["canBackup"]
	}
	if got := canBackup(); got != true {
		t.Fatalf("health canBackup before = %v, want true", got)
	}
	done := make(chan error, 1)
	go func() { _, err := s.App.CreateBackup(context.Background(), "slow.zip"); done <- err }()
	<-entered
	if got := canBackup(); got != false {
		t.Fatalf("health canBackup while a backup runs = %v, want false (as PocketBase)", got)
	}
	busy := "Try again later - another backup/restore process has already been started."
	if st, body := s.Do("POST", "/api/backups", su, map[string]any{"name": "second.zip"}); st != 400 || body["message"] != busy {
		t.Fatalf("second create = %d %v", st, body)
	}
	if st, body := s.Do("DELETE", "/api/backups/slow.zip", su, nil); st != 400 || body["message"] != "The backup is currently being used and cannot be deleted." {
		t.Fatalf("delete in use = %d %v", st, body)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := backupKeys(t, s, su); len(got) != 1 || got[0] != "slow.zip" {
		t.Fatalf("keys = %v, want only slow.zip", got)
	}
}

// TestBackupsS3: with settings.backups.s3 enabled, backups are created,
// listed, downloaded, uploaded and deleted in the bucket (a real S3
// server), and nothing is written to pb_data/backups.
func TestBackupsS3(t *testing.T) {
	endpoint, bucketDir := startS3(t, "basaltaccess", "basalt/secret+key", "backups")
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	s3 := map[string]any{"enabled": true, "bucket": "backups", "region": "us-east-1", "endpoint": endpoint,
		"accessKey": "basaltaccess", "secret": "basalt/secret+key", "forcePathStyle": true}
	if st, body := s.Do("PATCH", "/api/settings", su, map[string]any{"backups": map[string]any{"s3": s3}}); st != 200 {
		t.Fatalf("enable backups s3: %d %v", st, body)
	}
	if st, body := s.Do("POST", "/api/backups", su, map[string]any{"name": "in_s3.zip"}); st != 204 {
		t.Fatalf("create: %d %v", st, body)
	}
	if _, err := os.Stat(filepath.Join(bucketDir, "in_s3.zip")); err != nil {
		t.Fatalf("the archive is not in the bucket: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(s.Dir, core.BackupsDirName)); len(entries) != 0 {
		t.Fatalf("local backups written while S3 is enabled: %v", entries)
	}
	if got := backupKeys(t, s, su); len(got) != 1 || got[0] != "in_s3.zip" {
		t.Fatalf("keys = %v", got)
	}
	st, _, archive := backupDo(t, s, "GET", "/api/backups/in_s3.zip?token="+fileToken(t, s, su), "", "", nil)
	if st != 200 || !bytes.HasPrefix(archive, []byte("PK\x03\x04")) {
		t.Fatalf("download = %d (%d bytes)", st, len(archive))
	}
	body, ctype := uploadBody(t, "copy.zip", archive)
	if st, _, raw := backupDo(t, s, "POST", "/api/backups/upload", su, ctype, body); st != 204 {
		t.Fatalf("upload = %d %s", st, raw)
	}
	if st, body := s.Do("DELETE", "/api/backups/in_s3.zip", su, nil); st != 204 {
		t.Fatalf("delete = %d %v", st, body)
	}
	if got := backupKeys(t, s, su); len(got) != 1 || got[0] != "copy.zip" {
		t.Fatalf("keys after upload and delete = %v", got)
	}
	noScratch(t, s)
}

// TestBackupsAPIRestoreBusy: while a restore runs (here a restorer that
// waits), a second restore and a new backup answer "Try again later" and
// a restore the restorer refuses answers 400 and frees the lock.
func TestBackupsAPIRestoreBusy(t *testing.T) {
	entered := make(chan struct{}, 1)
	release := make(chan error)
	s := testenv.StartServer(t)
	s.App.SetBackupRestorer(func(ctx context.Context, name string) error {
		entered <- struct{}{}
		return <-release
	})
	su := s.Superuser("admin@example.com", "password123")
	if st, body := s.Do("POST", "/api/backups", su, map[string]any{"name": "snap.zip"}); st != 204 {
		t.Fatalf("create: %d %v", st, body)
	}
	first := make(chan int, 1)
	go func() {
		st, _ := s.Do("POST", "/api/backups/snap.zip/restore", su, nil)
		first <- st
	}()
	<-entered
	busy := "Try again later - another backup/restore process has already been started."
	if st, body := s.Do("POST", "/api/backups/snap.zip/restore", su, nil); st != 400 || body["message"] != busy {
		t.Fatalf("second restore = %d %v", st, body)
	}
	if st, body := s.Do("POST", "/api/backups", su, map[string]any{"name": "other.zip"}); st != 400 || body["message"] != busy {
		t.Fatalf("backup during a restore = %d %v", st, body)
	}
	release <- core.ErrBadArchive
	if st := <-first; st != 400 {
		t.Fatalf("refused restore = %d, want 400", st)
	}
	// The lock is free again.
	if st, body := s.Do("POST", "/api/backups", su, map[string]any{"name": "other.zip"}); st != 204 {
		t.Fatalf("backup after a refused restore = %d %v", st, body)
	}
}
