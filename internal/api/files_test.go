package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"maps"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

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
	req, _ := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
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

// TestFileDownload checks F2 headers, ranges, conditionals and thumbs.
func TestFileDownload(t *testing.T) {
	s, _ := fileFixture(t)
	webp, _ := base64.StdEncoding.DecodeString(webp75x100)
	images := map[string][]byte{
		"png": encode(t, "png", 200, 100), "jpeg": encode(t, "jpeg", 200, 100),
		"gif": encode(t, "gif", 200, 100), "webp": webp,
	}
	urls := map[string]string{}
	for format, data := range images {
		status, rec := send(t, s, "POST", "/api/collections/docs/records", "", nil,
			part{"img", "pic." + format, data}, part{"doc", "page.html", []byte("<html><body>hi</body></html>")})
		if status != 200 {
			t.Fatalf("upload %s: %d %v", format, status, rec)
		}
		base := s.URL + "/api/files/" + rec["collectionId"].(string) + "/" + rec["id"].(string) + "/"
		urls[format] = base + rec["img"].(string)
		urls["html"] = base + rec["doc"].(string)
	}

	t.Run("headers", func(t *testing.T) {
		cases := []struct {
			name, url, disposition, ctype string
		}{
			{"png inline", urls["png"], "inline", "image/png"},
			{"download forces attachment", urls["png"] + "?download=1", "attachment", "image/png"},
			{"download=false stays inline", urls["png"] + "?download=false", "inline", "image/png"},
			{"html is an attachment", urls["html"], "attachment", "text/html; charset=utf-8"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := fetch(t, "GET", tc.url, nil)
				h := resp.Header
				if resp.StatusCode != 200 || !strings.HasPrefix(h.Get("Content-Disposition"), tc.disposition+"; filename=") ||
					h.Get("Content-Type") != tc.ctype || h.Get("X-Content-Type-Options") != "nosniff" ||
					h.Get("Content-Security-Policy") != "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox" ||
					h.Get("X-Frame-Options") != "" || h.Get("Content-Length") != fmt.Sprint(len(body)) || h.Get("Last-Modified") == "" {
					t.Fatalf("status %d headers %v", resp.StatusCode, h)
				}
			})
		}
	})

	t.Run("range and conditional", func(t *testing.T) {
		resp, body := fetch(t, "GET", urls["png"], map[string]string{"Range": "bytes=0-9"})
		if resp.StatusCode != 206 || len(body) != 10 || !bytes.Equal(body, images["png"][:10]) {
			t.Fatalf("range: %d, %d bytes", resp.StatusCode, len(body))
		}
		full, _ := fetch(t, "GET", urls["png"], nil)
		for _, hdr := range []map[string]string{{"If-None-Match": full.Header.Get("ETag")}, {"If-Modified-Since": full.Header.Get("Last-Modified")}} {
			if resp, _ := fetch(t, "GET", urls["png"], hdr); resp.StatusCode != 304 {
				t.Fatalf("%v: status %d, want 304", hdr, resp.StatusCode)
			}
		}
		resp, body = fetch(t, "HEAD", urls["png"], nil)
		if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("Content-Length") != fmt.Sprint(len(images["png"])) {
			t.Fatalf("HEAD: %d %v", resp.StatusCode, resp.Header)
		}
	})

	t.Run("thumbs", func(t *testing.T) {
		cases := []struct {
			format, size string
			w, h         int
		}{
			{"png", "50x50", 50, 50}, {"png", "40x0", 40, 20}, {"png", "0x20", 40, 20}, {"png", "60x30f", 60, 30},
			{"jpeg", "100x100", 100, 100}, {"jpeg", "30x30t", 30, 30}, {"gif", "50x50", 50, 50},
			{"webp", "50x50", 50, 50},
			{"png", "77x77", 200, 100}, // not listed: the original
			{"png", "bogus", 200, 100},
		}
		for _, tc := range cases {
			t.Run(tc.format+" "+tc.size, func(t *testing.T) {
				resp, body := fetch(t, "GET", urls[tc.format]+"?thumb="+tc.size, nil)
				if resp.StatusCode != 200 {
					t.Fatalf("status %d", resp.StatusCode)
				}
				cfg, format, err := image.DecodeConfig(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				w, h := tc.w, tc.h
				if tc.format == "webp" && (tc.size == "77x77" || tc.size == "bogus") {
					w, h = 75, 100
				}
				if cfg.Width != w || cfg.Height != h {
					t.Fatalf("%s thumb is %dx%d, want %dx%d", format, cfg.Width, cfg.Height, w, h)
				}
				if w != 200 && !strings.Contains(resp.Header.Get("Content-Disposition"), tc.size+"_") {
					t.Errorf("served name %q lacks the size", resp.Header.Get("Content-Disposition"))
				}
			})
		}
		// A non-image with a thumb gets the original.
		resp, body := fetch(t, "GET", urls["html"]+"?thumb=100x100", nil)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<body>hi")) {
			t.Fatalf("non-image thumb: %d %q", resp.StatusCode, body)
		}
	})

	t.Run("concurrent first requests store one thumb", func(t *testing.T) {
		var wg sync.WaitGroup
		bodies := make([][]byte, 12)
		for i := range bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("GET", urls["jpeg"]+"?thumb=50x50", nil)
				if resp, err := http.DefaultClient.Do(req); err == nil {
					bodies[i], _ = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		for i := range bodies {
			if !bytes.Equal(bodies[i], bodies[0]) || len(bodies[0]) == 0 {
				t.Fatalf("response %d differs", i)
			}
		}
		thumbs := 0
		for _, f := range storageFiles(t, s) {
			if strings.Contains(f, "/thumbs_") && strings.Contains(f, "/50x50_pic") && strings.HasSuffix(f, ".jpeg") {
				thumbs++
			}
		}
		if thumbs != 1 {
			t.Fatalf("%d cached 50x50 jpeg thumbs, want 1: %v", thumbs, storageFiles(t, s))
		}
	})

	t.Run("decompression bomb serves the original", func(t *testing.T) {
		bomb := pngBomb()
		status, rec := send(t, s, "POST", "/api/collections/docs/records", "", nil, part{"img", "bomb.png", bomb})
		if status != 200 {
			t.Fatalf("upload: %d %v", status, rec)
		}
		u := s.URL + "/api/files/docs/" + rec["id"].(string) + "/" + rec["img"].(string) + "?thumb=50x50"
		if resp, body := fetch(t, "GET", u, nil); resp.StatusCode != 200 || !bytes.Equal(body, bomb) {
			t.Fatalf("bomb thumb: %d, %d bytes", resp.StatusCode, len(body))
		}
	})

	t.Run("not found", func(t *testing.T) {
		valid := strings.TrimPrefix(urls["png"], s.URL)
		parts := strings.Split(valid, "/")
		for _, p := range []string{
			"/api/files/nope/" + parts[4] + "/" + parts[5],
			"/api/files/docs/nope/" + parts[5],
			"/api/files/docs/" + parts[4] + "/other.png",
			"/api/files/docs/" + parts[4] + "/..%2f..%2fdata.db",
		} {
			if resp, _ := fetch(t, "GET", s.URL+p, nil); resp.StatusCode != 404 {
				t.Errorf("%s: %d, want 404", p, resp.StatusCode)
			}
		}
	})
}

// TestProtectedFiles checks F1 tokens and the protected-file rule.
func TestProtectedFiles(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	mk := func(name, pw, col string) (string, string) {
		if st, b := s.Do("POST", "/api/collections/"+col+"/records", su, map[string]any{"email": name, "password": pw, "passwordConfirm": pw}); st != 200 {
			t.Fatalf("create %s: %d %v", name, st, b)
		}
		st, b := s.Do("POST", "/api/collections/"+col+"/auth-with-password", "", map[string]any{"identity": name, "password": pw})
		if st != 200 {
			t.Fatalf("auth %s: %d %v", name, st, b)
		}
		return b["token"].(string), b["record"].(map[string]any)["id"].(string)
	}
	if st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "staff", "type": "auth",
		"fields": []any{}}); st != 200 {
		t.Fatalf("staff: %d %v", st, b)
	}
	owner, ownerId := mk("owner@example.com", "password123", "users")
	other, _ := mk("other@example.com", "password123", "users")
	staff, _ := mk("staff@example.com", "password123", "staff")
	if st, b := s.Do("POST", "/api/collections", su, map[string]any{
		"name": "secret", "viewRule": "owner = @request.auth.id || @request.auth.collectionName = 'staff' && @request.context = 'protectedFile'",
		"fields": []any{
			map[string]any{"name": "owner", "type": "text"},
			map[string]any{"name": "doc", "type": "file", "maxSelect": 1, "protected": true},
			map[string]any{"name": "pub", "type": "file", "maxSelect": 1},
		},
	}); st != 200 {
		t.Fatalf("secret: %d %v", st, b)
	}
	status, rec := send(t, s, "POST", "/api/collections/secret/records", su, map[string]string{"owner": ownerId},
		part{"doc", "plan.txt", []byte("top secret")}, part{"pub", "flyer.txt", []byte("hello all")})
	if status != 200 {
		t.Fatalf("upload: %d %v", status, rec)
	}
	base := s.URL + "/api/files/secret/" + rec["id"].(string) + "/"
	fileToken := func(auth string) string {
		st, b := s.Do("POST", "/api/files/token", auth, nil)
		if st != 200 {
			t.Fatalf("file token: %d %v", st, b)
		}
		return b["token"].(string)
	}
	if st, _ := s.Do("POST", "/api/files/token", "", nil); st != 401 {
		t.Fatalf("guest file token: %d, want 401", st)
	}
	cases := []struct {
		name   string
		file   string
		query  string
		header string
		want   int
	}{
		{"public field needs nothing", rec["pub"].(string), "", "", 200},
		{"protected without token", rec["doc"].(string), "", "", 404},
		{"auth header is ignored", rec["doc"].(string), "", owner, 404},
		{"auth token is not a file token", rec["doc"].(string), "?token=" + owner, "", 404},
		{"owner file token", rec["doc"].(string), "?token=" + fileToken(owner), "", 200},
		{"other user's file token", rec["doc"].(string), "?token=" + fileToken(other), "", 404},
		{"other collection passes the rule", rec["doc"].(string), "?token=" + fileToken(staff), "", 200},
		{"superuser file token", rec["doc"].(string), "?token=" + fileToken(su), "", 200},
		{"garbage token", rec["doc"].(string), "?token=abc.def.ghi", "", 404},
		{"thumb of protected text is the original", rec["doc"].(string), "?thumb=100x100&token=" + fileToken(owner), "", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.header != "" {
				hdr["Authorization"] = tc.header
			}
			resp, body := fetch(t, "GET", base+tc.file+tc.query, hdr)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tc.want, body)
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

// startS3 runs a real S3-protocol server (versitygw, posix backend; see
// internal/files/testdata/install-s3-server.sh) for one test and returns
// its endpoint and the directory holding the bucket's objects. Without
// the binary the test skips, or fails when CI is set.
func startS3(t *testing.T, access, secret, bucket string) (string, string) {
	t.Helper()
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		if out, gerr := exec.Command("go", "env", "GOPATH").Output(); gerr == nil {
			for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
				if p := filepath.Join(dir, "bin", "versitygw"); fileExists(p) {
					bin = p
				}
			}
		}
	}
	if bin == "" {
		msg := "versitygw not installed; run internal/files/testdata/install-s3-server.sh"
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set: " + msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	data, meta := filepath.Join(dir, "data"), filepath.Join(dir, "meta")
	// With the posix backend a bucket is a directory under the data root.
	for _, d := range []string{filepath.Join(data, bucket), meta} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "--access", access, "--secret", secret, "--port", addr,
		"--region", "us-east-1", "--quiet", "posix", "--sidecar", meta, data)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Killed when the test ends; a crash of the test binary itself could
	// orphan it (internal/files uses Pdeathsig for that on Linux).
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(15 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not start: %s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr, filepath.Join(data, bucket)
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
