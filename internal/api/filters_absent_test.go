package api_test

import (
	"net/url"
	"testing"
)

// Issue #22, second round, end to end through the real server.

// TestLengthOnPlainFieldIgnored: ":length" on a field that holds no list
// is ignored, as in PocketBase, in a filter and in a rule (it answered
// 400 and could not be saved).
func TestLengthOnPlainFieldIgnored(t *testing.T) {
	e := newTrustEnv(t)
	for _, tc := range []struct{ name, filter string }{
		{"bool", "locked:length = true"},
		{"through a relation", "user.email:length != ''"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := e.Do("GET", "/api/collections/members/records?filter="+url.QueryEscape(tc.filter), e.su, nil)
			if st != 200 {
				t.Fatalf("filter %s: %d %v", tc.filter, st, body)
			}
		})
	}
	st, body := e.Do("PATCH", "/api/collections/members", e.su, map[string]any{"listRule": "locked:length = false"})
	if st != 200 {
		t.Fatalf("save rule with :length on a bool: %d %v", st, body)
	}
}

// TestRuleWalksRequestAuthBackRelation: a rule may walk a back-relation
// of the caller's own record (@request.auth.members_via_user), as in
// PocketBase; it used to read as NULL, so the rule never passed.
func TestRuleWalksRequestAuthBackRelation(t *testing.T) {
	e := newTrustEnv(t)
	e.patchCollection("members", map[string]any{"createRule": "@request.auth.members_via_user.locked ?= true"})
	for _, tc := range []struct {
		name, tok, user string
		want            int
	}{
		{"caller has a locked membership", e.tok1, e.u1, 200},
		{"caller has none", e.tok2, e.u2, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, body := e.Do("POST", "/api/collections/members/records", tc.tok, map[string]any{"user": tc.user})
			if st != tc.want {
				t.Fatalf("create as %s: %d %v, want %d", tc.user, st, body, tc.want)
			}
		})
	}
}
