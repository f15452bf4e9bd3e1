package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"
)

// FuzzRecordBody feeds arbitrary JSON, urlencoded and multipart bodies to
// the record body parser: it must never panic, and a body it accepts is
// always an object.
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
	}
	for _, s := range seeds {
		f.Add(s.ct, []byte(s.body))
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/collections/x/records", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		c := e.NewContext(req, httptest.NewRecorder())
		data, err := (&Server{}).readRecordBody(c)
		removeSpooled(c)
		if err == nil && data == nil {
			t.Fatal("accepted body without data")
		}
	})
}
