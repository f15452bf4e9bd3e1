package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/labstack/echo/v5"
)

// FuzzRecordBody feeds arbitrary JSON, urlencoded and multipart bodies to
// the record body parser: it must never panic, a body it accepts is always
// an object, an accepted JSON body is exactly what encoding/json decodes,
// and every temp file a multipart body was spooled to is gone once the
// request's spool is emptied (as bodyLimit does when a request ends).
// Seeds: testdata/fuzz/FuzzRecordBody.
func FuzzRecordBody(f *testing.F) {
	seeds := []struct {
		ct   string
		body string
	}{
		{"application/json", `{"title":"x","views":1,"tags":["a","b"],"meta":{"k":[1,2]}}`},
		{"application/json", `{"a":1} trailing`},
		{"application/json", `[1,2]`},
		{"application/x-www-form-urlencoded", "title=x&tags=a&tags=b&views=12&ok=true&@jsonPayload=%7B%22x%22%3A1%7D"},
		{"multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nhello\r\n--XX\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nabc\r\n--XX--\r\n"},
		{"multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"@jsonPayload\"\r\n\r\n{\"a\":[1]}\r\n--XX"},
		{"text/plain", "x"},
		{"", `{"title":"no content type"}`},
	}
	for _, s := range seeds {
		f.Add(s.ct, []byte(s.body))
	}
	dir := f.TempDir()
	srv := &Server{cfg: Config{TempDir: dir}}
	e := echo.New()
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/collections/x/records", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		c := e.NewContext(req, httptest.NewRecorder())
		data, err := srv.readRecordBody(c)
		removeSpooled(c)
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Fatalf("%d temp files left behind", len(left))
		}
		if err != nil {
			return
		}
		if data == nil {
			t.Fatal("accepted body without data")
		}
		if ct == "" && len(body) > 0 {
			t.Fatal("accepted a body without a Content-Type")
		}
		if mt, _ := mediaType(req); mt == "application/json" && len(bytes.TrimSpace(body)) > 0 {
			var want map[string]any
			if err := json.Unmarshal(body, &want); err != nil {
				t.Fatalf("accepted JSON that encoding/json refuses: %v", err)
			}
			a, _ := json.Marshal(data)
			b, _ := json.Marshal(want)
			if !bytes.Equal(a, b) {
				t.Fatalf("decoded %s, encoding/json decodes %s", a, b)
			}
		}
	})
}

// FuzzMultipartSplit holds the in-place multipart splitter to
// mime/multipart: whatever the body, when splitMultipart answers itself
// (no fallback) it returns the same values, files and error class as
// mime/multipart, and neither parser panics. Seeds:
// testdata/fuzz/FuzzMultipartSplit.
func FuzzMultipartSplit(f *testing.F) {
	const B = "XyZ123"
	f.Add([]byte("--" + B + "\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nx\r\n--" + B + "--\r\n"))
	f.Add([]byte("--" + B + "\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"../a.txt\"\r\nContent-Type: text/plain\r\n\r\na\r\n--" + B + "X\r\n--" + B + "--"))
	f.Add([]byte("preamble\r\n--" + B + "\nContent-Disposition: form-data; name=\"t\"\n\nx\n--" + B + "--\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		const valueBudget = 1000
		sp := &spool{dir: t.TempDir()}
		defer sp.RemoveAll()
		want, wantErr := readMultipartLimits(sp, bytes.NewReader(body), B, valueBudget, maxFormMemory)
		got, err := splitMultipart(body, B, valueBudget)
		if err == errUnusualMultipart {
			return
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("splitMultipart err = %v, mime/multipart's = %v", err, wantErr)
		}
		if err == nil {
			if g, w := formSummary(t, got), formSummary(t, want); g != w {
				t.Fatalf("parsed\n%s\nmime/multipart parsed\n%s", g, w)
			}
		}
	})
}

// FuzzBatchBody feeds arbitrary batch bodies (JSON or multipart) to the
// batch reader: it never panics, and its spooled files are removed with
// the request's spool. Seeds: testdata/fuzz/FuzzBatchBody.
func FuzzBatchBody(f *testing.F) {
	f.Add("application/json", []byte(`{"requests":[{"method":"POST","url":"/api/collections/x/records","body":{"a":1}}]}`))
	f.Add("multipart/form-data; boundary=XX", []byte("--XX\r\nContent-Disposition: form-data; name=\"@jsonPayload\"\r\n\r\n{\"requests\":[{\"method\":\"POST\",\"url\":\"/api/collections/x/records\"}]}\r\n--XX\r\nContent-Disposition: form-data; name=\"requests[0].doc\"; filename=\"a.txt\"\r\n\r\nabc\r\n--XX--\r\n"))
	f.Add("multipart/form-data; boundary=XX", []byte("--XX\r\nContent-Disposition: form-data; name=\"requests.9.doc\"; filename=\"a.txt\"\r\n\r\nabc\r\n--XX--\r\n"))
	f.Add("multipart/form-data; boundary=XX", []byte("--XX\r\nContent-Disposition: form-data; name=\"@jsonPayload\"\r\n\r\n{\"requests\":[null]}\r\n--XX\r\nContent-Disposition: form-data; name=\"requests.0.doc\"; filename=\"a.txt\"\r\n\r\nabc\r\n--XX--\r\n"))
	dir := f.TempDir()
	srv := &Server{cfg: Config{TempDir: dir}}
	e := echo.New()
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/batch", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		c := e.NewContext(req, httptest.NewRecorder())
		items, err := srv.readBatchBody(c)
		removeSpooled(c)
		if left, _ := os.ReadDir(dir); len(left) > 0 {
			t.Fatalf("%d temp files left behind", len(left))
		}
		if err == nil {
			for i, it := range items {
				if it == nil {
					continue // "null" items are refused by validateBatch
				}
				for field := range it.files {
					if field == "" {
						t.Fatalf("request %d: file for an empty field name", i)
					}
				}
			}
		}
	})
}
