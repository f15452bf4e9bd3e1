package authztest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/testenv"
)

// world is one running server holding one variant of the fixture.
type world struct {
	name string
	s    *testenv.Server
	su   string // superuser token
	// tokens of the callers, by caller name ("" for the guest).
	tokens map[string]string
}

// callers are the non-superusers whose answers must not depend on what
// they cannot see: a guest and user A.
var callers = []string{"guest", "userA"}

// rid makes a 15-character record id from a short name, so failure
// messages read "p4" rather than a random id.
func rid(short string) string { return short + strings.Repeat("0", 15-len(short)) }

// shortId turns rid's output back into its short name (or returns id).
func shortId(id string) string {
	if len(id) == 15 {
		if t := strings.TrimRight(id, "0"); t != "" && len(t) <= 4 {
			return t
		}
	}
	return id
}

// recSpec is one fixture record.
type recSpec struct {
	coll string
	id   string
	data map[string]any
}

// The fixture's visibility (guest / user A, both under the rules below):
//
//	users    list/view: public = true || id = @request.auth.id
//	         ua (A, private, emailVisibility false), ub (public, email
//	         visible), uc (public, email hidden), ud, ue (private)
//	tags     open = true || owner = @request.auth.id
//	         t1 open; t2 A's own; t3, t4 hidden (others', closed)
//	posts    published = true || author = @request.auth.id; secret hidden
//	         p1, p2, p5 published; p3 A's draft; p4, p6 others' drafts
//	comments flagged = false || author = @request.auth.id (via @collection)
//	         c1, c4 visible; c3 A's own flagged; c2, c5 others' flagged
//	notes    no list rule (superusers only)
//
// Data hidden from both callers (ud, ue, t3, t4, p4, p6, c2, c5, notes,
// uc's e-mail, every post's secret, password hashes and token keys) is
// what differs between worlds; everything else is identical.
const (
	usersRule = "public = true || id = @request.auth.id"
	tagsRule  = "open = true || owner = @request.auth.id"
	postsRule = "published = true || author = @request.auth.id"
	// The memberships idiom (an @collection join in a list rule), here
	// meaning "author = @request.auth.id": every guard that walks into
	// comments carries a cross join.
	commentsRule = "flagged = false || (@collection.users:me.id ?= @request.auth.id && @collection.users:me.id ?= author)"
)

// worldNames: w0 is the base; w1 changes hidden values and relations;
// w2 removes some hidden records, adds others and changes values again;
// w3 is w0 with user A's private data changed (ua itself, A's closed tag
// t2, A's draft p3, A's flagged comment c3): hidden from guests only, so
// it is compared for guests only.
var worldNames = []string{"w0", "w1", "w2", "w3"}

// guestWorld is the index of the world compared for guests only.
const guestWorld = 3

// comparable reports whether world w may be compared with the base
// world for caller.
func comparable(w int, caller string) bool { return w != guestWorld || caller == "guest" }

// guestOnlyVariant changes what only user A (and no guest) may see.
func guestOnlyVariant(recs []recSpec) []recSpec {
	for _, r := range recs {
		switch shortId(r.id) {
		case "ua":
			r.data["name"], r.data["score"], r.data["email"] = "gamma", 5, "beta@zz.io"
		case "t2":
			r.data["title"], r.data["weight"] = "alpha", 5
		case "p3":
			r.data["title"], r.data["views"], r.data["tags"], r.data["parent"] = "alpha", 0, []string{rid("t1")}, rid("p2")
		case "c3":
			r.data["body"], r.data["post"] = "alpha", rid("p1")
		}
	}
	recs = append(recs, recSpec{"posts", rid("p8"), map[string]any{"title": "alpha", "views": 1, "secret": "x",
		"published": false, "author": rid("ua"), "tags": []string{rid("t1")}, "parent": rid("p1")}})
	return recs
}

// pick returns the value for world w (the last one when vs is shorter).
func pick(w int, vs ...any) any {
	if w < len(vs) {
		return vs[w]
	}
	return vs[len(vs)-1]
}

// fixtureRecords lists world w's records in creation order (parents
// before the records pointing at them).
func fixtureRecords(w int) []recSpec {
	if w == guestWorld {
		return guestOnlyVariant(fixtureRecords(0))
	}
	user := func(short, email string, public, emailVis bool, name string, score any) recSpec {
		return recSpec{"users", rid(short), map[string]any{
			"email": email, "emailVisibility": emailVis, "verified": true,
			"password": "password123", "passwordConfirm": "password123",
			"name": name, "public": public, "score": score}}
	}
	var out []recSpec
	out = append(out,
		user("ua", "alpha@ex.io", false, false, "alpha", 1),
		user("ub", "beta@ex.io", true, true, "beta", 2),
		user("uc", pick(w, "gamma@ex.io", "alpha@zz.io", "beta@zz.io").(string), true, false, "gamma", 3),
		user("ud", pick(w, "delta@ex.io", "beta@zz.io", "gamma@zz.io").(string), false, pick(w, false, true, false).(bool),
			pick(w, "delta", "alpha", "").(string), pick(w, 4, 1, 0)),
		user("ue", pick(w, "epsilon@ex.io", "gamma@zz.io", "alpha@yy.io").(string), false, true,
			pick(w, "epsilon", "beta", "gamma").(string), pick(w, 5, 3, 2)),
	)
	if w == 2 {
		out = append(out, user("uf", "alpha@zz.io", false, true, "alpha", 1))
	}
	tag := func(short, title string, open bool, owner string, weight any) recSpec {
		return recSpec{"tags", rid(short), map[string]any{"title": title, "open": open, "owner": rid(owner), "weight": weight}}
	}
	out = append(out,
		tag("t1", "alpha", true, "ub", 1),
		tag("t2", "beta", false, "ua", 2),
		tag("t3", pick(w, "gamma", "alpha", "beta").(string), false, pick(w, "ub", "uc", "ud").(string), pick(w, 3, 5, 0)),
		tag("t4", pick(w, "delta", "beta", "").(string), false, pick(w, "ud", "ue", "ub").(string), pick(w, 4, 1, 2)),
	)
	if w == 2 {
		out = append(out, tag("t5", "alpha", false, "ud", 1))
	}
	post := func(short, title string, views any, secret string, published bool, author string, tags []string, parent string) recSpec {
		ids := []string{}
		for _, t := range tags {
			ids = append(ids, rid(t))
		}
		p := ""
		if parent != "" {
			p = rid(parent)
		}
		return recSpec{"posts", rid(short), map[string]any{"title": title, "views": views, "secret": secret,
			"published": published, "author": rid(author), "tags": ids, "parent": p}}
	}
	secret := func(s string) string { return pick(w, s, "alpha", "").(string) }
	out = append(out,
		post("p1", "alpha", 1, secret("s1"), true, "ub", []string{"t1", "t3"}, ""),
		post("p4", pick(w, "delta", "alpha", "beta").(string), pick(w, 4, 1, 0), secret("s4"), false,
			pick(w, "ud", "ue", "ub").(string), pick(w, []string{"t1", "t4"}, []string{"t3"}, []string{}).([]string),
			pick(w, "p1", "", "p1").(string)),
		post("p2", "beta", 2, secret("s2"), true, "uc", []string{"t3", "t4"}, "p1"),
		post("p3", "gamma", 3, secret("s3"), false, "ua", []string{"t2"}, "p4"),
		post("p5", "alpha beta", 0, secret("s5"), true, "ud", []string{}, "p4"),
	)
	if w != 2 {
		out = append(out, post("p6", pick(w, "gamma", "beta").(string), pick(w, 5, 2), secret("s6"), false, "ub",
			pick(w, []string{"t4"}, []string{"t1", "t3"}).([]string), pick(w, "p2", "p1").(string)))
	} else {
		out = append(out, post("p7", "alpha", 2, "x", false, "uc", []string{"t1", "t5"}, "p1"))
	}
	comment := func(short, body, post, author string, flagged bool) recSpec {
		return recSpec{"comments", rid(short), map[string]any{"body": body, "post": rid(post), "author": rid(author), "flagged": flagged}}
	}
	out = append(out,
		comment("c1", "alpha", "p1", "ub", false),
		comment("c2", pick(w, "beta", "gamma", "alpha").(string), pick(w, "p1", "p2", "p5").(string), pick(w, "uc", "ud", "ub").(string), true),
		comment("c3", "gamma", "p2", "ua", true),
		comment("c4", "delta", "p4", "ub", false),
	)
	if w != 2 {
		out = append(out, comment("c5", pick(w, "alpha", "beta").(string), "p2", "ud", true))
	} else {
		out = append(out, comment("c6", "gamma", "p5", "ue", true), comment("c7", "alpha", "p1", "ud", true))
	}
	note := func(short, text, post string) recSpec {
		return recSpec{"notes", rid(short), map[string]any{"text": text, "post": rid(post)}}
	}
	switch w {
	case 0:
		out = append(out, note("n1", "alpha", "p1"), note("n2", "gamma", "p2"))
	case 1:
		out = append(out, note("n1", "beta", "p2"), note("n2", "alpha", "p5"))
	case 2:
		out = append(out, note("n2", "delta", "p1"), note("n3", "alpha", "p2"), note("n4", "beta", "p5"))
	}
	return out
}

// allIds lists every record id any world holds, by collection: the ids a
// generated filter or view may name (hidden ones included).
func allIds() map[string][]string {
	seen := map[string]bool{}
	out := map[string][]string{}
	for w := range worldNames {
		for _, r := range fixtureRecords(w) {
			if !seen[r.id] {
				seen[r.id] = true
				out[r.coll] = append(out[r.coll], r.id)
			}
		}
	}
	return out
}

// do sends a request and returns the status and raw body.
func (w *world) do(t testing.TB, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, w.s.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := w.s.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// must sends a superuser request that has to succeed.
func (w *world) must(t testing.TB, method, path string, body any) map[string]any {
	t.Helper()
	st, raw := w.do(t, method, path, w.su, body)
	if st != 200 && st != 204 {
		t.Fatalf("%s: %s %s: %d %s", w.name, method, path, st, raw)
	}
	var out map[string]any
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

// newWorlds starts one server per world with the fixture loaded.
func newWorlds(t testing.TB) []*world {
	t.Helper()
	ws := make([]*world, len(worldNames))
	for i, name := range worldNames {
		ws[i] = newWorld(t, i, name)
	}
	return ws
}

func field(name, typ string, extra ...any) map[string]any {
	m := map[string]any{"name": name, "type": typ}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

func newWorld(t testing.TB, wi int, name string) *world {
	t.Helper()
	s := testenv.StartServer(t)
	w := &world{name: name, s: s, tokens: map[string]string{}}
	w.su = s.Superuser("admin@example.com", "password123")

	users := w.must(t, "GET", "/api/collections/users", nil)
	usersId := users["id"].(string)
	fields := users["fields"].([]any)
	fields = append(fields, field("public", "bool"), field("score", "number"))
	w.must(t, "PATCH", "/api/collections/users", map[string]any{
		"listRule": usersRule, "viewRule": usersRule, "fields": fields})
	tags := w.must(t, "POST", "/api/collections", map[string]any{
		"name": "tags", "listRule": tagsRule, "viewRule": tagsRule,
		"fields": []any{field("title", "text"), field("open", "bool"), field("weight", "number"),
			field("owner", "relation", "collectionId", usersId, "maxSelect", 1)}})
	posts := w.must(t, "POST", "/api/collections", map[string]any{
		"name": "posts", "listRule": postsRule, "viewRule": postsRule,
		"createRule": "author = @request.auth.id", "updateRule": "author = @request.auth.id",
		"fields": []any{field("title", "text"), field("views", "number"), field("secret", "text", "hidden", true),
			field("published", "bool"),
			field("author", "relation", "collectionId", usersId, "maxSelect", 1),
			field("tags", "relation", "collectionId", tags["id"], "maxSelect", 10)}})
	pf := append(posts["fields"].([]any), field("parent", "relation", "collectionId", posts["id"], "maxSelect", 1))
	w.must(t, "PATCH", "/api/collections/posts", map[string]any{"fields": pf})
	w.must(t, "POST", "/api/collections", map[string]any{
		"name": "comments", "listRule": commentsRule, "viewRule": commentsRule,
		"fields": []any{field("body", "text"), field("flagged", "bool"),
			field("post", "relation", "collectionId", posts["id"], "maxSelect", 1),
			field("author", "relation", "collectionId", usersId, "maxSelect", 1)}})
	w.must(t, "POST", "/api/collections", map[string]any{
		"name": "notes",
		"fields": []any{field("text", "text"),
			field("post", "relation", "collectionId", posts["id"], "maxSelect", 1)}})
	w.must(t, "PATCH", "/api/settings", map[string]any{"batch": map[string]any{"enabled": true, "maxRequests": 50}})

	for _, r := range fixtureRecords(wi) {
		data := map[string]any{"id": r.id}
		for k, v := range r.data {
			data[k] = v
		}
		w.must(t, "POST", "/api/collections/"+r.coll+"/records", data)
	}
	w.tokens["guest"] = ""
	if wi == guestWorld {
		return w // user A's login differs here; only guests are compared
	}
	st, raw := w.do(t, "POST", "/api/collections/users/auth-with-password", "",
		map[string]any{"identity": "alpha@ex.io", "password": "password123"})
	if st != 200 {
		t.Fatalf("%s: auth A: %d %s", name, st, raw)
	}
	var auth struct{ Token string }
	if err := json.Unmarshal(raw, &auth); err != nil || auth.Token == "" {
		t.Fatalf("%s: auth A: %s", name, raw)
	}
	w.tokens["userA"] = auth.Token
	return w
}

// normalize re-encodes a JSON answer canonically, without the
// created/updated timestamps (they differ between worlds by
// construction); when sortItems is set, a list's items are ordered by id.
func normalize(raw []byte, sortItems bool) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	v = strip(v)
	if m, ok := v.(map[string]any); ok && sortItems {
		if items, ok := m["items"].([]any); ok {
			sortById(items)
		}
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func strip(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "created")
		delete(x, "updated")
		for k, e := range x {
			x[k] = strip(e)
		}
	case []any:
		for i, e := range x {
			x[i] = strip(e)
		}
	}
	return v
}

func sortById(items []any) {
	id := func(v any) string {
		if m, ok := v.(map[string]any); ok {
			s, _ := m["id"].(string)
			return s
		}
		return fmt.Sprint(v)
	}
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && id(items[j]) < id(items[j-1]); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

// shorten makes ids in a message readable ("p4" for "p40000000000000").
func shorten(s string) string {
	for _, ids := range allIds() {
		for _, id := range ids {
			s = strings.ReplaceAll(s, id, shortId(id))
		}
	}
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}
