package api_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	_ "golang.org/x/image/webp" // image.Decode of WebP originals

	"github.com/basalthq/basalt/internal/testenv"
)

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
