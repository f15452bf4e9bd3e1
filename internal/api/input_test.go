package api_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/testenv"
)

// inputFixture starts a server with batch enabled, a public "notes"
// collection (title, owner, doc file) and a verified-less user; it returns
// the server, a superuser token and the user's token.
func inputFixture(t testing.TB) (*testenv.Server, string, string) {
	s := notesFixture(t)
	su := s.Superuser("root@example.com", "password123")
	st, b := s.Do("PATCH", "/api/collections/notes", su, map[string]any{"listRule": "", "viewRule": "", "createRule": "", "updateRule": "",
		"fields": []any{map[string]any{"name": "title", "type": "text"}, map[string]any{"name": "owner", "type": "text"},
			map[string]any{"name": "doc", "type": "file", "maxSelect": 5, "maxSize": 64 << 20}}})
	if st != 200 {
		t.Fatalf("patch notes: %d %v", st, b)
	}
	if st, b := s.Do("PATCH", "/api/settings", su, map[string]any{"batch": map[string]any{"enabled": true, "maxRequests": 50, "timeout": 10}}); st != 200 {
		t.Fatalf("enable batch: %d %v", st, b)
	}
	if st, b := s.Do("POST", "/api/collections/users/records", "", map[string]any{"email": "u@example.com", "password": "password123", "passwordConfirm": "password123"}); st != 200 {
		t.Fatalf("create user: %d %v", st, b)
	}
	st, b = s.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": "u@example.com", "password": "password123"})
	if st != 200 {
		t.Fatalf("user auth: %d %v", st, b)
	}
	return s, su, b["token"].(string)
}

// rawRequest sends a raw request; ct "" sends no Content-Type at all.
func rawRequest(t testing.TB, s *testenv.Server, method, path, token, ct string, body []byte) (int, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// TestBodyWithoutContentType: a body sent without a Content-Type is
// refused with PocketBase's 400 "Unsupported Content-Type." and changes
// nothing (issue #22, defect 13); it used to be parsed as JSON. Requests
// without a body (auth-refresh) and JSON requests as the SDK sends them
// keep working.
func TestBodyWithoutContentType(t *testing.T) {
	s, su, user := inputFixture(t)
	unsupported := `{"data":{},"message":"Unsupported Content-Type.","status":400}`
	cases := []struct {
		name   string
		method string
		path   string
		token  string
		ct     string
		body   string
		status int
		want   string // exact body, or a fragment when it starts with "~"
	}{
		{"record create", "POST", "/api/collections/notes/records", "", "", `{"title":"no-ct"}`, 400, unsupported},
		{"record create with a malformed content type stays unsupported", "POST", "/api/collections/notes/records", "", "text/plain;;", `{"title":"no-ct"}`, 400, unsupported},
		{"record create as json", "POST", "/api/collections/notes/records", "", "application/json", `{"title":"json"}`, 200, `~"title":"json"`},
		{"auth with password", "POST", "/api/collections/users/auth-with-password", "", "", `{"identity":"u@example.com","password":"password123"}`, 400, unsupported},
		{"auth refresh without a body", "POST", "/api/collections/users/auth-refresh", user, "", "", 200, `~"token":`},
		{"auth refresh as the SDK sends it", "POST", "/api/collections/users/auth-refresh", user, "application/json", "", 200, `~"token":`},
		{"request verification as json", "POST", "/api/collections/users/request-verification", "", "application/json", `{"email":"u@example.com"}`, 204, ""},
		{"realtime subscribe", "POST", "/api/realtime", "", "", `{"clientId":"x","subscriptions":[]}`, 400, unsupported},
		{"settings", "PATCH", "/api/settings", su, "", `{"meta":{"appName":"hijacked"}}`, 400, unsupported},
		{"collection create", "POST", "/api/collections", su, "", `{"name":"nope","type":"base"}`, 400, unsupported},
		{"batch", "POST", "/api/batch", "", "", `{"requests":[{"method":"POST","url":"/api/collections/notes/records","body":{"title":"no-ct"}}]}`, 400, unsupported},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			st, got := rawRequest(t, s, tc.method, tc.path, tc.token, tc.ct, body)
			if st != tc.status {
				t.Fatalf("status %d, want %d: %s", st, tc.status, got)
			}
			if frag, ok := strings.CutPrefix(tc.want, "~"); ok {
				if !strings.Contains(got, frag) {
					t.Fatalf("body %s lacks %s", got, frag)
				}
			} else if tc.want != "" && strings.TrimSpace(got) != tc.want {
				t.Fatalf("body %s, want %s", got, tc.want)
			}
		})
	}
	// Nothing the refused requests carried was applied.
	if n := countNotes(t, s, "title = 'no-ct'"); n != 0 {
		t.Fatalf("%d notes created by refused requests", n)
	}
	if _, err := s.App.FindCollectionByNameOrId("nope"); err == nil {
		t.Fatal("collection created by a refused request")
	}
	if s.App.Settings().Meta.AppName == "hijacked" {
		t.Fatal("settings changed by a refused request")
	}
}

func countNotes(t testing.TB, s *testenv.Server, filter string) int {
	t.Helper()
	ids, err := findIds(t, s.App, filter, nil)
	if err != nil {
		t.Fatal(err)
	}
	return len(ids)
}

// TestBatchNullRequest: a null entry in requests is an invalid request
// (400 with the field errors), not a nil dereference (500).
func TestBatchNullRequest(t *testing.T) {
	s, _, _ := inputFixture(t)
	st, out := rawRequest(t, s, "POST", "/api/batch", "", "application/json", []byte(`{"requests":[null]}`))
	want := `{"data":{"requests":{"0":{"method":{"code":"validation_required","message":"Cannot be blank."},"url":{"code":"validation_required","message":"Cannot be blank."}}}},"message":"Invalid batch request data.","status":400}`
	if st != 400 || strings.TrimSpace(out) != want {
		t.Fatalf("got %d %s, want 400 %s", st, out, want)
	}
}
