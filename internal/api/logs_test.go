package api_test

import (
	"strings"
	"testing"
	"time"

	"github.com/basalthq/basalt/internal/testenv"
)

func TestRequestLogs(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	s.Do("GET", "/api/collections/nope/records", "", nil) // 404, logged at error level
	s.Do("GET", "/api/health", "", nil)                   // 200, logged at info level

	// Logs are written asynchronously: poll with a bounded wait.
	var body map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var st int
		st, body = s.Do("GET", "/api/logs?filter=data.status%3E%3D400&sort=-created", su, nil)
		if st != 200 {
			t.Fatalf("logs: %d %v", st, body)
		}
		if body["totalItems"].(float64) >= 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	got := toJSON(body)
	if !strings.Contains(got, `"message":"GET /api/collections/nope/records"`) || !strings.Contains(got, `"level":8`) || strings.Contains(got, "/api/health") {
		t.Fatalf("filtered logs: %s", got)
	}
	items := body["items"].([]any)
	id := items[0].(map[string]any)["id"].(string)
	st, b := s.Do("GET", "/api/logs/"+id, su, nil)
	if st != 200 {
		t.Fatalf("view log: %d %v", st, b)
	}
	// The entry's data carries spec §10.8's fields, with the IPs (logIP is
	// on by default) and the error of a failed request.
	data := b["data"].(map[string]any)
	want := map[string]any{"type": "request", "method": "GET", "url": "/api/collections/nope/records",
		"status": float64(404), "auth": "", "referer": "", "userIP": "127.0.0.1", "remoteIP": "127.0.0.1", "details": nil}
	for k, v := range want {
		if got, ok := data[k]; !ok || got != v {
			t.Errorf("data[%q] = %#v, want %#v (data %v)", k, got, v, data)
		}
	}
	if _, ok := data["execTime"].(float64); !ok {
		t.Errorf("execTime missing or not a number: %v", data)
	}
	if e, _ := data["error"].(string); e == "" {
		t.Errorf("error missing on a failed request: %v", data)
	}
	if _, ok := data["authId"]; ok {
		t.Errorf("authId logged although settings.logs.logAuthId is off: %v", data)
	}
	if len(id) != 15 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Errorf("log id %q is not 15 chars of [a-z0-9]", id)
	}
	if st, b := s.Do("GET", "/api/logs/stats", su, nil); st != 200 {
		t.Fatalf("stats: %d %v", st, b)
	}
	if st, _ := s.Do("GET", "/api/logs/stats?filter=(", su, nil); st != 400 {
		t.Fatalf("bad stats filter: %d", st)
	}
	if st, _ := s.Do("GET", "/api/logs", "", nil); st != 401 {
		t.Fatalf("guest logs: %d", st)
	}
	if st, _ := s.Do("GET", "/api/logs/nope", su, nil); st != 404 {
		t.Fatalf("missing log: %d", st)
	}
}

// TestRequestLogMessageKeepsQuery checks PocketBase's request-log message:
// method, space and the path-unescaped request URI, query string
// included; data.url keeps the raw request URI.
func TestRequestLogMessageKeepsQuery(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	cases := []struct {
		name, uri, message string
	}{
		{"query string", "/api/collections/nope1/records?page=2&perPage=5", "GET /api/collections/nope1/records?page=2&perPage=5"},
		{"escaped path and query", "/api/collections/n%C3%A9/records?filter=title%3D%27a%20b%27", "GET /api/collections/né/records?filter=title='a b'"},
		{"invalid escape kept raw", "/api/collections/nope2/records?q=%zz", "GET /api/collections/nope2/records?q=%zz"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.Do("GET", tc.uri, "", nil) // 404: logged
			var item map[string]any
			deadline := time.Now().Add(5 * time.Second)
			for item == nil && time.Now().Before(deadline) {
				_, body := s.Do("GET", "/api/logs?perPage=500", su, nil)
				for _, it := range body["items"].([]any) {
					m := it.(map[string]any)
					if d, _ := m["data"].(map[string]any); d != nil && d["url"] == tc.uri {
						item = m
					}
				}
				if item == nil {
					time.Sleep(50 * time.Millisecond)
				}
			}
			if item == nil {
				t.Fatalf("no log entry with data.url %q", tc.uri)
			}
			if item["message"] != tc.message {
				t.Fatalf("message %q, want %q", item["message"], tc.message)
			}
		})
	}
}
