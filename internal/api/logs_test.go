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
	if st, b := s.Do("GET", "/api/logs/"+id, su, nil); st != 200 || b["data"].(map[string]any)["status"].(float64) != 404 {
		t.Fatalf("view log: %d %v", st, b)
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
