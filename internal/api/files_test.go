package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	_ "golang.org/x/image/webp" // image.Decode of WebP originals

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// part is one multipart file part.
type part struct {
	field, name string
	data        []byte
}

// send issues a multipart request with plain fields and file parts and
// returns the status and decoded JSON body.
func send(t *testing.T, s *testenv.Server, method, path, token string, fields map[string]string, parts ...part) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.field, p.name))
		h.Set("Content-Type", "application/octet-stream")
		w, _ := mw.CreatePart(h)
		w.Write(p.data)
	}
	mw.Close()
	return sendRaw(t, s, method, path, token, mw.FormDataContentType(), buf.Bytes())
}

func sendRaw(t *testing.T, s *testenv.Server, method, path, token, ct string, body []byte) (int, map[string]any) {
	t.Helper()
	status, raw := rawDo(t, s, method, path, token, ct, bytes.NewReader(body))
	var out map[string]any
	json.Unmarshal([]byte(raw), &out)
	return status, out
}

// fetch GETs (or HEADs) a URL with extra headers, returning the response
// with its body read.
func fetch(t *testing.T, method, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// storageFiles lists every file under the storage dir, relative and sorted.
func storageFiles(t *testing.T, s *testenv.Server) []string {
	t.Helper()
	root := filepath.Join(s.Dir, "storage")
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func encode(t *testing.T, format string, w, h int) []byte {
	t.Helper()
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.White, color.Black, color.RGBA{255, 0, 0, 255}})
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.SetColorIndex(x, y, uint8((x/10+y/10)%3))
		}
	}
	var buf bytes.Buffer
	switch format {
	case "png":
		png.Encode(&buf, img)
	case "jpeg":
		jpeg.Encode(&buf, img, nil)
	case "gif":
		gif.EncodeAll(&buf, &gif.GIF{Image: []*image.Paletted{img, img}, Delay: []int{10, 10}})
	}
	return buf.Bytes()
}

// webp75x100 is gopher-doc.1bpp.lossless.webp from golang.org/x/image
// testdata (BSD licence): 75×100, lossless; base64 keeps fixtures text.
const webp75x100 = "" +
	"UklGRrIBAABXRUJQVlA4TKUBAAAvSsAYAA8w//M///MfeJAkbXvaSG7m8Q3GfYSBJekwQztm/IcZ" +
	"lgwnmWImn2BK7aFmBtnVir6q//8VOkFE/xm4baTIu8c48ArEo6+B3zFKYln3pqClSCKX0begFTAX" +
	"FOLXHSyF8cCNcZEG4OywuA4KVVfJCiArU7GAgJI8+lJP/OKMT/fBAjevg1cYB7YVkFuWga2lyPi5" +
	"I0HFy5YTpWIHg0RZpkniRVW9odHAKOwosWuOGdxIyn2OvaCDvhg/we6TwadPBPbqBV58MsLmMJ8y" +
	"ZnOWk8SRz4N+QoyPL+MnamzMvcE1rHNEr91F9GKZPVUcS9w7PhhH36suB9qPeYb/oLk6cuTiJ0wO" +
	"K3m5h1cKjW6EVZCYMK7dxcKCBdgP9HkKr9gkAO2P8GKZGWVdIAatQa+1IDpt6qyorVwdy01xdW8J" +
	"kfk6xjEXmVQQ+HQdFr6OKhIN34dXWq0+0qr6EJSCeeVLH9+gvGTLyqM65PQ44ihzlTXxQKjKbAvs" +
	"hXgir7Lil9w4L2bvMycmjQcqXaMCO6BlY28i+FOLzbfI1vEqxAhotocAAA=="

// pngBomb is a PNG header declaring 30000×30000 pixels and no pixel data.
func pngBomb() []byte {
	ihdr := []byte("IHDR\x00\x00\x75\x30\x00\x00\x75\x30\x08\x06\x00\x00\x00")
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	out.Write(ihdr)
	crc := crc32IEEE(ihdr)
	out.Write([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	return out.Bytes()
}

func crc32IEEE(b []byte) uint32 {
	crc := ^uint32(0)
	for _, c := range b {
		crc ^= uint32(c)
		for i := 0; i < 8; i++ {
			if crc&1 == 1 {
				crc = crc>>1 ^ 0xedb88320
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

// fileFixture is a server with a public "docs" collection holding a
// single file, a multiple file list and a thumbable image field.
func fileFixture(t *testing.T) (*testenv.Server, string) {
	t.Helper()
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	status, body := s.Do("POST", "/api/collections", su, map[string]any{
		"name": "docs", "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
		"fields": []any{
			map[string]any{"name": "title", "type": "text"},
			map[string]any{"name": "doc", "type": "file", "maxSelect": 1, "maxSize": 4000},
			map[string]any{"name": "files", "type": "file", "maxSelect": 3, "maxSize": 4000},
			map[string]any{"name": "img", "type": "file", "maxSelect": 1, "maxSize": 1 << 20,
				"mimeTypes": []string{"image/png", "image/jpeg", "image/gif", "image/webp"},
				"thumbs":    []string{"50x50", "40x0", "0x20", "60x30f", "30x30t"}},
		},
	})
	if status != 200 {
		t.Fatalf("create collection: %d %v", status, body)
	}
	return s, su
}

func names(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		if x != "" {
			out = append(out, x)
		}
	case []any:
		for _, it := range x {
			out = append(out, it.(string))
		}
	}
	return out
}

// TestFileUploadScenarios walks one record through create, replace,
// append, prepend, remove and clear, checking the field value and the
// files on disk after each step.
func TestFileUploadScenarios(t *testing.T) {
	s, _ := fileFixture(t)
	status, rec := send(t, s, "POST", "/api/collections/docs/records", "", map[string]string{"title": "a"},
		part{"doc", "My Notes.txt", []byte("hello")}, part{"files", "a.txt", []byte("one")}, part{"files", "b.txt", []byte("two")})
	if status != 200 {
		t.Fatalf("create: %d %v", status, rec)
	}
	id := rec["id"].(string)
	path := "/api/collections/docs/records/" + id
	colId := rec["collectionId"].(string)
	doc := rec["doc"].(string)
	if !strings.HasPrefix(doc, "my_notes_") || !strings.HasSuffix(doc, ".txt") || len(doc) != len("my_notes_")+10+4 {
		t.Fatalf("doc name %q is not normalised", doc)
	}
	first := names(rec["files"])
	if len(first) != 2 || !strings.HasPrefix(first[0], "a") || !strings.HasPrefix(first[1], "b") {
		t.Fatalf("files = %v", first)
	}

	var cur map[string]any = rec
	steps := []struct {
		name    string
		fields  map[string]string
		parts   []part
		want    int
		wantIn  string
		check   func(t *testing.T, got map[string]any)
		onDisk  int // files expected under the record dir
		message string
	}{
		{"upload alone replaces the single file", nil, []part{{"doc", "new.txt", []byte("new")}}, 200, "", func(t *testing.T, got map[string]any) {
			if d := got["doc"].(string); d == doc || !strings.HasPrefix(d, "new_") {
				t.Errorf("doc = %q, want a new name", d)
			}
		}, 3, ""},
		{"two uploads to a single-file field keep the last (as PocketBase)", nil,
			[]part{{"doc", "first.txt", []byte("1")}, {"doc", "second.txt", []byte("2")}}, 200, "", func(t *testing.T, got map[string]any) {
				if d := got["doc"].(string); !strings.HasPrefix(d, "second_") {
					t.Errorf("doc = %q, want the second upload", d)
				}
			}, 3, ""},
		{"files+ appends", nil, []part{{"files+", "ccc.txt", []byte("three")}}, 200, "", func(t *testing.T, got map[string]any) {
			if n := names(got["files"]); len(n) != 3 || n[0] != first[0] || !strings.HasPrefix(n[2], "ccc_") {
				t.Errorf("files = %v", n)
			}
		}, 4, ""},
		{"too many files", nil, []part{{"files+", "d.txt", []byte("four")}}, 400, "validation_too_many_files", nil, 4, ""},
		{"files- removes by name", map[string]string{"files-": first[0]}, nil, 200, "", func(t *testing.T, got map[string]any) {
			if n := names(got["files"]); len(n) != 2 || slices.Contains(n, first[0]) {
				t.Errorf("files = %v", n)
			}
		}, 3, ""},
		{"+files prepends", nil, []part{{"+files", "ppp.txt", []byte("pre")}}, 200, "", func(t *testing.T, got map[string]any) {
			if n := names(got["files"]); len(n) != 3 || !strings.HasPrefix(n[0], "ppp_") {
				t.Errorf("files = %v", n)
			}
		}, 4, ""},
		{"names beside an upload are kept", nil, nil, 200, "", nil, 4, "merge"},
		{"unknown plain name is refused", map[string]string{"files": "someone_elses.txt"}, nil, 400, "validation_invalid_file", nil, 4, ""},
		{"empty value clears", map[string]string{"files": "", "doc": ""}, nil, 200, "", func(t *testing.T, got map[string]any) {
			if len(names(got["files"])) != 0 || got["doc"] != "" {
				t.Errorf("not cleared: %v %v", got["files"], got["doc"])
			}
		}, 0, ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			parts := st.parts
			fields := st.fields
			if st.message == "merge" {
				// keep the current files, add one more via the plain key
				// (the JS SDK's way: names in @jsonPayload, files as parts)
				kept := names(cur["files"])[:2]
				raw, _ := json.Marshal(map[string]any{"files": kept})
				fields = map[string]string{"@jsonPayload": string(raw)}
				parts = []part{{"files", "mmm.txt", []byte("merged")}}
			}
			status, got := send(t, s, "PATCH", path, "", fields, parts...)
			if status != st.want {
				t.Fatalf("status = %d, want %d (%v)", status, st.want, got)
			}
			if st.wantIn != "" && !strings.Contains(toJSON(got), st.wantIn) {
				t.Fatalf("body %s lacks %q", toJSON(got), st.wantIn)
			}
			if status == 200 {
				cur = got
			}
			if st.check != nil {
				st.check(t, got)
			}
			if st.message == "merge" {
				if n := names(got["files"]); len(n) != 3 || !strings.HasPrefix(n[2], "mmm_") {
					t.Errorf("files = %v", n)
				}
			}
			onDisk := 0
			for _, f := range storageFiles(t, s) {
				if strings.HasPrefix(f, colId+"/"+id+"/") {
					onDisk++
				}
			}
			if onDisk != st.onDisk {
				t.Errorf("files on disk = %d, want %d: %v", onDisk, st.onDisk, storageFiles(t, s))
			}
		})
	}

	// Every stored name is one the record references.
	status, cur = send(t, s, "PATCH", path, "", nil, part{"files", "x.txt", []byte("x")}, part{"doc", "y.txt", []byte("y")})
	if status != 200 {
		t.Fatalf("re-upload: %d %v", status, cur)
	}
	want := []string{colId + "/" + id + "/" + cur["doc"].(string), colId + "/" + id + "/" + names(cur["files"])[0]}
	sort.Strings(want)
	if got := storageFiles(t, s); !slices.Equal(got, want) {
		t.Fatalf("storage = %v, want %v", got, want)
	}
	if code, _ := s.Do("DELETE", path, "", nil); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if got := storageFiles(t, s); len(got) != 0 {
		t.Fatalf("files left after record delete: %v", got)
	}
}

// TestFileBadInput sends invalid uploads; each is refused with a 400 (or
// stored under a safe name) and nothing is left in storage.
func TestFileBadInput(t *testing.T) {
	s, _ := fileFixture(t)
	html := []byte("<!doctype html><html><script>alert(1)</script></html>")
	cases := []struct {
		name   string
		parts  []part
		want   int
		wantIn string
	}{
		{"oversized file", []part{{"doc", "big.txt", bytes.Repeat([]byte("a"), 4001)}}, 400, "validation_file_size_limit"},
		{"disallowed type", []part{{"img", "notes.txt", []byte("plain text")}}, 400, "validation_invalid_mime_type"},
		{"html posing as png", []part{{"doc", "evil.png", html}}, 400, "validation_file_content_mismatch"},
		{"text posing as jpeg in image field", []part{{"img", "x.jpg", []byte("hello")}}, 400, "validation_file_content_mismatch"},
		{"too many files", []part{{"files", "1.txt", []byte("1")}, {"files", "2.txt", []byte("2")}, {"files", "3.txt", []byte("3")}, {"files", "4.txt", []byte("4")}}, 400, "validation_too_many_files"},
		{"one bad file fails the whole upload", []part{{"files", "ok.txt", []byte("ok")}, {"doc", "big.txt", bytes.Repeat([]byte("a"), 4001)}}, 400, "validation_file_size_limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := send(t, s, "POST", "/api/collections/docs/records", "", nil, tc.parts...)
			if status != tc.want || !strings.Contains(toJSON(body), tc.wantIn) {
				t.Fatalf("got %d %s, want %d with %q", status, toJSON(body), tc.want, tc.wantIn)
			}
			if got := storageFiles(t, s); len(got) != 0 {
				t.Fatalf("files left behind: %v", got)
			}
		})
	}

	t.Run("truncated multipart", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormFile("doc", "a.txt")
		w.Write([]byte("some content"))
		mw.Close()
		body := buf.Bytes()[:buf.Len()-20]
		status, out := sendRaw(t, s, "POST", "/api/collections/docs/records", "", mw.FormDataContentType(), body)
		if status != 400 {
			t.Fatalf("status = %d (%v), want 400", status, out)
		}
		if got := storageFiles(t, s); len(got) != 0 {
			t.Fatalf("files left behind: %v", got)
		}
	})

	// Path elements, absolute paths and NUL bytes in client names never
	// reach the storage key: the stored name is a sanitised base name.
	for _, name := range []string{"../../../../etc/passwd.txt", "/etc/shadow.txt", `..\..\win.txt`, "a\x00b.txt", ".htaccess"} {
		t.Run("name "+strings.ReplaceAll(name, "\x00", `\0`), func(t *testing.T) {
			status, rec := send(t, s, "POST", "/api/collections/docs/records", "", nil, part{"doc", name, []byte("x")})
			if status != 200 {
				t.Fatalf("status = %d %v", status, rec)
			}
			stored := rec["doc"].(string)
			if strings.ContainsAny(stored, "/\\\x00") || strings.HasPrefix(stored, ".") || strings.Contains(stored, "..") {
				t.Fatalf("unsafe stored name %q", stored)
			}
			want := rec["collectionId"].(string) + "/" + rec["id"].(string) + "/" + stored
			if got := storageFiles(t, s); !slices.Contains(got, want) {
				t.Fatalf("storage %v lacks %s", got, want)
			}
			s.Do("DELETE", "/api/collections/docs/records/"+rec["id"].(string), "", nil)
			if got := storageFiles(t, s); len(got) != 0 {
				t.Fatalf("files left behind: %v", got)
			}
		})
	}
}

// TestFileHooksAndCascade checks the request hooks, cascade deletion,
// collection deletion and view collections.
func TestFileHooksAndCascade(t *testing.T) {
	var downloads, tokens int
	s := testenv.StartServer(t, func(app *core.App) error {
		app.OnFileDownloadRequest("docs").BindFunc(func(e *core.FileDownloadRequestEvent) error {
			downloads++
			if e.Request.URL.Query().Get("rename") != "" {
				e.ServedName = "renamed.txt"
			}
			return e.Next()
		})
		app.OnFileTokenRequest().BindFunc(func(e *core.FileTokenRequestEvent) error {
			tokens++
			return e.Next()
		})
		return nil
	})
	su := s.Superuser("admin@example.com", "password123")
	for _, c := range []map[string]any{
		{"name": "docs", "viewRule": "", "deleteRule": "", "fields": []any{map[string]any{"name": "doc", "type": "file", "maxSelect": 1}}},
		{"name": "notes", "fields": []any{
			map[string]any{"name": "parent", "type": "relation", "collectionId": "docs", "cascadeDelete": true, "maxSelect": 1},
			map[string]any{"name": "att", "type": "file", "maxSelect": 2},
		}},
	} {
		if c["name"] == "notes" {
			col, _ := s.App.FindCollectionByNameOrId("docs")
			c["fields"].([]any)[0].(map[string]any)["collectionId"] = col.Id
		}
		if st, b := s.Do("POST", "/api/collections", su, c); st != 200 {
			t.Fatalf("collection: %d %v", st, b)
		}
	}
	_, doc := send(t, s, "POST", "/api/collections/docs/records", su, nil, part{"doc", "d.txt", []byte("doc")})
	_, note := send(t, s, "POST", "/api/collections/notes/records", su, map[string]string{"parent": doc["id"].(string)},
		part{"att", "n1.txt", []byte("n1")}, part{"att", "n2.txt", []byte("n2")})
	if len(storageFiles(t, s)) != 3 {
		t.Fatalf("storage = %v", storageFiles(t, s))
	}
	u := s.URL + "/api/files/docs/" + doc["id"].(string) + "/" + doc["doc"].(string)
	if resp, _ := fetch(t, "GET", u+"?rename=1", nil); !strings.Contains(resp.Header.Get("Content-Disposition"), "renamed.txt") {
		t.Fatalf("hook did not rename: %v", resp.Header)
	}
	s.Do("POST", "/api/files/token", su, nil)
	if downloads != 1 || tokens != 1 {
		t.Fatalf("hooks fired download=%d token=%d, want 1 and 1", downloads, tokens)
	}

	// A view exposes the file; it is served from the source record.
	if st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "docview", "type": "view", "viewRule": "",
		"viewQuery": "SELECT id, doc AS attachment FROM docs"}); st != 200 {
		t.Fatalf("view: %d %v", st, b)
	}
	vu := s.URL + "/api/files/docview/" + doc["id"].(string) + "/" + doc["doc"].(string)
	if resp, body := fetch(t, "GET", vu, nil); resp.StatusCode != 200 || string(body) != "doc" {
		t.Fatalf("view file: %d %q", resp.StatusCode, body)
	}

	if st, _ := s.Do("DELETE", "/api/collections/docs/records/"+doc["id"].(string), su, nil); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	if got := storageFiles(t, s); len(got) != 0 {
		t.Fatalf("files left after cascade delete of %s: %v", note["id"], got)
	}

	_, doc = send(t, s, "POST", "/api/collections/docs/records", su, nil, part{"doc", "d.txt", []byte("doc")})
	s.Do("DELETE", "/api/collections/docview", su, nil)
	if st, b := s.Do("DELETE", "/api/collections/notes", su, nil); st != 204 {
		t.Fatalf("delete notes: %d %v", st, b)
	}
	if st, b := s.Do("DELETE", "/api/collections/docs", su, nil); st != 204 {
		t.Fatalf("delete docs: %d %v", st, b)
	}
	if got := storageFiles(t, s); len(got) != 0 {
		t.Fatalf("files left after collection delete: %v", got)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "storage", doc["collectionId"].(string))); !os.IsNotExist(err) {
		t.Fatalf("collection dir still exists: %v", err)
	}
}
