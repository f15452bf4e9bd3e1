package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
)

// The record cache following the store's own commits (committed, commits
// in flight) and answering existence checks inside them.

// TestRecordCacheFollowsOwnCommits: the store's own record writes drop
// just the records they changed, so the rest stays cached across them; a
// write the store cannot describe, or one from another connection, empties
// the cache as before.
func TestRecordCacheFollowsOwnCommits(t *testing.T) {
	eachTier(t, func(t *testing.T, s *Store, cats *core.Collection) {
		ctx := t.Context()
		outside := outsideConn(t, s)
		load := func(id string) *core.Record {
			t.Helper()
			recs, err := s.FindRecords(ctx, cats, []string{id})
			if err != nil || len(recs) != 1 {
				t.Fatalf("load %s: %v, %v", id, recs, err)
			}
			return recs[0]
		}

		steps := []cacheStep{
			{"first read", nil, []string{"c1=Tabby", "c2=Siamese"}, 0, 2},
			{"store updates c2", func() error {
				r := load("c2")
				r.Set("name", "Calico")
				return s.UpdateRecord(ctx, r)
			}, []string{"c1=Tabby", "c2=Calico"}, 1, 1},
			{"store inserts c3", func() error {
				r := core.NewRecord(cats)
				r.Set("id", "c3")
				r.Set("name", "Sphynx")
				return s.InsertRecord(ctx, r)
			}, []string{"c1=Tabby", "c2=Calico"}, 2, 0},
			{"store deletes c1", func() error { return s.DeleteRecord(ctx, load("c1")) }, []string{"c2=Calico"}, 1, 1},
			{"store renames c2 to c1", func() error {
				r := load("c2")
				r.Set("id", "c1")
				return s.UpdateRecord(ctx, r)
			}, []string{"c1=Calico"}, 0, 2},
			{"raw SQL through the store", func() error {
				return s.db.Exec(ctx, "UPDATE cats SET name = 'Ginger' WHERE id = 'c1'", nil)
			}, []string{"c1=Ginger"}, 0, 2},
			{"a record write and raw SQL in one write", func() error {
				return s.RunInTx(ctx, func(ctx context.Context) error {
					r := load("c3")
					r.Set("name", "Persian")
					if err := s.UpdateRecord(ctx, r); err != nil {
						return err
					}
					return s.db.Exec(ctx, "UPDATE cats SET name = 'Ginger2' WHERE id = 'c1'", nil)
				})
			}, []string{"c1=Ginger2"}, 0, 2},
			{"commit from outside", func() error {
				_, err := outside.ExecContext(ctx, "UPDATE cats SET name = 'Manx' WHERE id = 'c3'")
				return err
			}, []string{"c1=Ginger2"}, 0, 2},
			{"outside then the store", func() error {
				if _, err := outside.ExecContext(ctx, "UPDATE cats SET name = 'Bengal' WHERE id = 'c1'"); err != nil {
					return err
				}
				r := load("c3") // a miss: the outside commit emptied the cache
				r.Set("name", "Korat")
				return s.UpdateRecord(ctx, r)
			}, []string{"c1=Bengal"}, 0, 2},
		}
		runCacheSteps(t, s, expandQuery(cats, "c1", "c2"), steps)
		if got := catNames(t, ctx, s, expandQuery(cats, "c3")); !slices.Equal(got, []string{"c3=Korat"}) {
			t.Errorf("c3: %v", got)
		}
	})
}

// TestRecordCacheAdvance: the cache follows a commit only from the data
// it holds and only by exactly one commit; records read before a commit
// it followed are not kept after it.
func TestRecordCacheAdvance(t *testing.T) {
	_, cols := execStore(t)
	c := cols["cats"]
	rec := func(id string) *core.Record { return bareRecord(c, id) }
	cases := []struct {
		name    string
		cached  string // version the cache holds
		before  string
		after   string
		kept    []string
		version string
	}{
		{"one own commit", "v1", "v1", "v2", []string{"b"}, "v2"},
		{"from a restarted log", "v1", "v1r", "v2", []string{"b"}, "v2"},
		{"another commit in between", "v1", "v1", "v3", []string{"a", "b"}, "v1"},
		{"cache behind the commit", "v0", "v1", "v2", []string{"a", "b"}, "v0"},
		{"unreadable tokens", "v1", "x", "v2", []string{"a", "b"}, "v1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := newRecordCache(func() (string, bool) { return tc.cached, true }, testCommits)
			if _, _, ver, ok := rc.lookup(c, []string{"a", "b"}); !ok || ver != tc.cached {
				t.Fatal(ver, ok)
			}
			rc.store(tc.cached, []*core.Record{rec("a"), rec("b")})
			rc.committed(tc.before, tc.after, []recordKey{{c.Id, "a"}}, true)
			var kept []string
			for k := range rc.m {
				kept = append(kept, k.id)
			}
			slices.Sort(kept)
			if !slices.Equal(kept, tc.kept) || rc.ver != tc.version {
				t.Errorf("kept %v at %s; want %v at %s", kept, rc.ver, tc.kept, tc.version)
			}
			// A record read under the old version arrives late.
			rc.store(tc.cached, []*core.Record{rec("a")})
			if _, has := rc.m[recordKey{c.Id, "a"}]; has != (tc.version == tc.cached) {
				t.Errorf("late store kept = %v", has)
			}
		})
	}
}

// testCommits counts commits between test versions "v<commit>" and
// "v<commit>r" (the same data after a log restart).
func testCommits(from, to string) (uint32, bool) {
	var a, b uint32
	if _, err := fmt.Sscanf(strings.TrimSuffix(from, "r"), "v%d", &a); err != nil {
		return 0, false
	}
	if _, err := fmt.Sscanf(strings.TrimSuffix(to, "r"), "v%d", &b); err != nil {
		return 0, false
	}
	return b - a, true
}

// TestRecordCacheCommitInFlight: a lookup that sees the version of one of
// the store's own commits before the cache has followed it reads around
// the cache and leaves it whole; once the commit is followed (or has
// failed) lookups go on as usual.
func TestRecordCacheCommitInFlight(t *testing.T) {
	_, cols := execStore(t)
	c := cols["cats"]
	rec := func(id string) *core.Record { return bareRecord(c, id) }
	cases := []struct {
		name      string
		commitOK  bool
		afterKept []string // rows once the commit has been followed
		resets    uint64
	}{
		{"commit followed", true, []string{"b"}, 0},
		// A failed commit is not followed: the newer version (someone
		// else's commit) empties the cache at the next lookup.
		{"commit failed", false, nil, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			current := "v1"
			rc := newRecordCache(func() (string, bool) { return current, true }, testCommits)
			if _, _, _, ok := rc.lookup(c, []string{"a", "b"}); !ok {
				t.Fatal("first lookup bypassed")
			}
			rc.store("v1", []*core.Record{rec("a"), rec("b")})

			rc.committing()
			current = "v2" // the commit is visible, not yet followed
			hits, missing, _, ok := rc.lookup(c, []string{"a", "b"})
			if ok || len(hits) != 0 || len(missing) != 2 {
				t.Fatalf("lookup during the commit: %d hits, %v missing, ok %v; want a bypass", len(hits), missing, ok)
			}
			if len(rc.m) != 2 || rc.resets.Load() != 0 || rc.bypassed.Load() != 1 {
				t.Fatalf("the lookup during the commit left %d rows, %d resets, %d bypasses", len(rc.m), rc.resets.Load(), rc.bypassed.Load())
			}

			rc.committed("v1", "v2", []recordKey{{c.Id, "a"}}, tc.commitOK)
			hits, missing, _, ok = rc.lookup(c, []string{"a", "b"})
			if !ok {
				t.Fatal("lookup after the commit bypassed")
			}
			var kept []string
			for _, r := range hits {
				kept = append(kept, r.Id())
			}
			if !slices.Equal(kept, tc.afterKept) || len(missing) != 2-len(kept) {
				t.Errorf("after the commit: hits %v, missing %v; want hits %v", kept, missing, tc.afterKept)
			}
			if got := rc.resets.Load(); got != tc.resets {
				t.Errorf("%d resets, want %d", got, tc.resets)
			}
			if !tc.commitOK {
				return
			}
			// A lookup that read the version just before the commit
			// reaches the cache after it was followed: the cache is ahead
			// and serves it, tagging its reads with the newer version.
			current = "v1"
			hits, _, ver, ok := rc.lookup(c, []string{"b"})
			if !ok || len(hits) != 1 || ver != "v2" || rc.resets.Load() != 0 {
				t.Errorf("lookup behind the cache: %d hits at %q, ok %v, %d resets; want 1 hit at v2, no reset", len(hits), ver, ok, rc.resets.Load())
			}
		})
	}
}

// TestRecordCacheKeptUnderOwnWrites: reads running alongside a stream of
// the store's own record writes never empty the cache (each write is
// followed; reads that catch one under way read around it).
func TestRecordCacheKeptUnderOwnWrites(t *testing.T) {
	ctx := t.Context()
	s, cols := execStore(t)
	cats := cols["cats"]
	if _, err := s.FindRecords(ctx, cats, []string{"c1"}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for i := range 200 {
			recs, err := s.FindRecords(ctx, cats, []string{"c2"})
			if err != nil || len(recs) != 1 {
				done <- fmt.Errorf("load c2: %v, %v", recs, err)
				return
			}
			recs[0].Set("name", fmt.Sprint("name", i))
			if err := s.UpdateRecord(ctx, recs[0]); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	reads := 0
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if n := s.recs.resets.Load(); n != 0 {
				t.Errorf("the cache started over %d times during %d reads (%d bypassed)", n, reads, s.recs.bypassed.Load())
			}
			if got := catNames(t, ctx, s, expandQuery(cats, "c2")); !slices.Equal(got, []string{"c2=name199"}) {
				t.Errorf("c2 after the writes: %v", got)
			}
			return
		default:
		}
		recs, err := s.FindRecords(ctx, cats, []string{"c1"})
		if err != nil || len(recs) != 1 || recs[0].GetString("name") != "Tabby" {
			t.Fatalf("read c1: %v, %v", recs, err)
		}
		reads++
	}
}

// TestExistingIdsFromCache: a relation check is answered from the record
// cache only for records it holds in the data the reader sees, and never
// for a record the current write group touched or after a statement the
// group cannot describe; the answer is always the database's.
func TestExistingIdsFromCache(t *testing.T) {
	cases := []struct {
		name string
		// in runs inside a write group before the check; nil checks
		// outside any write.
		in      func(ctx context.Context, s *Store, cats *core.Collection) error
		outside string // SQL committed from another connection first
		known   []string
		exist   []string
	}{
		{name: "outside a write", known: []string{"c1"}, exist: []string{"c1"}},
		{name: "in a write", in: func(context.Context, *Store, *core.Collection) error { return nil },
			known: []string{"c1"}, exist: []string{"c1"}},
		{name: "deleted by the group", in: func(ctx context.Context, s *Store, cats *core.Collection) error {
			recs, err := s.FindRecords(ctx, cats, []string{"c1"})
			if err != nil {
				return err
			}
			return s.DeleteRecord(ctx, recs[0])
		}, exist: nil},
		{name: "raw SQL in the group", in: func(ctx context.Context, s *Store, _ *core.Collection) error {
			return s.db.Exec(ctx, "DELETE FROM cats WHERE id = 'c1'", nil)
		}, exist: nil},
		{name: "committed elsewhere, outside a write", outside: "DELETE FROM cats WHERE id = 'c1'", exist: nil},
		{name: "committed elsewhere, in a write", in: func(context.Context, *Store, *core.Collection) error { return nil },
			outside: "DELETE FROM cats WHERE id = 'c1'", exist: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			s, cols := execStore(t)
			cats := cols["cats"]
			if _, err := s.FindRecords(ctx, cats, []string{"c1"}); err != nil { // cache c1, not c2
				t.Fatal(err)
			}
			if tc.outside != "" {
				if _, err := outsideConn(t, s).ExecContext(ctx, tc.outside); err != nil {
					t.Fatal(err)
				}
			}
			ids := []string{"c1", "c2"}
			check := func(ctx context.Context) error {
				known, rest := s.cachedExisting(ctx, cats, ids)
				if !slices.Equal(known, tc.known) || len(known)+len(rest) != len(ids) {
					t.Errorf("from the cache %v, rest %v; want %v from the cache", known, rest, tc.known)
				}
				got, err := s.ExistingIds(ctx, cats, ids)
				if err != nil {
					return err
				}
				slices.Sort(got)
				if want := append(slices.Clone(tc.exist), "c2"); !slices.Equal(got, want) {
					t.Errorf("ExistingIds = %v, want %v", got, want)
				}
				return nil
			}
			if tc.in == nil {
				if err := check(ctx); err != nil {
					t.Fatal(err)
				}
				return
			}
			err := s.RunInTx(ctx, func(ctx context.Context) error {
				if err := tc.in(ctx, s, cats); err != nil {
					return err
				}
				return check(ctx)
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
