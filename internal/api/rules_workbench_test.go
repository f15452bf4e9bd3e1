package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// wbEnv is a server with a superuser token for the workbench tests.
type wbEnv struct {
	*testenv.Server
	t  *testing.T
	su string
}

func newWBEnv(t *testing.T) *wbEnv {
	s := testenv.StartServer(t)
	return &wbEnv{Server: s, t: t, su: s.Superuser("root@example.com", "password123")}
}

func (e *wbEnv) must(method, path, token string, body any) map[string]any {
	e.t.Helper()
	status, out := e.Do(method, path, token, body)
	if status != 200 && status != 204 {
		e.t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	return out
}

func (e *wbEnv) usersId() string {
	c, err := e.App.FindCollectionByNameOrId("users")
	if err != nil {
		e.t.Fatal(err)
	}
	return c.Id
}

// user creates a users record and returns its id and token.
func (e *wbEnv) user(email string, verified bool) (string, string) {
	e.t.Helper()
	out := e.must("POST", "/api/collections/users/records", e.su, map[string]any{
		"email": email, "password": "password123", "passwordConfirm": "password123", "verified": verified})
	login := e.must("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": email, "password": "password123"})
	return out["id"].(string), login["token"].(string)
}

func ptr(s string) *string { return &s }

func ruleJSON(r *string) any {
	if r == nil {
		return nil
	}
	return *r
}

func findingKeys(out map[string]any, collection string) []string {
	var keys []string
	for _, f := range out["findings"].([]any) {
		m := f.(map[string]any)
		if m["collection"] == collection {
			keys = append(keys, m["rule"].(string)+":"+m["code"].(string))
		}
	}
	sort.Strings(keys)
	return keys
}

func TestRulesLint(t *testing.T) {
	e := newWBEnv(t)
	users := e.usersId()
	e.must("POST", "/api/collections", e.su, map[string]any{"name": "vault", "type": "base",
		"fields": []any{map[string]any{"name": "code", "type": "text"}}})
	vault, _ := e.App.FindCollectionByNameOrId("vault")
	fields := []any{
		map[string]any{"name": "title", "type": "text"},
		map[string]any{"name": "status", "type": "text"},
		map[string]any{"name": "tags", "type": "select", "maxSelect": 3, "values": []string{"a", "b", "c"}},
		map[string]any{"name": "owner", "type": "relation", "collectionId": users, "maxSelect": 1},
		map[string]any{"name": "secret", "type": "relation", "collectionId": vault.Id, "maxSelect": 1},
	}
	type rules struct{ list, view, create, update, del *string }
	cases := []struct {
		name    string
		rules   rules
		indexes []string
		rows    int // records inserted; largeTable is 3
		want    []string
	}{
		{name: "public_update_and_delete", rules: rules{update: ptr(""), del: ptr("")},
			want: []string{"deleteRule:public_write", "updateRule:public_write"}},
		{name: "public_create", rules: rules{create: ptr(""), list: ptr(""), view: ptr("")},
			want: []string{"createRule:public_write"}},
		{name: "locked_and_owner_rules_clean", rules: rules{list: ptr("owner = @request.auth.id"), update: ptr("owner = @request.auth.id")}},
		{name: "unindexed_on_large", rules: rules{list: ptr(`status = "published"`)}, rows: 3,
			want: []string{"listRule:unindexed_filter"}},
		{name: "indexed_on_large", rules: rules{list: ptr(`status = "published"`)}, rows: 3,
			indexes: []string{"CREATE INDEX idx_indexed_on_large_status ON indexed_on_large (status, title)"}},
		{name: "unindexed_on_small", rules: rules{list: ptr(`status = "published"`)}, rows: 2},
		{name: "unindexed_in_view_rule", rules: rules{view: ptr(`status = "published"`)}, rows: 3},
		{name: "id_needs_no_index", rules: rules{list: ptr(`id != ""`)}, rows: 3},
		{name: "body_without_isset", rules: rules{update: ptr(`@request.body.status = "draft"`), create: ptr(`@request.body.title:length > 3`)},
			want: []string{"createRule:body_without_isset", "updateRule:body_without_isset"}},
		{name: "body_guarded", rules: rules{
			update: ptr(`@request.body.status:isset = false || @request.body.status = "draft"`),
			create: ptr(`@request.body.title:isset = true && (@request.body.title:length > 3 || @request.auth.id != "")`),
			del:    ptr(`@request.body.status:changed = false`)}},
		{name: "never_constant", rules: rules{list: ptr(`1 = 2`), view: ptr(`"a" = "b" || 3 > 4`)},
			want: []string{"listRule:never_matches", "viewRule:never_matches"}},
		{name: "never_two_values", rules: rules{list: ptr(`status = "a" && title != "" && status = "b"`),
			view: ptr(`@request.auth.id = "" && @request.auth.id != ""`)},
			want: []string{"listRule:never_matches", "viewRule:never_matches"}},
		{name: "can_match", rules: rules{list: ptr(`status = "a" || status = "b"`), view: ptr(`tags = "a" && tags = "b"`),
			update: ptr(`1 = 1 && status = "a"`), create: ptr(`"1" = 1`)}},
		{name: "superuser_only_target", rules: rules{list: ptr(`secret.code = "x"`), view: ptr(`@collection.vault.code ?= title`)},
			want: []string{"listRule:superuser_only_relation", "viewRule:superuser_only_relation"}},
		{name: "readable_target", rules: rules{list: ptr(`owner.email != ""`), view: ptr(`secret = ""`)}},
	}
	for _, tc := range cases {
		e.must("POST", "/api/collections", e.su, map[string]any{"name": tc.name, "type": "base", "fields": fields,
			"indexes": tc.indexes, "listRule": ruleJSON(tc.rules.list), "viewRule": ruleJSON(tc.rules.view),
			"createRule": ruleJSON(tc.rules.create), "updateRule": ruleJSON(tc.rules.update), "deleteRule": ruleJSON(tc.rules.del)})
		for i := range tc.rows {
			e.must("POST", "/api/collections/"+tc.name+"/records", e.su, map[string]any{"title": fmt.Sprint("t", i)})
		}
	}
	out := e.must("GET", "/api/_basalt/rules/lint?largeTable=3", e.su, nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := findingKeys(out, tc.name); !slices.Equal(got, tc.want) {
				t.Errorf("findings %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("auth_signup_is_not_public_write", func(t *testing.T) {
		if got := findingKeys(out, "users"); len(got) != 0 {
			t.Errorf("users findings %v, want none", got)
		}
	})
	t.Run("finding_shape", func(t *testing.T) {
		for _, f := range out["findings"].([]any) {
			m := f.(map[string]any)
			if m["collection"] == "never_two_values" && m["rule"] == "listRule" {
				if m["severity"] != "warning" || !strings.Contains(m["message"].(string), "never match") ||
					m["expr"] != `status = "a" && status = "b"` {
					t.Errorf("finding %v", m)
				}
				return
			}
		}
		t.Error("finding missing")
	})
	t.Run("default_threshold_spares_small_tables", func(t *testing.T) {
		out := e.must("GET", "/api/_basalt/rules/lint", e.su, nil)
		if got := findingKeys(out, "unindexed_on_large"); len(got) != 0 {
			t.Errorf("findings %v with the default threshold", got)
		}
	})
}

func TestRulesWorkbenchAccess(t *testing.T) {
	e := newWBEnv(t)
	_, tok := e.user("u@example.com", true)
	for _, tc := range []struct {
		name, method, path, token string
		want                      int
	}{
		{"lint_guest", "GET", "/api/_basalt/rules/lint", "", 401},
		{"lint_user", "GET", "/api/_basalt/rules/lint", tok, 403},
		{"test_guest", "POST", "/api/_basalt/rules/test", "", 401},
		{"test_user", "POST", "/api/_basalt/rules/test", tok, 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := e.Do(tc.method, tc.path, tc.token, map[string]any{"collection": "users", "rule": "list", "guest": true})
			if status != tc.want || out["status"] != float64(tc.want) {
				t.Errorf("%d %v, want %d", status, out, tc.want)
			}
		})
	}
}

func TestRuleTestBadInput(t *testing.T) {
	e := newWBEnv(t)
	uid, _ := e.user("u@example.com", true)
	for _, tc := range []struct {
		name string
		body map[string]any
		key  string
	}{
		{"unknown_collection", map[string]any{"collection": "nope", "rule": "list", "guest": true}, "collection"},
		{"unknown_rule", map[string]any{"collection": "users", "rule": "read", "guest": true}, "rule"},
		{"create_rule", map[string]any{"collection": "users", "rule": "create", "guest": true}, "rule"},
		{"manage_on_base", map[string]any{"collection": "_otps", "rule": "manage", "guest": true}, "rule"},
		{"no_user", map[string]any{"collection": "users", "rule": "list"}, "authCollection"},
		{"base_as_auth", map[string]any{"collection": "users", "rule": "list", "authCollection": "_otps", "authId": uid}, "authCollection"},
		{"missing_auth_id", map[string]any{"collection": "users", "rule": "list", "authCollection": "users"}, "authId"},
		{"unknown_user", map[string]any{"collection": "users", "rule": "list", "authCollection": "users", "authId": "nobody"}, "authId"},
		{"unknown_record", map[string]any{"collection": "users", "rule": "view", "guest": true, "recordId": "nope"}, "recordId"},
		{"negative_page", map[string]any{"collection": "users", "rule": "list", "guest": true, "page": -1}, "page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := e.Do("POST", "/api/_basalt/rules/test", e.su, tc.body)
			data, _ := out["data"].(map[string]any)
			field, _ := data[tc.key].(map[string]any)
			if status != 400 || out["status"] != float64(400) || out["message"] == "" || field["code"] == nil || field["message"] == nil {
				t.Errorf("%d %v, want 400 keyed %q", status, out, tc.key)
			}
		})
	}
	t.Run("lint_bad_threshold", func(t *testing.T) {
		status, out := e.Do("GET", "/api/_basalt/rules/lint?largeTable=0", e.su, nil)
		data, _ := out["data"].(map[string]any)
		if status != 400 || out["status"] != float64(400) || data["largeTable"] == nil {
			t.Errorf("%d %v", status, out)
		}
	})
	t.Run("not_json", func(t *testing.T) {
		req, _ := http.NewRequest("POST", e.URL+"/api/_basalt/rules/test", strings.NewReader("{"))
		req.Header.Set("Authorization", e.su)
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

// TestRuleTestMatchesRecordsAPI is the differential check: for several
// rule sets and callers (two users, a guest, a superuser) the records the
// workbench says pass a rule are exactly those the records API gives that
// caller — list by listing, view by viewing each record, update by an
// empty PATCH of each record.
func TestRuleTestMatchesRecordsAPI(t *testing.T) {
	e := newWBEnv(t)
	u1, t1 := e.user("one@example.com", true)
	u2, t2 := e.user("two@example.com", false)
	suRec, err := e.App.FindFirstRecordByData(context.Background(), core.SuperusersCollectionName, "email", "root@example.com")
	if err != nil {
		t.Fatal(err)
	}
	e.must("POST", "/api/collections", e.su, map[string]any{"name": "notes", "type": "base", "fields": []any{
		map[string]any{"name": "title", "type": "text"},
		map[string]any{"name": "public", "type": "bool"},
		map[string]any{"name": "owner", "type": "relation", "collectionId": e.usersId(), "maxSelect": 1},
	}})
	var ids []string
	for _, n := range []map[string]any{
		{"title": "alpha", "public": true, "owner": u1}, {"title": "beta", "owner": u1},
		{"title": "gamma", "owner": u2}, {"title": "delta", "public": true}, {"title": "omega"},
	} {
		ids = append(ids, e.must("POST", "/api/collections/notes/records", e.su, n)["id"].(string))
	}
	callers := []struct {
		name, token string
		as          map[string]any
	}{
		{"one", t1, map[string]any{"authCollection": "users", "authId": u1}},
		{"two", t2, map[string]any{"authCollection": "users", "authId": u2}},
		{"guest", "", map[string]any{"guest": true}},
		{"superuser", e.su, map[string]any{"authCollection": core.SuperusersCollectionName, "authId": suRec.Id()}},
	}
	ruleSets := []struct {
		name               string
		list, view, update any
	}{
		{"owner_or_public", `public = true || owner = @request.auth.id`, `owner = @request.auth.id`,
			`owner = @request.auth.id && @request.auth.verified = true`},
		{"signed_in_relations", `@request.auth.id != "" && title ~ "a"`, "",
			`@request.auth.collectionName = "users" && owner.email = @request.auth.email`},
		{"locked", nil, nil, nil},
	}
	workbench := func(t *testing.T, as map[string]any, rule, recordId string) map[string]any {
		t.Helper()
		body := map[string]any{"collection": "notes", "rule": rule, "perPage": 100, "recordId": recordId}
		for k, v := range as {
			body[k] = v
		}
		return e.must("POST", "/api/_basalt/rules/test", e.su, body)
	}
	itemIds := func(out map[string]any) []string {
		var got []string
		for _, it := range out["items"].([]any) {
			got = append(got, it.(map[string]any)["id"].(string))
		}
		sort.Strings(got)
		return got
	}
	for _, rs := range ruleSets {
		e.must("PATCH", "/api/collections/notes", e.su, map[string]any{"listRule": rs.list, "viewRule": rs.view, "updateRule": rs.update})
		for _, cl := range callers {
			t.Run(rs.name+"/"+cl.name, func(t *testing.T) {
				// list: one list call with the caller's token.
				got := itemIds(workbench(t, cl.as, "list", ""))
				status, out := e.Do("GET", "/api/collections/notes/records?perPage=500", cl.token, nil)
				var want []string
				if status == 200 {
					want = itemIds(out)
				} else if status != 403 {
					t.Fatalf("list: %d %v", status, out)
				}
				if !slices.Equal(got, want) {
					t.Errorf("list: workbench %v, API %v", got, want)
				}
				// view and update: record by record, with the per-record verdict too.
				for _, kind := range []string{"view", "update"} {
					got := itemIds(workbench(t, cl.as, kind, ""))
					var want []string
					for _, id := range ids {
						var status int
						if kind == "view" {
							status, _ = e.Do("GET", "/api/collections/notes/records/"+id, cl.token, nil)
						} else {
							status, _ = e.Do("PATCH", "/api/collections/notes/records/"+id, cl.token, map[string]any{})
						}
						if status == 200 {
							want = append(want, id)
						}
						verdict := workbench(t, cl.as, kind, id)["record"].(map[string]any)
						if verdict["passes"] != (status == 200) {
							t.Errorf("%s %s: verdict %v, API status %d", kind, id, verdict, status)
						}
					}
					sort.Strings(want)
					if !slices.Equal(got, want) {
						t.Errorf("%s: workbench %v, API %v", kind, got, want)
					}
				}
			})
		}
	}
	// delete: each caller in turn deletes every record it may, right after
	// asking the workbench; the guest, then the users, the superuser last
	// on a record made for it. The guest deletes the records without an
	// owner: "" = @request.auth.id holds for guests, in the API as here.
	e.must("PATCH", "/api/collections/notes", e.su, map[string]any{"deleteRule": `owner = @request.auth.id || (public = true && @request.auth.verified = true)`})
	for _, i := range []int{2, 1, 0, 3} {
		cl := callers[i]
		t.Run("delete/"+cl.name, func(t *testing.T) {
			if cl.name == "superuser" {
				ids = append(ids, e.must("POST", "/api/collections/notes/records", e.su, map[string]any{"title": "last", "owner": u2})["id"].(string))
			}
			got := itemIds(workbench(t, cl.as, "delete", ""))
			var want []string
			for _, id := range ids {
				if status, _ := e.Do("DELETE", "/api/collections/notes/records/"+id, cl.token, nil); status == 204 {
					want = append(want, id)
				}
			}
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("delete: workbench %v, API %v", got, want)
			}
			if len(want) == 0 {
				t.Errorf("%s deleted nothing: the case proves little", cl.name)
			}
		})
	}
}

// TestRuleTestClauses checks the per-record breakdown: which clause of
// the rule decided, for a passing OR and a failing AND.
func TestRuleTestClauses(t *testing.T) {
	e := newWBEnv(t)
	u1, _ := e.user("one@example.com", true)
	e.must("POST", "/api/collections", e.su, map[string]any{"name": "notes", "type": "base", "fields": []any{
		map[string]any{"name": "title", "type": "text"},
		map[string]any{"name": "public", "type": "bool"},
		map[string]any{"name": "owner", "type": "relation", "collectionId": e.usersId(), "maxSelect": 1},
	}, "listRule": `public = true || (owner = @request.auth.id && title != "")`,
		"viewRule": `owner = @request.auth.id && public = true && title = "x"`})
	id := e.must("POST", "/api/collections/notes/records", e.su, map[string]any{"title": "mine", "owner": u1})["id"].(string)
	as := map[string]any{"collection": "notes", "authCollection": "users", "authId": u1, "recordId": id}
	var describe func(n map[string]any) string
	describe = func(n map[string]any) string {
		s := fmt.Sprintf("%s=%v", n["expr"], n["pass"])
		if n["decisive"] == true {
			s += "*"
		}
		var kids []string
		for _, k := range asSlice(n["children"]) {
			kids = append(kids, describe(k.(map[string]any)))
		}
		if len(kids) > 0 {
			s += " [" + strings.Join(kids, "; ") + "]"
		}
		return s
	}
	for _, tc := range []struct{ name, rule, want string }{
		{"or_passes_by_second_branch", "list",
			`public = true || owner = @request.auth.id && title != ""=true* [public = true=false; owner = @request.auth.id && title != ""=true* [owner = @request.auth.id=true*; title != ""=true*]]`},
		{"and_fails_at_first_false", "view",
			`owner = @request.auth.id && public = true && title = "x"=false* [owner = @request.auth.id=true; public = true=false*; title = "x"=false]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"rule": tc.rule}
			for k, v := range as {
				body[k] = v
			}
			out := e.must("POST", "/api/_basalt/rules/test", e.su, body)
			rec := out["record"].(map[string]any)
			if got := describe(rec["clauses"].(map[string]any)); got != tc.want {
				t.Errorf("clauses\n got %s\nwant %s", got, tc.want)
			}
		})
	}
	t.Run("per_page_is_capped", func(t *testing.T) {
		out := e.must("POST", "/api/_basalt/rules/test", e.su, map[string]any{"collection": "notes", "rule": "list", "guest": true, "perPage": 5000})
		if out["perPage"] != float64(100) {
			t.Errorf("perPage %v, want the cap of 100", out["perPage"])
		}
	})
	t.Run("superuser_skips_the_rule", func(t *testing.T) {
		su, err := e.App.FindFirstRecordByData(context.Background(), core.SuperusersCollectionName, "email", "root@example.com")
		if err != nil {
			t.Fatal(err)
		}
		out := e.must("POST", "/api/_basalt/rules/test", e.su, map[string]any{"collection": "notes", "rule": "view",
			"authCollection": core.SuperusersCollectionName, "authId": su.Id(), "recordId": id})
		rec := out["record"].(map[string]any)
		if out["access"] != "superuser" || rec["passes"] != true || rec["clauses"] != nil || out["totalItems"] != float64(1) {
			t.Errorf("%v", out)
		}
	})
	t.Run("guest_public_rule", func(t *testing.T) {
		e.must("PATCH", "/api/collections/notes", e.su, map[string]any{"viewRule": ""})
		out := e.must("POST", "/api/_basalt/rules/test", e.su, map[string]any{"collection": "notes", "rule": "view", "guest": true, "recordId": id})
		if out["access"] != "public" || out["totalItems"] != float64(1) || out["record"].(map[string]any)["passes"] != true {
			t.Errorf("%v", out)
		}
	})
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
