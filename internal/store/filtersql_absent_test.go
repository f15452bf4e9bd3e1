package store

import (
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/filter"
)

// TestHiddenRowsReadAsAbsent is the differential test of issue #22's
// second round: a client filter or sort by u1 over boards (or users) must
// answer the same, in the same order, whether or not notes u1 cannot list
// exist, and whatever u2's private e-mail is. A back-relation whose only
// rows are hidden reads as one with none; a private e-mail sorts as if
// absent.
func TestHiddenRowsReadAsAbsent(t *testing.T) { forEngines(t, testHiddenRowsReadAsAbsent) }

func testHiddenRowsReadAsAbsent(t *testing.T) {
	t.Parallel()
	s, cols := schemaStore(t, guardSchema())
	insertRow(t, s, "users", map[string]any{"id": cu1, "email": "one@example.com", "emailVisibility": true, "name": "User One", "friends": `[]`})
	insertRow(t, s, "users", map[string]any{"id": cu2, "email": "zz@example.com", "emailVisibility": false, "name": "User Two", "friends": `[]`})
	insertRow(t, s, "boards", map[string]any{"id": "b1", "name": "shared", "notes": `["n1"]`, "members": `[]`, "lead": cu2})
	insertRow(t, s, "boards", map[string]any{"id": "b2", "name": "empty", "notes": `[]`, "members": `[]`, "lead": cu1})
	insertRow(t, s, "notes", map[string]any{"id": "n1", "title": "mine", "owner": cu1, "board": "b1", "tags": `["a"]`})

	type query struct{ coll, filter, sort string }
	cases := []struct {
		q    query
		want string // ids in answer order
	}{
		// b2's notes, if any, are all hidden: it has none.
		{query{"boards", `notes_via_board.title ?= ""`, "id"}, "b2"},
		{query{"boards", `notes_via_board.title = ""`, "id"}, "b2"},
		{query{"boards", `notes_via_board.title != "x"`, "id"}, "b1,b2"},
		{query{"boards", `notes_via_board.title !~ "x"`, "id"}, "b1"}, // NULL NOT LIKE is NULL
		{query{"boards", `notes_via_board.title ?!= "mine"`, "id"}, "b2"},
		{query{"boards", `notes_via_board.tags:length < 2`, "id"}, "b1,b2"},
		{query{"boards", `notes_via_board.id = ""`, "id"}, "b2"},
		// sorting by a back-relation keeps every board and orders it by
		// the rows u1 can list (none sorts first, as NULL)
		{query{"boards", "", "notes_via_board.title,id"}, "b2,b1"},
		{query{"boards", "", "-notes_via_board.title,id"}, "b1,b2"},
		{query{"boards", "", "-notes_via_board.owner.name,id"}, "b1,b2"},
		// a private e-mail sorts as if absent, directly or through a relation
		{query{"users", "", "email"}, cu2 + "," + cu1},
		{query{"users", "", "-email"}, cu1 + "," + cu2},
		{query{"boards", "", "lead.email"}, "b1,b2"},
		{query{"boards", "", "-lead.email:lower"}, "b2,b1"},
	}
	run := func(t *testing.T, q query) string {
		t.Helper()
		rq := &core.RecordQuery{
			Collection: cols[q.coll],
			Request:    &core.RequestInfo{Method: "GET", Context: core.ContextDefault, Auth: authRecord(cols["users"], cu1, "one@example.com", true)},
			ClientSort: true,
			Count:      true,
		}
		if q.filter != "" {
			rq.Filters = []core.FilterClause{{Expr: filter.MustParse(q.filter), Client: true}}
		}
		items, err := filter.ParseSort(q.sort)
		if err != nil {
			t.Fatal(err)
		}
		rq.Sort = items
		res, err := s.Query(t.Context(), rq)
		if err != nil {
			return "error: " + err.Error()
		}
		ids := make([]string, len(res.Records))
		for i, r := range res.Records {
			ids[i] = r.Id()
		}
		if res.Total != len(ids) {
			t.Errorf("%+v: total %d, %d records", q, res.Total, len(ids))
		}
		return strings.Join(ids, ",")
	}
	before := make([]string, len(cases))
	for i, tc := range cases {
		before[i] = run(t, tc.q)
	}
	// The other world: notes u1 cannot list appear on both boards (b2's
	// only notes), and u2's private e-mail sorts first.
	insertRow(t, s, "notes", map[string]any{"id": "n2", "title": "a", "owner": cu2, "board": "b1", "tags": `["a","b"]`})
	insertRow(t, s, "notes", map[string]any{"id": "n3", "title": "x", "owner": cu2, "board": "b2", "tags": `["a","b"]`})
	insertRow(t, s, "notes", map[string]any{"id": "n4", "title": "zzz", "owner": cu2, "board": "b2", "tags": `[]`})
	if err := s.db.Exec(t.Context(), `UPDATE "users" SET "email" = 'a@example.com' WHERE "id" = '`+cu2+`'`, nil); err != nil {
		t.Fatal(err)
	}
	for i, tc := range cases {
		after := run(t, tc.q)
		if before[i] != after {
			t.Errorf("%+v answers %q, then %q once hidden rows exist", tc.q, before[i], after)
		}
		if before[i] != tc.want {
			t.Errorf("%+v = %q, want %q", tc.q, before[i], tc.want)
		}
	}
}

// TestRequestAuthBackRelation: a rule may walk a back-relation of the
// caller's own record (@request.auth.notes_via_owner.title, as in
// PocketBase); it used to read as NULL, so such a rule never passed.
func TestRequestAuthBackRelation(t *testing.T) { forEngines(t, testRequestAuthBackRelation) }

func testRequestAuthBackRelation(t *testing.T) {
	t.Parallel()
	s, cols := schemaStore(t, guardSchema())
	insertRow(t, s, "users", map[string]any{"id": cu1, "email": "one@example.com", "name": "User One", "friends": `[]`})
	insertRow(t, s, "users", map[string]any{"id": cu2, "email": "two@example.com", "name": "User Two", "friends": `[]`})
	insertRow(t, s, "boards", map[string]any{"id": "b1", "name": "shared", "notes": `[]`, "members": `[]`})
	insertRow(t, s, "notes", map[string]any{"id": "n1", "title": "mine", "owner": cu1, "board": "b1", "tags": `[]`})
	cases := []struct {
		name, rule, as string
		want           int
	}{
		{"any match", `@request.auth.notes_via_owner.title ?= "mine"`, cu1, 1},
		{"no match", `@request.auth.notes_via_owner.title ?= "mine"`, cu2, 0},
		{"all match", `@request.auth.notes_via_owner.title = "mine"`, cu1, 1},
		{"length", `@request.auth.notes_via_owner.tags:length = 0`, cu1, 1},
		{"unknown stays NULL", `@request.auth.nope_via_owner.title = ""`, cu2, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Query(t.Context(), &core.RecordQuery{
				Collection: cols["boards"],
				Filters:    []core.FilterClause{{Expr: filter.MustParse(tc.rule)}},
				Request:    &core.RequestInfo{Method: "GET", Auth: authRecord(cols["users"], tc.as, "", false)},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) != tc.want {
				t.Fatalf("%s as %s: %d boards, want %d", tc.rule, tc.as, len(res.Records), tc.want)
			}
		})
	}
}

// TestRuleAndClientJoinsStayApart: a list rule (server-side, unguarded)
// and a client filter walking the same back-relation or @collection get
// joins of their own. Sharing one let the client filter read the rows
// the rule's unguarded join holds (the rule comes first), or made the
// rule see only the rows the caller can list.
func TestRuleAndClientJoinsStayApart(t *testing.T) { forEngines(t, testRuleAndClientJoinsStayApart) }

func testRuleAndClientJoinsStayApart(t *testing.T) {
	t.Parallel()
	s, cols := schemaStore(t, guardSchema())
	insertRow(t, s, "users", map[string]any{"id": cu1, "email": "one@example.com", "name": "User One", "pin": "0000", "friends": `[]`})
	insertRow(t, s, "users", map[string]any{"id": cu2, "email": "two@example.com", "name": "User Two", "pin": "1234", "friends": `[]`})
	insertRow(t, s, "boards", map[string]any{"id": "b1", "name": "shared", "notes": `[]`, "members": `["` + cu1 + `","` + cu2 + `"]`})
	insertRow(t, s, "notes", map[string]any{"id": "n1", "title": "mine", "owner": cu1, "board": "b1", "tags": `[]`})
	insertRow(t, s, "notes", map[string]any{"id": "n2", "title": "secret", "owner": cu2, "board": "b1", "tags": `[]`})
	cases := []struct {
		name, rule, filter string
		want               int
	}{
		{"client reads no hidden row", `notes_via_board.title ?!= "zz"`, `notes_via_board.title ?= "secret"`, 0},
		{"client reads no hidden row via @collection", `@collection.notes.title ?!= "zz"`, `@collection.notes.title ?= "secret"`, 0},
		{"rule still reads every row", `notes_via_board.title ?= "secret"`, `notes_via_board.title ?= "mine"`, 1},
		{"rule still reads every @collection row", `@collection.notes.title ?= "secret"`, `@collection.notes.title ?= "mine"`, 1},
		// u2's pin, not u1's, is 1234: a shared join would answer 0 and
		// tell u1 which member's hidden pin the rule matched.
		{"a rule's hidden field is not pinned to a row", `members.pin ?= "1234"`, `members.id ?= "` + cu1 + `"`, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := s.Query(t.Context(), &core.RecordQuery{
				Collection: cols["boards"],
				Filters: []core.FilterClause{
					{Expr: filter.MustParse(tc.rule)},
					{Expr: filter.MustParse(tc.filter), Client: true},
				},
				Request: &core.RequestInfo{Method: "GET", Auth: authRecord(cols["users"], cu1, "one@example.com", true)},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) != tc.want {
				t.Fatalf("rule %s, filter %s: %d boards, want %d", tc.rule, tc.filter, len(res.Records), tc.want)
			}
		})
	}
}
