package api_test

import (
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/testenv"
)

func TestScenarios(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")

	status, body := s.Do("POST", "/api/collections", su, map[string]any{
		"name": "posts", "listRule": "published = true", "viewRule": "", "createRule": "",
		"fields": []any{
			map[string]any{"name": "title", "type": "text", "required": true},
			map[string]any{"name": "views", "type": "number"},
			map[string]any{"name": "published", "type": "bool"},
		},
	})
	if status != 200 {
		t.Fatalf("create collection: %d %v", status, body)
	}

	cases := []struct {
		name       string
		method     string
		path       string
		token      string
		body       any
		wantStatus int
		wantIn     string
	}{
		{"health", "GET", "/api/health", "", nil, 200, "API is healthy"},
		{"unknown route is generic 404", "GET", "/api/nope", "", nil, 404, "wasn't found"},
		{"settings need auth", "GET", "/api/settings", "", nil, 401, "requires valid record authorization token"},
		{"settings as superuser", "GET", "/api/settings", su, nil, 200, "appName"},
		{"bad settings change nothing", "PATCH", "/api/settings", su, map[string]any{"meta": map[string]any{"appName": ""}}, 400, "validation_required"},
		{"create record", "POST", "/api/collections/posts/records", "", map[string]any{"title": "hello", "views": 5, "published": true}, 200, `"title":"hello"`},
		{"create hidden by rule", "POST", "/api/collections/posts/records", "", map[string]any{"title": "draft", "views": 1, "published": false}, 200, `"title":"draft"`},
		{"required field", "POST", "/api/collections/posts/records", "", map[string]any{"views": 1}, 400, "validation_required"},
		{"list filtered by rule", "GET", "/api/collections/posts/records", "", nil, 200, `"totalItems":1`},
		{"list as superuser sees all", "GET", "/api/collections/posts/records?sort=-views", su, nil, 200, `"totalItems":2`},
		{"filter", "GET", "/api/collections/posts/records?filter=views>3", su, nil, 200, `"totalItems":1`},
		{"bad filter", "GET", "/api/collections/posts/records?filter=views>", su, nil, 400, "Something went wrong"},
		{"injection is data", "GET", "/api/collections/posts/records?filter=" + strings.ReplaceAll(`title="x' OR 1=1 --"`, " ", "%20"), su, nil, 200, `"totalItems":0`},
		{"skipTotal", "GET", "/api/collections/posts/records?skipTotal=1", su, nil, 200, `"totalItems":-1`},
		{"guest cannot filter by @request", "GET", "/api/collections/posts/records?filter=@request.auth.id=''", "", nil, 403, "Only superusers can filter by @request."},
		{"update needs superuser", "PATCH", "/api/collections/posts/records/x", "", map[string]any{}, 403, "Only superusers"},
		{"unknown collection", "GET", "/api/collections/nope/records", "", nil, 404, "Missing collection context."},
		{"hook route", "GET", "/api/hello", "", nil, 404, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := s.Do(tc.method, tc.path, tc.token, tc.body)
			if status != tc.wantStatus {
				t.Fatalf("status = %d, want %d (%v)", status, tc.wantStatus, body)
			}
			if tc.wantIn != "" && !strings.Contains(toJSON(body), tc.wantIn) {
				t.Fatalf("body %s does not contain %q", toJSON(body), tc.wantIn)
			}
		})
	}
}
