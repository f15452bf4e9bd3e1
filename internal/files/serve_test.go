package files

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestServe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	st, err := NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	mod := time.Date(2024, 5, 6, 10, 20, 30, 0, time.UTC)
	pngBody := string(pngHead) + strings.Repeat("\x00", 100)
	files := map[string]string{
		"c/r/pic.png":   pngBody,
		"c/r/page.html": string(htmlHead),
		"c/r/icon.svg":  string(svgHead),
		"c/r/doc.pdf":   string(pdfHead) + "rest of pdf",
		"c/r/app.js":    "console.log(1)",
		"c/r/notes.txt": "0123456789abcdef",
	}
	for key, body := range files {
		if err := st.Put(ctx, key, strings.NewReader(body), int64(len(body)), ""); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(root, filepath.FromSlash(key)), mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	etagOf := func(key string) string {
		obj, err := st.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Close()
		return ETag(obj)
	}

	cases := []struct {
		name       string
		key        string
		serveName  string
		download   bool
		method     string
		reqHeaders map[string]string
		wantStatus int
		wantHeader map[string]string
		wantBody   *string
	}{
		{
			name: "png inline", key: "c/r/pic.png", serveName: "pic.png",
			wantStatus: 200, wantBody: &pngBody,
			wantHeader: map[string]string{
				"Content-Disposition":     "inline; filename=pic.png",
				"Content-Type":            "image/png",
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox",
				"Cache-Control":           "max-age=2592000, stale-while-revalidate=86400",
				"Accept-Ranges":           "bytes",
				"Last-Modified":           "Mon, 06 May 2024 10:20:30 GMT",
				"ETag":                    etagOf("c/r/pic.png"),
				"X-Frame-Options":         "",
				"Content-Length":          strconv.Itoa(len(pngBody)),
			},
		},
		{
			name: "download forces attachment", key: "c/r/pic.png", serveName: "pic.png", download: true,
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Disposition": "attachment; filename=pic.png", "Content-Type": "image/png"},
		},
		{
			name: "thumb served name", key: "c/r/pic.png", serveName: "100x100_pic.png",
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Disposition": "inline; filename=100x100_pic.png"},
		},
		{
			name: "html is an attachment", key: "c/r/page.html", serveName: "page.html",
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Disposition": "attachment; filename=page.html", "Content-Type": "text/html; charset=utf-8"},
		},
		{
			name: "svg is an attachment with the svg type", key: "c/r/icon.svg", serveName: "icon.svg",
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Disposition": "attachment; filename=icon.svg", "Content-Type": "image/svg+xml"},
		},
		{
			name: "pdf inline", key: "c/r/doc.pdf", serveName: "doc.pdf",
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Disposition": "inline; filename=doc.pdf", "Content-Type": "application/pdf"},
		},
		{
			name: "js override", key: "c/r/app.js", serveName: "app.js",
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Disposition": "attachment; filename=app.js", "Content-Type": "text/javascript"},
		},
		{
			name: "name needing quotes", key: "c/r/notes.txt", serveName: `my "notes".txt`,
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Disposition": `attachment; filename="my \"notes\".txt"`},
		},
		{
			name: "non-ascii name is RFC 2231 encoded", key: "c/r/notes.txt", serveName: "café.txt",
			wantStatus: 200,
			wantHeader: map[string]string{"Content-Disposition": "attachment; filename*=utf-8''caf%C3%A9.txt"},
		},
		{
			name: "range request", key: "c/r/notes.txt", serveName: "notes.txt",
			reqHeaders: map[string]string{"Range": "bytes=2-5"},
			wantStatus: 206, wantBody: ptr("2345"),
			wantHeader: map[string]string{"Content-Range": "bytes 2-5/16", "Content-Length": "4", "Content-Type": "text/plain; charset=utf-8"},
		},
		{
			name: "suffix range", key: "c/r/notes.txt", serveName: "notes.txt",
			reqHeaders: map[string]string{"Range": "bytes=-3"},
			wantStatus: 206, wantBody: ptr("def"),
		},
		{
			name: "unsatisfiable range", key: "c/r/notes.txt", serveName: "notes.txt",
			reqHeaders: map[string]string{"Range": "bytes=100-200"},
			wantStatus: 416,
		},
		{
			name: "if-modified-since", key: "c/r/notes.txt", serveName: "notes.txt",
			reqHeaders: map[string]string{"If-Modified-Since": "Mon, 06 May 2024 10:20:30 GMT"},
			wantStatus: 304, wantBody: ptr(""),
		},
		{
			name: "modified since an older date", key: "c/r/notes.txt", serveName: "notes.txt",
			reqHeaders: map[string]string{"If-Modified-Since": "Sun, 05 May 2024 10:20:30 GMT"},
			wantStatus: 200,
		},
		{
			name: "if-none-match", key: "c/r/notes.txt", serveName: "notes.txt",
			reqHeaders: map[string]string{"If-None-Match": etagOf("c/r/notes.txt")},
			wantStatus: 304,
		},
		{
			name: "if-none-match other tag", key: "c/r/notes.txt", serveName: "notes.txt",
			reqHeaders: map[string]string{"If-None-Match": `"other"`},
			wantStatus: 200,
		},
		{
			name: "if-range with current tag", key: "c/r/notes.txt", serveName: "notes.txt",
			reqHeaders: map[string]string{"Range": "bytes=0-0", "If-Range": etagOf("c/r/notes.txt")},
			wantStatus: 206, wantBody: ptr("0"),
		},
		{
			name: "head", key: "c/r/notes.txt", serveName: "notes.txt", method: http.MethodHead,
			wantStatus: 200, wantBody: ptr(""),
			wantHeader: map[string]string{"Content-Length": "16"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			obj, err := st.Open(ctx, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Close()
			method := tc.method
			if method == "" {
				method = http.MethodGet
			}
			req := httptest.NewRequest(method, "/api/files/c/r/x", nil)
			for k, v := range tc.reqHeaders {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			rec.Header().Set("X-Frame-Options", "SAMEORIGIN") // as a global middleware would
			if err := Serve(rec, req, obj, tc.serveName, tc.download); err != nil {
				t.Fatalf("Serve: %v", err)
			}
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			if got := rec.Header().Get("X-Frame-Options"); got != "" {
				t.Errorf("X-Frame-Options = %q, want it removed", got)
			}
			for k, want := range tc.wantHeader {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if tc.wantBody != nil && rec.Body.String() != *tc.wantBody {
				t.Errorf("body = %q, want %q", rec.Body.String(), *tc.wantBody)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestServeFromS3(t *testing.T) {
	s := requireS3(t)
	ctx := context.Background()
	body := "0123456789" + strings.Repeat("z", 5000)
	if err := s.Put(ctx, "serve/r/data.txt", strings.NewReader(body), int64(len(body)), "text/html"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		rng        string
		wantStatus int
		wantBody   string
	}{
		{"full", "", 200, body},
		{"range", "bytes=3-6", 206, "3456"},
		{"open-ended range", "bytes=5000-", 206, body[5000:]},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj, err := s.Open(ctx, "serve/r/data.txt")
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Close()
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			if tc.rng != "" {
				req.Header.Set("Range", tc.rng)
			}
			rec := httptest.NewRecorder()
			if err := Serve(rec, req, obj, "data.txt", false); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tc.wantStatus || rec.Body.String() != tc.wantBody {
				t.Errorf("got %d %q…, want %d %q…", rec.Code, trunc(rec.Body.String()), tc.wantStatus, trunc(tc.wantBody))
			}
			// The stored "text/html" label is not trusted: bytes decide.
			if ct := rec.Header().Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type = %q, want detected text/plain", ct)
			}
			if rec.Header().Get("Last-Modified") == "" || rec.Header().Get("ETag") == "" {
				t.Errorf("missing validators: %v", rec.Header())
			}
		})
	}
}

func trunc(s string) string {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}
