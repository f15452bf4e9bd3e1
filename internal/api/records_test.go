package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/testenv"
	"github.com/basalthq/basalt/tests"
)

// recordsFixture: users (auth) ← posts.author (cascade) ← comments.post
// (required); tags (multi relation) to a "tags" collection whose viewRule
// hides "secret" tags.
func recordsFixture(t *testing.T) (*testenv.Server, string, map[string]string) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	return s, su, fillRecordsFixture(t, s.Do, su)
}

// fillRecordsFixture builds the fixture through the API with do (a JSON
// request returning the status and decoded body) as superuser su, and
// returns the record ids and user tokens by key.
func fillRecordsFixture(t *testing.T, do func(method, path, token string, body any) (int, map[string]any), su string) map[string]string {
	t.Helper()
	mk := func(body map[string]any) string {
		t.Helper()
		st, b := do("POST", "/api/collections", su, body)
		if st != 200 {
			t.Fatalf("collection %v: %d %v", body["name"], st, b)
		}
		return b["id"].(string)
	}
	usersId := "_pb_users_auth_"
	do("PATCH", "/api/collections/users", su, map[string]any{"listRule": "", "viewRule": ""})
	tagsId := mk(map[string]any{"name": "tags", "listRule": "", "viewRule": "name != 'secret'",
		"fields": []any{map[string]any{"name": "name", "type": "text"}}})
	postsId := mk(map[string]any{"name": "posts", "listRule": "", "viewRule": "", "createRule": "@request.auth.id != ''",
		"updateRule": "author = @request.auth.id", "deleteRule": "author = @request.auth.id",
		"fields": []any{
			map[string]any{"name": "title", "type": "text"},
			map[string]any{"name": "views", "type": "number"},
			map[string]any{"name": "secretNote", "type": "text", "hidden": true},
			map[string]any{"name": "author", "type": "relation", "collectionId": usersId, "maxSelect": 1, "cascadeDelete": true},
			map[string]any{"name": "tags", "type": "relation", "collectionId": tagsId, "maxSelect": 5},
		}})
	mk(map[string]any{"name": "comments", "listRule": "", "viewRule": "",
		"fields": []any{
			map[string]any{"name": "msg", "type": "text"},
			map[string]any{"name": "post", "type": "relation", "collectionId": postsId, "maxSelect": 1, "required": true},
		}})
	ids := map[string]string{}
	create := func(coll, key, token string, body map[string]any) {
		t.Helper()
		st, b := do("POST", "/api/collections/"+coll+"/records", token, body)
		if st != 200 {
			t.Fatalf("create %s: %d %v", key, st, b)
		}
		ids[key] = b["id"].(string)
	}
	create("users", "u1", "", map[string]any{"email": "u1@example.com", "password": "password123", "passwordConfirm": "password123", "emailVisibility": true, "name": "User One"})
	create("users", "u2", "", map[string]any{"email": "u2@example.com", "password": "password123", "passwordConfirm": "password123", "name": "User Two"})
	for _, u := range []string{"u1", "u2"} {
		st, b := do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": u + "@example.com", "password": "password123"})
		if st != 200 {
			t.Fatalf("auth %s: %d %v", u, st, b)
		}
		ids[u+"token"] = b["token"].(string)
	}
	create("tags", "tA", su, map[string]any{"name": "go"})
	create("tags", "tS", su, map[string]any{"name": "secret"})
	create("posts", "p1", ids["u1token"], map[string]any{"title": "Hello", "views": 10, "author": ids["u1"], "tags": []string{ids["tA"], ids["tS"]}, "secretNote": "dropped"})
	create("posts", "p2", su, map[string]any{"title": "Other", "views": 1, "author": ids["u2"], "secretNote": "kept"})
	create("comments", "c1", su, map[string]any{"msg": "nice", "post": ids["p1"]})
	return ids
}

// harnessDo is the JSON request helper of recordsFixture over a
// tests.TestApp.
func harnessDo(t *testing.T, app *tests.TestApp) func(method, path, token string, body any) (int, map[string]any) {
	return func(method, path, token string, body any) (int, map[string]any) {
		t.Helper()
		var out map[string]any
		sc := tests.ApiScenario{Method: method, URL: path, Headers: jsonHeaders(token), Body: jsonBody(t, body)}
		res := sc.Send(t, app)
		_ = json.Unmarshal(res.Body, &out)
		return res.Status, out
	}
}

func jsonHeaders(token string) map[string]string {
	h := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		h["Authorization"] = token
	}
	return h
}

func jsonBody(t *testing.T, v any) io.Reader {
	if v == nil {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(raw)
}

// TestRecordsAPI: records CRUD, expand, rules, hidden fields, modifiers
// and list parameters, as scenarios of the public harness.
func TestRecordsAPI(t *testing.T) {
	app := tests.NewTestApp(t, tests.Options{})
	su := app.CreateSuperuser("admin@example.com", "password123")
	ids := fillRecordsFixture(t, harnessDo(t, app), su)
	u1, u2 := ids["u1token"], ids["u2token"]
	cases := []struct {
		name   string
		method string
		path   string
		token  string
		body   any
		status int
		in     []string
		notIn  []string
		events map[string]int
	}{
		{name: "expand single and multi, viewRule filters expanded", method: "GET", path: "/api/collections/posts/records/" + ids["p1"] + "?expand=author,tags", status: 200,
			in: []string{`"name":"User One"`, `"name":"go"`}, notIn: []string{`"name":"secret"`}},
		{name: "nested expand", method: "GET", path: "/api/collections/comments/records/" + ids["c1"] + "?expand=post.author", status: 200,
			in: []string{`"expand":{"author":{`, `"title":"Hello"`}},
		{name: "back-relation expand", method: "GET", path: "/api/collections/posts/records/" + ids["p1"] + "?expand=comments_via_post", status: 200,
			in: []string{`"comments_via_post":[{`, `"msg":"nice"`}},
		{name: "unknown expand is ignored", method: "GET", path: "/api/collections/posts/records/" + ids["p1"] + "?expand=nope", status: 200, notIn: []string{`"expand"`}},
		{name: "empty relation gives an empty expand", method: "GET", path: "/api/collections/posts/records/" + ids["p2"] + "?expand=tags", status: 200, in: []string{`"expand":{}`}},
		{name: "hidden field not written by non-superuser", method: "GET", path: "/api/collections/posts/records/" + ids["p1"], token: su, status: 200, in: []string{`"secretNote":""`}},
		{name: "hidden field shown to superuser", method: "GET", path: "/api/collections/posts/records/" + ids["p2"], token: su, status: 200, in: []string{`"secretNote":"kept"`}},
		{name: "hidden field not shown to others", method: "GET", path: "/api/collections/posts/records/" + ids["p2"], status: 200, notIn: []string{`secretNote`}},
		{name: "hidden field not filterable by others", method: "GET", path: "/api/collections/posts/records?filter=secretNote='kept'", status: 400},
		{name: "sorting by email leaks no private address", method: "GET", path: "/api/collections/users/records?sort=email", status: 200, notIn: []string{"u2@example.com"}},
		{name: "private emails are not matchable", method: "GET", path: "/api/collections/users/records?filter=email='u2@example.com'", status: 200, in: []string{`"totalItems":0`}},
		{name: "public email shown", method: "GET", path: "/api/collections/users/records/" + ids["u1"], status: 200, in: []string{`"email":"u1@example.com"`}},
		{name: "private email hidden", method: "GET", path: "/api/collections/users/records/" + ids["u2"], status: 200, notIn: []string{`u2@example.com`}},
		{name: "own private email shown", method: "GET", path: "/api/collections/users/records/" + ids["u2"], token: u2, status: 200, in: []string{`u2@example.com`}},
		{name: "create rule fails with 400", method: "POST", path: "/api/collections/posts/records", body: map[string]any{"title": "x"}, status: 400, in: []string{"Failed to create record."},
			events: map[string]int{"OnRecordCreateRequest": 0, "OnRecordCreate": 0, "OnRecordAfterCreateSuccess": 0}},
		{name: "update rule fails with 404", method: "PATCH", path: "/api/collections/posts/records/" + ids["p1"], token: u2, body: map[string]any{"title": "x"}, status: 404},
		{name: "modifier adds", method: "PATCH", path: "/api/collections/posts/records/" + ids["p1"], token: u1, body: map[string]any{"views+": 5}, status: 200, in: []string{`"views":15`},
			events: map[string]int{"OnRecordUpdateRequest": 1, "OnRecordUpdate": 1, "OnRecordUpdateExecute": 1, "OnRecordAfterUpdateSuccess": 1, "OnRecordEnrich": 1, "OnRecordCreate": 0}},
		{name: "modifier removes from multi relation", method: "PATCH", path: "/api/collections/posts/records/" + ids["p1"] + "?fields=tags", token: su, body: map[string]any{"tags-": ids["tS"]}, status: 200, in: []string{`"tags":["` + ids["tA"] + `"]`}},
		{name: "pk cannot change", method: "PATCH", path: "/api/collections/posts/records/" + ids["p1"], token: su, body: map[string]any{"id": "abcdefghijklmno"}, status: 400, in: []string{"validation_pk_change"}},
		{name: "missing relation id", method: "POST", path: "/api/collections/comments/records", token: su, body: map[string]any{"msg": "x", "post": "nope00000000000"}, status: 400, in: []string{"validation_missing_rel_records"}},
		{name: "missing relation reported with other field errors", method: "POST", path: "/api/collections/posts/records", token: su,
			body: map[string]any{"title": "x", "author": "nope00000000000", "tags": []string{"a", "b", "c", "d", "e", "f"}}, status: 400,
			in: []string{`"author":{"code":"validation_missing_rel_records"`, `"tags":{"code":"validation_too_many_values"`}},
		{name: "one missing id in a multi relation", method: "PATCH", path: "/api/collections/posts/records/" + ids["p1"], token: su,
			body: map[string]any{"tags+": "nope00000000000"}, status: 400, in: []string{`"tags":{"code":"validation_missing_rel_records"`}},
		{name: "update keeping relations writes", method: "PATCH", path: "/api/collections/posts/records/" + ids["p1"] + "?fields=views", token: u1,
			body: map[string]any{"views": 10}, status: 200, in: []string{`"views":10`}},
		{name: "fields trims and excerpts", method: "GET", path: "/api/collections/posts/records?fields=id,title:excerpt(3,true)&sort=-views", status: 200, in: []string{`"title":"Hel..."`}, notIn: []string{`"views"`}},
		{name: "delete rule fails with 404", method: "DELETE", path: "/api/collections/posts/records/" + ids["p1"], token: u2, status: 404, events: map[string]int{"OnRecordDeleteRequest": 0, "OnRecordDelete": 0}},
		{name: "required relation blocks delete", method: "DELETE", path: "/api/collections/posts/records/" + ids["p1"], token: u1, status: 400, in: []string{"required relation reference"},
			events: map[string]int{"OnRecordDeleteRequest": 1, "OnRecordDelete": 1, "OnRecordAfterDeleteSuccess": 0}},
		{name: "sort through relation", method: "GET", path: "/api/collections/posts/records?sort=-author.name&fields=title", status: 200, in: []string{`[{"title":"Other"},{"title":"Hello"}]`}},
		{name: "perPage clamped", method: "GET", path: "/api/collections/posts/records?perPage=5000", status: 200, in: []string{`"perPage":1000`}},
		{name: "bad page", method: "GET", path: "/api/collections/posts/records?page=x", status: 400},
		{name: "too many sort fields", method: "GET", path: "/api/collections/posts/records?sort=a,b,c,d,e,f,g,h,i", status: 400},
		{name: "sql in sort is refused", method: "GET", path: "/api/collections/posts/records?sort=title%3BDROP%20TABLE%20posts", status: 400},
		{name: "posts still there", method: "GET", path: "/api/collections/posts/records", status: 200, in: []string{`"totalItems":2`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := tests.ApiScenario{Method: tc.method, URL: tc.path, Headers: jsonHeaders(tc.token), Body: jsonBody(t, tc.body),
				ExpectedStatus: tc.status, ExpectedContent: tc.in, NotExpectedContent: tc.notIn, ExpectedEvents: tc.events}
			sc.Test(t, app)
		})
	}

	do := harnessDo(t, app)
	t.Run("cascade delete", func(t *testing.T) {
		if st, b := do("DELETE", "/api/collections/comments/records/"+ids["c1"], su, nil); st != 204 {
			t.Fatalf("delete comment: %d %v", st, b)
		}
		if st, b := do("DELETE", "/api/collections/users/records/"+ids["u1"], su, nil); st != 204 {
			t.Fatalf("delete user: %d %v", st, b)
		}
		if st, _ := do("GET", "/api/collections/posts/records/"+ids["p1"], su, nil); st != 404 {
			t.Fatalf("cascaded post still there: %d", st)
		}
	})
}

func TestMultipartJSONPayload(t *testing.T) {
	s, su, _ := recordsFixture(t)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("title", "from form")
	_ = w.WriteField("views", "12")
	_ = w.WriteField("@jsonPayload", `{"views":42}`)
	w.Close()
	req, _ := http.NewRequest("POST", s.URL+"/api/collections/posts/records", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", su)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(raw), `"views":42`) || !strings.Contains(string(raw), `"title":"from form"`) {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
}

func TestBodyRules(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "counters", "listRule": "", "viewRule": "",
		"createRule": "@request.body.n <= 10 && @request.body.owner:isset = false",
		"updateRule": "(@request.body.n:isset = false || @request.body.n <= 10) && @request.body.label:changed = false",
		"fields":     []any{map[string]any{"name": "n", "type": "number"}, map[string]any{"name": "label", "type": "text"}, map[string]any{"name": "owner", "type": "text"}}})
	if st != 200 {
		t.Fatalf("collection: %d %v", st, b)
	}
	cases := []struct {
		name   string
		method string
		body   map[string]any
		status int
	}{
		{"create within the limit", "POST", map[string]any{"n": 3, "label": "x"}, 200},
		{"create over the limit", "POST", map[string]any{"n": 11}, 400},
		{"create with a forbidden key", "POST", map[string]any{"n": 1, "owner": "me"}, 400},
	}
	var id string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, b := s.Do(tc.method, "/api/collections/counters/records", "", tc.body)
			if st != tc.status {
				t.Fatalf("status %d, want %d (%v)", st, tc.status, b)
			}
			if st == 200 {
				id = b["id"].(string)
			}
		})
	}
	upd := []struct {
		name   string
		body   map[string]any
		status int
	}{
		{"modifier resolved before the rule: 3+5 passes", map[string]any{"n+": 5}, 200},
		{"modifier resolved before the rule: 8+5 fails", map[string]any{"n+": 5}, 404},
		{"unchanged label passes :changed", map[string]any{"label": "x"}, 200},
		{"changed label fails :changed", map[string]any{"label": "y"}, 404},
	}
	for _, tc := range upd {
		t.Run(tc.name, func(t *testing.T) {
			st, b := s.Do("PATCH", "/api/collections/counters/records/"+id, "", tc.body)
			if st != tc.status {
				t.Fatalf("status %d, want %d (%v)", st, tc.status, b)
			}
		})
	}
}

func TestManageRule(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	// Staff members (role = "staff") manage other users.
	st, b := s.Do("GET", "/api/collections/users", su, nil)
	if st != 200 {
		t.Fatal(b)
	}
	fields := b["fields"].([]any)
	fields = append(fields, map[string]any{"name": "role", "type": "text"})
	if st, b := s.Do("PATCH", "/api/collections/users", su, map[string]any{"fields": fields, "updateRule": "id = @request.auth.id || @request.auth.role = 'staff'",
		"manageRule": "@request.auth.role = 'staff'"}); st != 200 {
		t.Fatalf("patch users: %d %v", st, b)
	}
	mk := func(email, role string) string {
		st, b := s.Do("POST", "/api/collections/users/records", su, map[string]any{"email": email, "password": "password123", "passwordConfirm": "password123", "role": role})
		if st != 200 {
			t.Fatalf("create %s: %d %v", email, st, b)
		}
		return b["id"].(string)
	}
	login := func(email string) string {
		st, b := s.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": email, "password": "password123"})
		if st != 200 {
			t.Fatalf("login %s: %d %v", email, st, b)
		}
		return b["token"].(string)
	}
	mk("staff@example.com", "staff")
	plain := mk("plain@example.com", "")
	other := mk("other@example.com", "")
	staffTok, plainTok := login("staff@example.com"), login("plain@example.com")

	cases := []struct {
		name   string
		token  string
		id     string
		body   map[string]any
		status int
		want   string
	}{
		{"owner cannot set verified", plainTok, plain, map[string]any{"verified": true}, 400, "validation_values_mismatch"},
		{"owner needs the old password", plainTok, plain, map[string]any{"password": "newpassword1", "passwordConfirm": "newpassword1"}, 400, "oldPassword"},
		{"manager sets verified", staffTok, other, map[string]any{"verified": true}, 200, `"verified":true`},
		{"manager changes email", staffTok, other, map[string]any{"email": "changed@example.com"}, 200, `"email":"changed@example.com"`},
		{"manager sets a password without the old one", staffTok, other, map[string]any{"password": "newpassword1", "passwordConfirm": "newpassword1"}, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, b := s.Do("PATCH", "/api/collections/users/records/"+tc.id, tc.token, tc.body)
			if st != tc.status || !strings.Contains(toJSON(b), tc.want) {
				t.Fatalf("%d %v", st, toJSON(b))
			}
		})
	}
}

func TestManagerSeesEmails(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	_, b := s.Do("GET", "/api/collections/users", su, nil)
	fields := append(b["fields"].([]any), map[string]any{"name": "role", "type": "text"})
	if st, b := s.Do("PATCH", "/api/collections/users", su, map[string]any{"fields": fields, "listRule": "", "viewRule": "",
		"manageRule": "@request.auth.role = 'staff'"}); st != 200 {
		t.Fatalf("patch: %d %v", st, b)
	}
	for _, u := range []struct{ email, role string }{{"staff@example.com", "staff"}, {"hidden@example.com", ""}} {
		if st, b := s.Do("POST", "/api/collections/users/records", su, map[string]any{"email": u.email, "password": "password123", "passwordConfirm": "password123", "role": u.role}); st != 200 {
			t.Fatalf("create: %d %v", st, b)
		}
	}
	_, auth := s.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": "staff@example.com", "password": "password123"})
	staff := auth["token"].(string)
	if st, b := s.Do("GET", "/api/collections/users/records", staff, nil); st != 200 || !strings.Contains(toJSON(b), "hidden@example.com") {
		t.Fatalf("manager list: %d %s", st, toJSON(b))
	}
	if st, b := s.Do("GET", "/api/collections/users/records", "", nil); st != 200 || strings.Contains(toJSON(b), "hidden@example.com") {
		t.Fatalf("guest list leaks e-mails: %d %s", st, toJSON(b))
	}
}

// TestExpandAfterChanges: repeated expands of the same relations (served
// from the store's record cache) show every change made since — to the
// related record, to its collection's rules — and per-caller output
// (email visibility) stays per caller.
func TestExpandAfterChanges(t *testing.T) {
	s, su, ids := recordsFixture(t)
	list := "/api/collections/posts/records?sort=title&expand=author"
	steps := []struct {
		name   string
		change func()
		token  string
		in     []string
		notIn  []string
	}{
		{name: "first list", in: []string{`"name":"User One"`, `"name":"User Two"`}, notIn: []string{"u2@example.com"}},
		{name: "same list again", in: []string{`"name":"User One"`, `"name":"User Two"`}, notIn: []string{"u2@example.com"}},
		{name: "superuser sees the private email", token: su, in: []string{"u2@example.com"}},
		{name: "guest still does not", notIn: []string{"u2@example.com"}},
		{name: "author renamed", change: func() {
			if st, b := s.Do("PATCH", "/api/collections/users/records/"+ids["u1"], su, map[string]any{"name": "Renamed"}); st != 200 {
				t.Fatalf("rename: %d %v", st, b)
			}
		}, in: []string{`"name":"Renamed"`}, notIn: []string{`"name":"User One"`}},
		{name: "users no longer viewable by guests", change: func() {
			if st, b := s.Do("PATCH", "/api/collections/users", su, map[string]any{"viewRule": "id = @request.auth.id"}); st != 200 {
				t.Fatalf("rule: %d %v", st, b)
			}
		}, notIn: []string{`"name":"Renamed"`, `"name":"User Two"`}},
		{name: "the owner sees only themself", token: ids["u2token"], in: []string{`"name":"User Two"`}, notIn: []string{`"name":"Renamed"`}},
	}
	for _, st := range steps {
		if st.change != nil {
			st.change()
		}
		code, b := s.Do("GET", list, st.token, nil)
		if code != 200 {
			t.Fatalf("%s: %d %v", st.name, code, b)
		}
		got := toJSON(b)
		for _, w := range st.in {
			if !strings.Contains(got, w) {
				t.Errorf("%s: body %s lacks %s", st.name, got, w)
			}
		}
		for _, w := range st.notIn {
			if strings.Contains(got, w) {
				t.Errorf("%s: body %s contains %s", st.name, got, w)
			}
		}
	}
}

// TestLargeResponsesAreNotChunked: JSON responses carry their length, so a
// list past net/http's 2 KB chunking buffer is not sent chunked (one write
// fewer per response, no chunk framing for the client to parse).
func TestLargeResponsesAreNotChunked(t *testing.T) {
	s, su, _ := recordsFixture(t)
	for i := range 60 {
		if st, b := s.Do("POST", "/api/collections/tags/records", su, map[string]any{"name": fmt.Sprintf("tag number %d", i)}); st != 200 {
			t.Fatalf("tag: %d %v", st, b)
		}
	}
	for _, path := range []string{
		"/api/collections/tags/records?perPage=100",
		"/api/collections/tags/records?perPage=100&fields=id,name",
	} {
		res, err := s.Client.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(body) <= 2048 {
			t.Fatalf("%s: only %d bytes, too small to show chunking", path, len(body))
		}
		if res.StatusCode != 200 || len(res.TransferEncoding) > 0 || res.ContentLength != int64(len(body)) {
			t.Errorf("%s: status %d, transfer encoding %v, Content-Length %d for %d bytes", path, res.StatusCode, res.TransferEncoding, res.ContentLength, len(body))
		}
	}
}

// TestHeadAnswersLikeGet: HEAD on any GET route gives GET's status and
// headers without a body (a HEAD on a list fell to the collections group
// and answered 401).
func TestHeadAnswersLikeGet(t *testing.T) {
	s, su, _ := recordsFixture(t)
	if st, b := s.Do("POST", "/api/collections/tags/records", su, map[string]any{"name": "one"}); st != 200 {
		t.Fatalf("tag: %d %v", st, b)
	}
	tests := []struct {
		name, path, token string
		status            int
	}{
		{"public list", "/api/collections/tags/records?perPage=5", "", 200},
		{"missing record", "/api/collections/tags/records/nope", "", 404},
		{"superuser route as guest", "/api/collections", "", 401},
		{"superuser route as superuser", "/api/collections", su, 200},
		{"health", "/api/health", "", 200},
		{"unknown path", "/api/nothing-here", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do := func(method string) (*http.Response, []byte) {
				req, _ := http.NewRequest(method, s.URL+tt.path, nil)
				if tt.token != "" {
					req.Header.Set("Authorization", tt.token)
				}
				res, err := s.Client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				body, _ := io.ReadAll(res.Body)
				return res, body
			}
			head, headBody := do(http.MethodHead)
			get, getBody := do(http.MethodGet)
			if head.StatusCode != tt.status || get.StatusCode != tt.status {
				t.Fatalf("HEAD %d, GET %d, want %d", head.StatusCode, get.StatusCode, tt.status)
			}
			if len(headBody) != 0 {
				t.Fatalf("HEAD sent a body: %q", headBody)
			}
			if head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || head.ContentLength != int64(len(getBody)) {
				t.Fatalf("HEAD Content-Type %q length %d; GET %q, %d bytes", head.Header.Get("Content-Type"), head.ContentLength, get.Header.Get("Content-Type"), len(getBody))
			}
		})
	}
}
