package store

import (
	"fmt"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/filter"
)

// candidateSchema: users (auth, with a role) and members, which points at
// users (user), at itself (parent, single) and at users again (friends,
// multiple).
func candidateSchema() []*core.Collection {
	users := core.NewAuthCollection("users")
	users.Id = core.UsersCollectionId
	users.ListRule = strp("")
	users.Fields = append(users.Fields,
		&core.TextField{BaseField: base("name")},
		&core.TextField{BaseField: base("role")},
	)
	members := core.NewBaseCollection("members")
	members.Id = "pbc_members"
	members.ListRule = strp("")
	members.Fields = append(members.Fields,
		&core.RelationField{BaseField: base("user"), CollectionId: core.UsersCollectionId, MaxSelect: 1},
		&core.RelationField{BaseField: base("parent"), CollectionId: "pbc_members", MaxSelect: 1},
		&core.RelationField{BaseField: base("friends"), CollectionId: core.UsersCollectionId, MaxSelect: 5},
		&core.BoolField{BaseField: base("locked")},
	)
	return []*core.Collection{users, members}
}

const (
	cu1 = "u1aaaaaaaaaaaaa" // an admin and a member
	cu2 = "u2aaaaaaaaaaaaa" // a plain user, not a member
)

// TestCandidateRulesReadRealTables checks that a write rule evaluated
// against a candidate row reads only the rule's own row from the
// candidate: every other reference to the same collection (@collection,
// self-relations, back-relations, @request.body relations, @request.auth
// in the auth collection) reads the real table (issue #22, defect 1).
func TestCandidateRulesReadRealTables(t *testing.T) { forEngines(t, testCandidateRulesReadRealTables) }

func testCandidateRulesReadRealTables(t *testing.T) {
	t.Parallel()
	s, cols := schemaStore(t, candidateSchema())
	insertRow(t, s, "users", map[string]any{"id": cu1, "email": "one@example.com", "name": "User One", "role": "admin"})
	insertRow(t, s, "users", map[string]any{"id": cu2, "email": "two@example.com", "name": "User Two", "role": "user"})
	// m1 is locked; m2, a child of m1, belongs to u1.
	insertRow(t, s, "members", map[string]any{"id": "m1aaaaaaaaaaaaa", "user": cu1, "parent": "", "friends": "[]", "locked": true})
	insertRow(t, s, "members", map[string]any{"id": "m2aaaaaaaaaaaaa", "user": cu1, "parent": "m1aaaaaaaaaaaaa", "friends": "[]", "locked": false})

	tests := []struct {
		name string
		coll string
		rule string
		as   string // auth record id, "" for a guest
		cand map[string]any
		body map[string]any
		want int
	}{
		{name: "collection_self_non_member", coll: "members", rule: `@collection.members.user ?= @request.auth.id`, as: cu2,
			cand: map[string]any{"user": cu2}, want: 0},
		{name: "collection_self_member", coll: "members", rule: `@collection.members.user ?= @request.auth.id`, as: cu1,
			cand: map[string]any{"user": cu1}, want: 1},
		{name: "collection_self_all", coll: "members", rule: `@collection.members.locked = false`, as: cu2,
			cand: map[string]any{"locked": false}, want: 0},
		{name: "self_relation_locked_parent", coll: "members", rule: `parent.locked != true`, as: cu2,
			cand: map[string]any{"parent": "m1aaaaaaaaaaaaa"}, want: 0},
		{name: "self_relation_open_parent", coll: "members", rule: `parent.locked != true`, as: cu2,
			cand: map[string]any{"parent": "m2aaaaaaaaaaaaa"}, want: 1},
		// The candidate names itself as its own parent: the parent must be
		// read from the table, where it does not exist.
		{name: "self_relation_points_at_candidate", coll: "members", rule: `parent.members_via_parent.user ?= @request.auth.id`, as: cu2,
			cand: map[string]any{"id": "x1aaaaaaaaaaaaa", "parent": "x1aaaaaaaaaaaaa", "user": cu2}, want: 0},
		{name: "back_relation_sibling", coll: "members", rule: `parent.members_via_parent.user ?= @request.auth.id`, as: cu1,
			cand: map[string]any{"parent": "m1aaaaaaaaaaaaa", "user": cu1}, want: 1},
		{name: "back_relation_of_candidate", coll: "members", rule: `members_via_parent.user ?= @request.auth.id`, as: cu2,
			cand: map[string]any{"id": "x2aaaaaaaaaaaaa", "parent": "x2aaaaaaaaaaaaa", "user": cu2}, want: 0},
		{name: "body_self_relation", coll: "members", rule: `@request.body.parent.locked != true`, as: cu2,
			cand: map[string]any{"parent": "m1aaaaaaaaaaaaa"}, body: map[string]any{"parent": "m1aaaaaaaaaaaaa"}, want: 0},
		{name: "body_self_relation_open", coll: "members", rule: `@request.body.parent.locked != true`, as: cu2,
			cand: map[string]any{"parent": "m2aaaaaaaaaaaaa"}, body: map[string]any{"parent": "m2aaaaaaaaaaaaa"}, want: 1},
		// Creating a user into the caller's own auth collection: the
		// caller's role is the stored one, not the submitted one.
		{name: "auth_collection_self_escalation", coll: "users", rule: `@request.auth.role = "admin"`, as: cu2,
			cand: map[string]any{"id": cu2, "role": "admin"}, want: 0},
		{name: "auth_collection_admin", coll: "users", rule: `@request.auth.role = "admin"`, as: cu1,
			cand: map[string]any{"role": "user"}, want: 1},
		// The rule's own row is the candidate, in the main query and in
		// the all-match subquery alike.
		{name: "own_row_plain", coll: "members", rule: `locked = true && user = @request.auth.id`, as: cu2,
			cand: map[string]any{"locked": true, "user": cu2}, want: 1},
		{name: "own_row_multi_all_match", coll: "members", rule: `friends.name = "User One"`, as: cu2,
			cand: map[string]any{"friends": []string{cu1}}, want: 1},
		{name: "own_row_multi_all_match_fails", coll: "members", rule: `friends.name = "User One"`, as: cu2,
			cand: map[string]any{"friends": []string{cu1, cu2}}, want: 0},
		{name: "own_row_each", coll: "members", rule: `friends:each != "` + cu2 + `"`, as: cu2,
			cand: map[string]any{"friends": []string{cu1, cu2}}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := cols[tt.coll]
			cand := core.NewRecord(col)
			cand.SetCanonical(core.FieldId, "__pb_create__")
			for k, v := range tt.cand {
				cand.Set(k, v)
			}
			req := &core.RequestInfo{Method: "POST", Context: core.ContextDefault, Body: tt.body}
			if tt.as != "" {
				req.Auth = authRecord(cols["users"], tt.as, "", false)
			}
			res, err := s.Query(t.Context(), &core.RecordQuery{
				Collection: col, Filters: []core.FilterClause{{Expr: filter.MustParse(tt.rule)}},
				Candidate: cand, Request: req, Count: true,
			})
			if err != nil {
				t.Fatalf("Query: %v", err)
			}
			if res.Total != tt.want {
				t.Errorf("rule %q on candidate %v: total = %d, want %d", tt.rule, tt.cand, res.Total, tt.want)
			}
		})
	}
}

// BenchmarkCandidateRule is a create rule checked against a candidate
// row (the create-under-rule hot path): on the row's own fields, and
// joining its own collection (which now reads the 200-row table, where it
// used to read the one-row candidate).
func BenchmarkCandidateRule(b *testing.B) {
	s, cols := schemaStore(b, candidateSchema())
	for i := 0; i < 200; i++ {
		insertRow(b, s, "members", map[string]any{"id": fmt.Sprintf("m%014d", i), "user": fmt.Sprintf("u%014d", i%50), "parent": "", "friends": "[]", "locked": false})
	}
	req := &core.RequestInfo{Method: "POST", Context: core.ContextDefault, Auth: authRecord(cols["users"], "u00000000000007", "", false)}
	cand := core.NewRecord(cols["members"])
	cand.SetCanonical(core.FieldId, "__pb_create__")
	cand.Set("user", "u00000000000007")
	for _, bc := range []struct{ name, rule string }{
		{"own-row", `user = @request.auth.id && locked = false`},
		{"self-join", `@collection.members.user ?= @request.auth.id && parent.locked != true`},
	} {
		rule := filter.MustParse(bc.rule)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := s.Query(b.Context(), &core.RecordQuery{
					Collection: cols["members"], Filters: []core.FilterClause{{Expr: rule}}, Candidate: cand, Request: req, Count: true,
				})
				if err != nil || res.Total != 1 {
					b.Fatalf("total %v, err %v", res, err)
				}
			}
		})
	}
}
