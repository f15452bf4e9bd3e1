package api_test

import (
	"bytes"
	"github.com/basalthq/basalt/internal/testenv/s3server"
	"image"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	_ "golang.org/x/image/webp" // image.Decode of WebP originals
)

// startS3 starts the real S3 server of internal/testenv/s3server for one
// test.
func startS3(t *testing.T, access, secret, bucket string) (string, string) {
	t.Helper()
	return s3server.Start(t, access, secret, bucket)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// bucketFiles lists the objects in the S3 server's bucket directory,
// skipping its dot-named bookkeeping.
func bucketFiles(root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") && p != root {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// TestFilesS3 round-trips uploads, downloads, thumbs, replacement and
// deletion through the API against a real S3 server, and the settings
// S3 test endpoint.
func TestFilesS3(t *testing.T) {
	endpoint, bucketDir := startS3(t, "basaltaccess", "basalt/secret+key", "files")
	s, su := fileFixture(t)
	s3 := map[string]any{"enabled": true, "bucket": "files", "region": "us-east-1", "endpoint": endpoint,
		"accessKey": "basaltaccess", "secret": "basalt/secret+key", "forcePathStyle": true}
	tests := []struct {
		name   string
		body   any
		want   int
		wantIn string
	}{
		{"storage ok", map[string]any{"filesystem": "storage"}, 204, ""},
		{"backups not enabled", map[string]any{"filesystem": "backups"}, 400, "S3 storage filesystem is not enabled"},
		{"unknown filesystem", map[string]any{"filesystem": "nope"}, 400, "validation_in_invalid"},
		{"missing filesystem", map[string]any{}, 400, "validation_required"},
	}
	if st, b := s.Do("POST", "/api/settings/test/s3", su, map[string]any{"filesystem": "storage"}); st != 400 || !strings.Contains(toJSON(b), "not enabled") {
		t.Fatalf("test before enabling: %d %v", st, b)
	}
	if st, b := s.Do("PATCH", "/api/settings", su, map[string]any{"s3": s3}); st != 200 {
		t.Fatalf("enable s3: %d %v", st, b)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, b := s.Do("POST", "/api/settings/test/s3", su, tc.body)
			if st != tc.want || !strings.Contains(toJSON(b), tc.wantIn) {
				t.Fatalf("got %d %v, want %d with %q", st, b, tc.want, tc.wantIn)
			}
		})
	}
	if st, _ := s.Do("POST", "/api/settings/test/s3", "", map[string]any{"filesystem": "storage"}); st != 401 {
		t.Fatalf("guest S3 test: %d, want 401", st)
	}

	img := encode(t, "png", 120, 80)
	status, rec := send(t, s, "POST", "/api/collections/docs/records", "", nil, part{"img", "photo.png", img}, part{"doc", "a.txt", []byte("alpha")})
	if status != 200 {
		t.Fatalf("upload: %d %v", status, rec)
	}
	prefix := rec["collectionId"].(string) + "/" + rec["id"].(string) + "/"
	want := []string{prefix + rec["doc"].(string), prefix + rec["img"].(string)}
	if got := bucketFiles(bucketDir); !slices.Equal(got, want) {
		t.Fatalf("bucket = %v, want %v", got, want)
	}
	if got := storageFiles(t, s); len(got) != 0 {
		t.Fatalf("local storage used while S3 is enabled: %v", got)
	}
	base := s.URL + "/api/files/" + prefix
	if resp, body := fetch(t, "GET", base+rec["img"].(string), nil); resp.StatusCode != 200 || !bytes.Equal(body, img) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, body := fetch(t, "GET", base+rec["doc"].(string), map[string]string{"Range": "bytes=1-3"}); resp.StatusCode != 206 || string(body) != "lph" {
		t.Fatalf("range: %d %q", resp.StatusCode, body)
	}
	resp, body := fetch(t, "GET", base+rec["img"].(string)+"?thumb=50x50", nil)
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(body)); err != nil || resp.StatusCode != 200 || cfg.Width != 50 || cfg.Height != 50 {
		t.Fatalf("thumb: %d %v %v", resp.StatusCode, cfg, err)
	}
	if got := bucketFiles(bucketDir); len(got) != 3 {
		t.Fatalf("thumb not cached in the bucket: %v", got)
	}

	// Replacing the image deletes the old one and its thumbs.
	status, rec = send(t, s, "PATCH", "/api/collections/docs/records/"+rec["id"].(string), "", nil, part{"img", "second.png", img})
	if status != 200 {
		t.Fatalf("replace: %d %v", status, rec)
	}
	want = []string{prefix + rec["doc"].(string), prefix + rec["img"].(string)}
	if got := bucketFiles(bucketDir); !slices.Equal(got, want) {
		t.Fatalf("after replace bucket = %v, want %v", got, want)
	}
	if st, _ := s.Do("DELETE", "/api/collections/docs/records/"+rec["id"].(string), "", nil); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	if got := bucketFiles(bucketDir); len(got) != 0 {
		t.Fatalf("bucket after delete: %v", got)
	}

	// A wrong secret fails the test endpoint; turning S3 off goes local.
	bad := maps.Clone(s3)
	bad["secret"] = "wrong"
	s.Do("PATCH", "/api/settings", su, map[string]any{"s3": bad})
	if st, b := s.Do("POST", "/api/settings/test/s3", su, map[string]any{"filesystem": "storage"}); st != 400 || !strings.Contains(toJSON(b), "Failed to test the S3 filesystem") {
		t.Fatalf("wrong secret: %d %v", st, b)
	}
	s.Do("PATCH", "/api/settings", su, map[string]any{"s3": map[string]any{"enabled": false}})
	if st, rec := send(t, s, "POST", "/api/collections/docs/records", "", nil, part{"doc", "local.txt", []byte("l")}); st != 200 || len(storageFiles(t, s)) != 1 {
		t.Fatalf("local after disabling S3: %d %v %v", st, rec, storageFiles(t, s))
	}
}
