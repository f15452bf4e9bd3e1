package hooks_test

import (
	"testing"

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
