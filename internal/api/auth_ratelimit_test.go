package api_test

import (
	"testing"
)

func TestAuthRateLimits(t *testing.T) {
	e := newAuthEnv(t)
	e.user("u1@example.com", "password123", true)
	userTok := e.login("u1@example.com", "password123")
	status, body := e.Do("PATCH", "/api/settings", e.su, map[string]any{"rateLimits": map[string]any{"enabled": true, "rules": []any{
		map[string]any{"label": "*:auth", "duration": 60, "maxRequests": 2},
		map[string]any{"label": "users:list", "audience": "@guest", "duration": 60, "maxRequests": 1},
		map[string]any{"label": "GET /api/health", "duration": 60, "maxRequests": 1},
	}}})
	if status != 200 {
		t.Fatalf("settings: %d %v", status, body)
	}
	wrong := map[string]any{"identity": "u1@example.com", "password": "wrong-password"}
	runAuthCases(t, e, []authCase{
		{name: "auth 1", path: "/api/collections/users/auth-with-password", body: wrong, wantStatus: 400},
		{name: "auth 2", path: "/api/collections/users/auth-with-password", body: wrong, wantStatus: 400},
		{name: "auth 3 limited", path: "/api/collections/users/auth-with-password", body: wrong, wantStatus: 429, wantIn: []string{`"message":"Too Many Requests."`, `"status":429`}},
		{name: "otp route has its own auth counter", path: "/api/collections/users/auth-with-otp", body: map[string]any{"otpId": "x", "password": "1"}, wantStatus: 403},
		{name: "other collection has its own counter", path: "/api/collections/_superusers/auth-with-password", body: wrong, wantStatus: 400},
		{name: "auth-methods not limited", method: "GET", path: "/api/collections/users/auth-methods", wantStatus: 200},
		{name: "guest list 1", method: "GET", path: "/api/collections/users/records", wantStatus: 200},
		{name: "guest list 2 limited", method: "GET", path: "/api/collections/users/records", wantStatus: 429},
		{name: "authenticated list passes", method: "GET", path: "/api/collections/users/records", token: userTok, wantStatus: 200},
		{name: "health 1", method: "GET", path: "/api/health", wantStatus: 200},
		{name: "health 2 limited", method: "GET", path: "/api/health", wantStatus: 429},
		{name: "superuser exempt", method: "GET", path: "/api/health", token: e.su, wantStatus: 200},
	})
	// Changing the settings resets every counter.
	e.Do("PATCH", "/api/settings", e.su, map[string]any{"meta": map[string]any{"appName": "Other"}})
	if status, _ := e.Do("GET", "/api/health", "", nil); status != 200 {
		t.Fatalf("counters not reset by a settings change: %d", status)
	}
}
