package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"
)

// TestReadRecordBodyJSON: a JSON record body is exactly one object,
// optionally surrounded by whitespace; anything else is a 400.
func TestReadRecordBodyJSON(t *testing.T) {
	tests := []struct {
		name string
		body string
		ok   bool
		keys int
	}{
		{"object", `{"title":"x","views":1,"tags":["a"]}`, true, 3},
		{"whitespace around", " \n{\"a\":1}\r\n\t", true, 1},
		{"empty object", `{}`, true, 0},
		{"only whitespace", "  ", true, 0},
		{"trailing text", `{"a":1} trailing`, false, 0},
		{"two objects", `{"a":1}{"b":2}`, false, 0},
		{"array", `[1,2]`, false, 0},
		{"null", `null`, false, 0},
		{"string", `"x"`, false, 0},
		{"truncated", `{"a":`, false, 0},
	}
	e := echo.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/api/collections/x/records", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			data, err := (&Server{}).readRecordBody(e.NewContext(req, httptest.NewRecorder()))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
			if tt.ok && len(data) != tt.keys {
				t.Fatalf("data = %v, want %d keys", data, tt.keys)
			}
			if !tt.ok && data != nil {
				t.Fatalf("data returned with an error: %v", data)
			}
		})
	}
}
