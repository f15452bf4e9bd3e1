package server

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpenPortable: the check of an uploaded archive before a PostgreSQL
// restore never panics, and accepts an archive only with a manifest of the
// supported format (whatever the zip holds).
func FuzzOpenPortable(f *testing.F) {
	mk := func(files map[string]string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, body := range files {
			w, _ := zw.Create(name)
			w.Write([]byte(body))
		}
		zw.Close()
		return buf.Bytes()
	}
	cols := `[{"id":"c1","name":"a","type":"base","fields":[]}]`
	f.Add(mk(map[string]string{portableManifest: `{"format":"` + portableFormat + `","collections":` + cols + `}`, "records/c1.jsonl": "{\"id\":\"x\"}\n"}))
	f.Add(mk(map[string]string{portableManifest: `{"format":"other"}`}))
	f.Add(mk(map[string]string{"data.db": "SQLite format 3\x00"}))
	f.Add([]byte("PK\x03\x04"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, archive []byte) {
		p := filepath.Join(dir, "a.zip")
		if err := os.WriteFile(p, archive, 0o600); err != nil {
			t.Fatal(err)
		}
		a, err := openPortable(p)
		if err != nil {
			return
		}
		defer a.Close()
		if a.doc.Format != portableFormat || a.entries[portableManifest] == nil {
			t.Fatalf("accepted an archive without a supported manifest: %+v", a.doc)
		}
	})
}
