package hooks_test

import (
	"context"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/hooks"
	"github.com/basalthq/basalt/internal/testenv"
)

func TestRegisterExamples(t *testing.T) {
	s := testenv.StartServer(t, hooks.Register)
	su := s.Superuser("admin@example.com", "password123")

	cases := []struct {
		name       string
		method     string
		path       string
		token      string
		body       any
		wantStatus int
		check      func(t *testing.T, body map[string]any)
	}{
		{
			name: "settings hook trims the app name", method: "PATCH", path: "/api/settings", token: su,
			body: map[string]any{"meta": map[string]any{"appName": "  Trimmed  "}}, wantStatus: 200,
			check: func(t *testing.T, b map[string]any) {
				if got := b["meta"].(map[string]any)["appName"]; got != "Trimmed" {
					t.Fatalf("appName = %q, want %q", got, "Trimmed")
				}
			},
		},
		{
			name: "custom route uses the current settings", method: "GET", path: "/api/hello", wantStatus: 200,
			check: func(t *testing.T, b map[string]any) {
				if b["message"] != "Hello from Trimmed" {
					t.Fatalf("message = %v", b["message"])
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, b := s.Do(tc.method, tc.path, tc.token, tc.body)
			if st != tc.wantStatus {
				t.Fatalf("status = %d, want %d (%v)", st, tc.wantStatus, b)
			}
			tc.check(t, b)
		})
	}
}

func TestExpiredRecordsCronJob(t *testing.T) {
	s := testenv.StartServer(t, hooks.Register)
	su := s.Superuser("admin@example.com", "password123")

	st, b := s.Do("POST", "/api/collections", su, map[string]any{
		"name": hooks.ExpiringCollection, "type": "base",
		"fields": []map[string]any{{"name": "title", "type": "text"}, {"name": "expires", "type": "date"}},
	})
	if st != 200 {
		t.Fatalf("create collection: %d %v", st, b)
	}
	now := time.Now().UTC()
	ids := map[string]string{}
	for title, expires := range map[string]string{
		"expired": core.FormatTime(now.Add(-time.Hour)),
		"future":  core.FormatTime(now.Add(time.Hour)),
		"never":   "",
	} {
		st, b := s.Do("POST", "/api/collections/"+hooks.ExpiringCollection+"/records", su, map[string]any{"title": title, "expires": expires})
		if st != 200 {
			t.Fatalf("create %s: %d %v", title, st, b)
		}
		ids[title] = b["id"].(string)
	}

	if st, b := s.Do("POST", "/api/crons/"+hooks.ExpiredRecordsJob, su, nil); st != 204 {
		t.Fatalf("run: %d %v", st, b)
	}
	// The run is asynchronous; Stop waits for it.
	if err := s.App.Cron().Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		title      string
		wantStatus int
	}{
		{"expired", 404},
		{"future", 200},
		{"never", 200},
	}
	for _, c := range cases {
		t.Run(c.title, func(t *testing.T) {
			if st, b := s.Do("GET", "/api/collections/"+hooks.ExpiringCollection+"/records/"+ids[c.title], su, nil); st != c.wantStatus {
				t.Fatalf("view: %d %v, want %d", st, b, c.wantStatus)
			}
		})
	}
}
