package store

import (
	"sort"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/filter"
)

// guardSchema: boards (public) point at notes (listable by their owner
// only) through a multiple relation, and notes point back at their board
// (notes_via_board); boards also list their members (users, public, with
// e-mails private unless emailVisibility).
func guardSchema() []*core.Collection {
	users := core.NewAuthCollection("users")
	users.Id = core.UsersCollectionId
	users.ListRule = strp("")
	users.Fields = append(users.Fields,
		&core.TextField{BaseField: base("name")},
		&core.TextField{BaseField: core.BaseField{Name: "pin", Hidden: true}},
		&core.RelationField{BaseField: base("friends"), CollectionId: core.UsersCollectionId, MaxSelect: 9},
	)

	boards := core.NewBaseCollection("boards")
	boards.Id = "pbc_boards"
	boards.ListRule = strp("")

	notes := core.NewBaseCollection("notes")
	notes.Id = "pbc_notes"
	notes.ListRule = strp("owner = @request.auth.id")
	notes.Fields = append(notes.Fields,
		&core.TextField{BaseField: base("title")},
		&core.RelationField{BaseField: base("owner"), CollectionId: core.UsersCollectionId, MaxSelect: 1},
		&core.RelationField{BaseField: base("board"), CollectionId: "pbc_boards", MaxSelect: 1},
		&core.SelectField{BaseField: base("tags"), Values: []string{"a", "b"}, MaxSelect: 2},
	)
	boards.Fields = append(boards.Fields,
		&core.TextField{BaseField: base("name")},
		&core.RelationField{BaseField: base("notes"), CollectionId: "pbc_notes", MaxSelect: 9},
		&core.RelationField{BaseField: base("members"), CollectionId: core.UsersCollectionId, MaxSelect: 9},
		&core.RelationField{BaseField: base("lead"), CollectionId: core.UsersCollectionId, MaxSelect: 1},
	)
	return []*core.Collection{users, boards, notes}
}

// TestFilterGuardsAreValueOblivious is the differential test of "every
// join is guarded" (issue #22, defect 5): a client filter by u1 over
// boards must give the same answer whatever the values of n2, a note u1
// cannot list, and of u2's private e-mail — under every operator,
// negated and "any" forms, :each and :length, through a multiple
// relation, a back-relation and @collection.
func TestFilterGuardsAreValueOblivious(t *testing.T) {
	forEngines(t, testFilterGuardsAreValueOblivious)
}

func testFilterGuardsAreValueOblivious(t *testing.T) {
	t.Parallel()
	s, cols := schemaStore(t, guardSchema())
	insertRow(t, s, "users", map[string]any{"id": cu1, "email": "one@example.com", "emailVisibility": true, "name": "User One", "friends": `["` + cu2 + `"]`})
	insertRow(t, s, "users", map[string]any{"id": cu2, "email": "two@example.com", "emailVisibility": false, "name": "User Two", "friends": `[]`})
	insertRow(t, s, "boards", map[string]any{"id": "b1", "name": "shared", "notes": `["n1","n2"]`, "members": `["` + cu1 + `","` + cu2 + `"]`})
	insertRow(t, s, "boards", map[string]any{"id": "b2", "name": "empty", "notes": `[]`, "members": `[]`})
	insertRow(t, s, "notes", map[string]any{"id": "n1", "title": "mine", "owner": cu1, "board": "b1", "tags": `["a"]`})
	insertRow(t, s, "notes", map[string]any{"id": "n2", "title": "secret", "owner": cu2, "board": "b1", "tags": `["a","b"]`})

	// want is the answer in both worlds: n2 is neither a witness nor a
	// counterexample (b2, with no notes, compares NULL, spec §3.5); a
	// private e-mail never satisfies a comparison, so it fails every
	// all-match.
	cases := []struct{ filter, want string }{
		{`notes.title != "secret"`, "b1,b2"},
		{`notes.title !~ "sec"`, "b1"},
		{`notes.title ?!= "secret"`, "b1,b2"},
		{`notes.title ?!~ "sec"`, "b1"},
		{`notes.title = "mine"`, "b1"},
		{`notes.title ~ "min"`, "b1"},
		{`notes.title ?= "secret"`, ""},
		{`notes.title ?~ "sec"`, ""},
		{`notes.title:each !~ "sec%"`, "b1"},
		{`notes.title:each ?!= "secret"`, "b1,b2"},
		{`notes.title:lower != "secret"`, "b1,b2"},
		{`notes.tags:length < 2`, "b1,b2"},
		{`notes.tags:each != "b"`, "b1,b2"},
		{`notes.tags:each ?= "b"`, ""},
		{`notes_via_board.title != "secret"`, "b1,b2"},
		{`notes_via_board.title !~ "sec"`, "b1"},
		{`notes_via_board.title ?!= "secret"`, "b1,b2"},
		{`notes_via_board.tags:length < 2`, "b1,b2"},
		{`notes_via_board.title = notes.title`, "b1,b2"},
		{`@collection.notes.title != "secret"`, "b1,b2"},
		{`@collection.notes.title !~ "sec"`, "b1,b2"},
		{`@collection.notes.title ?= "secret"`, ""},
		{`strftime('%Y', notes.title) = ""`, "b1,b2"},
		{`members.email != "two@example.com"`, ""},
		{`members.email !~ "two"`, ""},
		{`members.email ?!= "two@example.com"`, "b1"},
		{`members.email ?= "two@example.com"`, ""},
		{`members.email:lower != "two@example.com"`, ""},
		// through the caller's own record to another one
		{`@request.auth.friends.email != "two@example.com"`, ""},
		{`@request.auth.friends.email ?= "two@example.com"`, ""},
		{`@request.auth.friends.email:lower ?~ "two"`, ""},
		{`@request.auth.friends.name ?= "User Two"`, "b1,b2"},
		{`@request.auth.pin = ""`, "error: hidden"}, // even the caller's own hidden field
		{`@request.auth.friends.pin ?= ""`, "error: hidden"},
	}
	run := func(t *testing.T, f string) string {
		t.Helper()
		q := &core.RecordQuery{
			Collection: cols["boards"],
			Filters:    []core.FilterClause{{Expr: filter.MustParse(f), Client: true}},
			Request:    &core.RequestInfo{Method: "GET", Context: core.ContextDefault, Auth: authRecord(cols["users"], cu1, "one@example.com", true)},
			Count:      true,
		}
		res, err := s.Query(t.Context(), q)
		if err != nil {
			if strings.Contains(err.Error(), "hidden field") {
				return "error: hidden"
			}
			return "error: " + err.Error()
		}
		ids := make([]string, len(res.Records))
		for i, r := range res.Records {
			ids[i] = r.Id()
		}
		sort.Strings(ids)
		if res.Total != len(ids) {
			t.Errorf("filter %q: total %d, %d records", f, res.Total, len(ids))
		}
		return strings.Join(ids, ",")
	}
	before := make([]string, len(cases))
	for i, tc := range cases {
		before[i] = run(t, tc.filter)
	}
	// The other world: n2's values and u2's private e-mail changed.
	for _, stmt := range []string{
		`UPDATE "notes" SET "title" = 'mine', "tags" = '["a"]' WHERE "id" = 'n2'`,
		`UPDATE "users" SET "email" = 'other@example.com' WHERE "id" = '` + cu2 + `'`,
	} {
		if err := s.db.Exec(t.Context(), stmt, nil); err != nil {
			t.Fatal(err)
		}
	}
	for i, tc := range cases {
		after := run(t, tc.filter)
		if before[i] != after {
			t.Errorf("filter %q answers %q, then %q after hidden values changed", tc.filter, before[i], after)
		}
		if before[i] != tc.want {
			t.Errorf("filter %q = %q, want %q", tc.filter, before[i], tc.want)
		}
	}
}
