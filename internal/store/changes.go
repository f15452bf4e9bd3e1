package store

import (
	"context"
	"strings"
	"sync"
)

// groupChanges records which records a write group changed, so the record
// cache can follow the store's own commits instead of forgetting
// everything on each of them (under a steady stream of creates it would
// otherwise hold nothing for long).
//
// Only the store's record statements (insert, update, delete of one record
// by id) say what they changed. Any other statement of the group — dbx
// queries, schema changes, a hook's raw SQL — marks it untracked, and the
// cache treats its commit like one from another process.
type groupChanges struct {
	mu        sync.Mutex
	keys      []recordKey
	wrote     bool // a record statement changed a row: the group commits
	untracked bool
	// base is the data version the group builds on, read on first need
	// (the group's transaction holds the write lock from BEGIN, so no
	// commit can come between).
	base string
}

// noted returns the keys the group's statements touched so far, and false
// when one of its statements is not described (its changes are then
// unknown).
func (g *groupChanges) noted() ([]recordKey, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.keys, !g.untracked
}

// baseVersion returns the data version the group builds on, reading it
// with version the first time.
func (g *groupChanges) baseVersion(version func() (string, bool)) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.base == "" {
		v, ok := version()
		if !ok {
			return "", false
		}
		g.base = v
	}
	return g.base, true
}

// record notes a statement on one record; changed is whether it changed a
// row.
func (g *groupChanges) record(collection, id string, changed bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.keys = append(g.keys, recordKey{collection, id})
	g.wrote = g.wrote || changed
}

// unknown notes a statement whose effect the group cannot describe.
func (g *groupChanges) unknown() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.untracked = true
}

// known returns the changed keys when every statement was described and at
// least one changed a row (so the commit is exactly one more commit).
func (g *groupChanges) known() ([]recordKey, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.keys, g.wrote && !g.untracked
}

// noteRecord adds a record to the changes of the write ctx carries,
// without claiming a changed row.
func noteRecord(ctx context.Context, collection, id string) {
	if s := txFrom(ctx); s != nil && s.changes != nil {
		s.changes.record(collection, id, false)
	}
}

// readOnlySQL reports whether query is a plain SELECT, the only statement
// that may run through a group's query path without making it untracked.
func readOnlySQL(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	return len(q) >= 6 && strings.EqualFold(q[:6], "select")
}
