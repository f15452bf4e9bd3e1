package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/testenv"
)

// backupStorages starts a server per backup storage: the local
// pb_data/backups and a real S3 bucket (settings.backups.s3). list
// returns the archives the storage holds, read from its directory.
func backupStorages(t *testing.T) map[string]func(t *testing.T) (s *testenv.Server, su string, list func() []string) {
	return map[string]func(t *testing.T) (*testenv.Server, string, func() []string){
		"local": func(t *testing.T) (*testenv.Server, string, func() []string) {
			s := testenv.StartServer(t)
			su := s.Superuser("admin@example.com", "password123")
			return s, su, func() []string { return dirNames(t, filepath.Join(s.Dir, "backups")) }
		},
		"s3": func(t *testing.T) (*testenv.Server, string, func() []string) {
			endpoint, bucketDir := startS3(t, "basaltaccess", "basalt/secret+key", "backups")
			s := testenv.StartServer(t)
			su := s.Superuser("admin@example.com", "password123")
			s3 := map[string]any{"enabled": true, "bucket": "backups", "region": "us-east-1", "endpoint": endpoint,
				"accessKey": "basaltaccess", "secret": "basalt/secret+key", "forcePathStyle": true}
			if st, body := s.Do("PATCH", "/api/settings", su, map[string]any{"backups": map[string]any{"s3": s3}}); st != 200 {
				t.Fatalf("enable backups s3: %d %v", st, body)
			}
			return s, su, func() []string { return dirNames(t, bucketDir) }
		},
	}
}

// dirNames lists dir's visible entries, sorted ([] when dir is missing).
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names
}

// errorBody decodes a PocketBase error and checks its shape.
func errorBody(t *testing.T, status int, raw []byte) (message string, data map[string]any) {
	t.Helper()
	var body struct {
		Status  int            `json:"status"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Status != status || body.Data == nil {
		t.Fatalf("want PocketBase's error shape with status %d, got %s (%v)", status, raw, err)
	}
	return body.Message, body.Data
}

// TestBackupsMissingKey: on either storage, downloading, deleting or
// restoring a key that is not stored answers PocketBase's error (404 for
// the download, 400 otherwise) and changes nothing.
func TestBackupsMissingKey(t *testing.T) {
	for name, start := range backupStorages(t) {
		t.Run(name, func(t *testing.T) {
			s, su, stored := start(t)
			if st, body := s.Do("POST", "/api/backups", su, map[string]any{"name": "kept.zip"}); st != 204 {
				t.Fatalf("create: %d %v", st, body)
			}
			before := stored()
			if !slices.Equal(before, []string{"kept.zip"}) {
				t.Fatalf("stored = %v, want [kept.zip]", before)
			}
			token := fileToken(t, s, su)
			cases := []struct {
				name, method, path, auth string
				status                   int
				message                  string
			}{
				{"download", "GET", "/api/backups/missing.zip?token=" + token, "", 404, "The requested resource wasn't found."},
				{"download auto name", "GET", "/api/backups/%40auto_pb_backup_x_20200101000000.zip?token=" + token, "", 404, "The requested resource wasn't found."},
				{"delete", "DELETE", "/api/backups/missing.zip", su, 400, "Invalid or already deleted backup file. Raw error: \n"},
				{"delete auto name", "DELETE", "/api/backups/%40auto_pb_backup_x_20200101000000.zip", su, 400, "Invalid or already deleted backup file. Raw error: \n"},
				{"restore", "POST", "/api/backups/missing.zip/restore", su, 400, "Missing or invalid backup file."},
				{"restore auto name", "POST", "/api/backups/%40auto_pb_backup_x_20200101000000.zip/restore", su, 400, "Missing or invalid backup file."},
			}
			for _, c := range cases {
				st, _, raw := backupDo(t, s, c.method, c.path, c.auth, "", nil)
				if st != c.status {
					t.Fatalf("%s: status %d, want %d: %s", c.name, st, c.status, raw)
				}
				if msg, _ := errorBody(t, c.status, raw); !strings.HasPrefix(msg, c.message) {
					t.Fatalf("%s: message %q, want %q", c.name, msg, c.message)
				}
			}
			if got := stored(); !slices.Equal(got, before) {
				t.Fatalf("stored after bad requests = %v, want %v", got, before)
			}
			noScratch(t, s)
		})
	}
}

// TestBackupsEscapedKey: the SDK and the dashboard percent-encode keys
// (encodeURIComponent turns the "@" of automatic backups into %40); the
// download, delete and restore routes decode them, on either storage
// (they answered 404/400 for every automatic backup before).
func TestBackupsEscapedKey(t *testing.T) {
	const key = "@auto_pb_backup_x_20200101000000.zip"
	for name, start := range backupStorages(t) {
		t.Run(name, func(t *testing.T) {
			s, su, stored := start(t)
			if st, body := s.Do("POST", "/api/backups", su, map[string]any{"name": "src.zip"}); st != 204 {
				t.Fatalf("create: %d %v", st, body)
			}
			st, _, archive := backupDo(t, s, "GET", "/api/backups/src.zip?token="+fileToken(t, s, su), "", "", nil)
			if st != 200 {
				t.Fatalf("download src.zip = %d", st)
			}
			body, ctype := uploadBody(t, key, archive)
			if st, _, raw := backupDo(t, s, "POST", "/api/backups/upload", su, ctype, body); st != 204 {
				t.Fatalf("upload %s = %d %s", key, st, raw)
			}
			escaped := "/api/backups/%40" + strings.TrimPrefix(key, "@")
			st, _, got := backupDo(t, s, "GET", escaped+"?token="+fileToken(t, s, su), "", "", nil)
			if st != 200 || !bytes.Equal(got, archive) {
				t.Fatalf("download %s = %d (%d bytes), want 200 and the archive: %s", escaped, st, len(got), got)
			}
			var restored string
			s.App.SetBackupRestorer(func(ctx context.Context, name string) error {
				restored = name
				return errors.New("refused by the test")
			})
			st, _, raw := backupDo(t, s, "POST", escaped+"/restore", su, "", nil)
			if msg, _ := errorBody(t, 400, raw); st != 400 || restored != key || !strings.HasPrefix(msg, "Failed to restore backup") {
				t.Fatalf("restore %s = %d %s, restorer got %q; want the restorer called with %q", escaped, st, raw, restored, key)
			}
			if st, _, raw := backupDo(t, s, "DELETE", escaped, su, "", nil); st != 204 {
				t.Fatalf("delete %s = %d %s", escaped, st, raw)
			}
			if got := stored(); !slices.Equal(got, []string{"src.zip"}) {
				t.Fatalf("stored after delete = %v, want [src.zip]", got)
			}
		})
	}
}
