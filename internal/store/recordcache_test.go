package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
)

// expandQuery is the query an expand runs: records by id, public rule.
func expandQuery(c *core.Collection, ids ...string) *core.RecordQuery {
	return &core.RecordQuery{Collection: c, Ids: ids, Request: &core.RequestInfo{Context: core.ContextExpand}}
}

// catNames runs q and returns "id=name" per record, sorted.
func catNames(t *testing.T, ctx context.Context, s *Store, q *core.RecordQuery) []string {
	t.Helper()
	res, err := s.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range res.Records {
		out = append(out, r.Id()+"="+r.GetString("name"))
	}
	slices.Sort(out)
	return out
}

// outsideConn opens a connection to s's data file that the store knows
// nothing about, as another process would.
func outsideConn(t *testing.T, s *Store) *sql.DB {
	t.Helper()
	var path string
	if err := s.db.conns.Reader.QueryRowContext(t.Context(), "SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path); err != nil {
		t.Fatal(err)
	}
	outside, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { outside.Close() })
	return outside
}

// cacheStep is a write, then q read through the cache: the records it
// must return and the hits and misses it must count.
type cacheStep struct {
	name         string
	write        func() error
	want         []string
	hits, misses uint64
}

// runCacheSteps runs steps in order, reading q after each write.
func runCacheSteps(t *testing.T, s *Store, q *core.RecordQuery, steps []cacheStep) {
	t.Helper()
	for _, st := range steps {
		if st.write != nil {
			if err := st.write(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		h0, m0 := cacheCounts(s)
		got := catNames(t, t.Context(), s, q)
		h1, m1 := cacheCounts(s)
		if !slices.Equal(got, st.want) {
			t.Errorf("%s: got %v, want %v", st.name, got, st.want)
		}
		if h1-h0 != st.hits || m1-m0 != st.misses {
			t.Errorf("%s: %d hits, %d misses; want %d, %d", st.name, h1-h0, m1-m0, st.hits, st.misses)
		}
	}
}

// cacheTiers are the cache's two ways of serving a hit, decoding the
// row and copying a record kept loaded; the tests that check what a hit
// returns run with each alone.
var cacheTiers = []struct {
	name string
	set  func(*recordCache)
}{
	{"rows", func(rc *recordCache) { rc.hotLimit = 0 }},
	{"loaded", func(rc *recordCache) { rc.hotEvery = 1 }},
}

// cacheCounts returns the cache's hit and miss counters.
func cacheCounts(s *Store) (hits, misses uint64) {
	return s.recs.hits.Load(), s.recs.misses.Load()
}

// TestRecordCacheSeesEveryWriter: a cached record is served again only
// while nothing committed since; a commit by the store, or by a connection
// the store knows nothing about (another process), is seen by the very
// next expand.
func TestRecordCacheSeesEveryWriter(t *testing.T) {
	for _, tier := range cacheTiers {
		t.Run(tier.name, func(t *testing.T) {
			ctx := t.Context()
			s, cols := execStore(t)
			tier.set(s.recs)
			cats := cols["cats"]
			if s.recs == nil {
				t.Fatal("the sqlite store has no record cache")
			}
			outside := outsideConn(t, s)

			steps := []cacheStep{
				{"first read", nil, []string{"c1=Tabby", "c2=Siamese"}, 0, 2},
				{"read again", nil, []string{"c1=Tabby", "c2=Siamese"}, 2, 0},
				{"update from outside", func() error {
					_, err := outside.ExecContext(ctx, "UPDATE cats SET name = 'Ginger' WHERE id = 'c1'")
					return err
				}, []string{"c1=Ginger", "c2=Siamese"}, 0, 2},
				{"cached after it", nil, []string{"c1=Ginger", "c2=Siamese"}, 2, 0},
				{"update by the store", func() error {
					return s.db.Exec(ctx, "UPDATE cats SET name = 'Calico' WHERE id = 'c2'", nil)
				}, []string{"c1=Ginger", "c2=Calico"}, 0, 2},
				{"delete from outside", func() error {
					_, err := outside.ExecContext(ctx, "DELETE FROM cats WHERE id = 'c1'")
					return err
				}, []string{"c2=Calico"}, 0, 2},
			}
			runCacheSteps(t, s, expandQuery(cats, "c1", "c2", "c1"), steps)
		})
	}
}

// TestRecordCacheBypass: reads inside a transaction see its uncommitted
// writes and never touch the cache; paged or filtered queries do not use
// it; views and FindRecords do.
func TestRecordCacheBypass(t *testing.T) {
	ctx := t.Context()
	s, cols := execStore(t)
	cats := cols["cats"]
	catNames(t, ctx, s, expandQuery(cats, "c1")) // cache c1
	h0, m0 := cacheCounts(s)

	var inTx []string
	err := s.RunInTx(ctx, func(ctx context.Context) error {
		if err := s.db.Exec(ctx, "UPDATE cats SET name = 'Ginger' WHERE id = 'c1'", nil); err != nil {
			return err
		}
		inTx = catNames(t, ctx, s, expandQuery(cats, "c1"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"c1=Ginger"}; !slices.Equal(inTx, want) {
		t.Errorf("inside the transaction: got %v, want %v", inTx, want)
	}
	if h1, m1 := cacheCounts(s); h1 != h0 || m1 != m0 {
		t.Errorf("cache used inside the transaction: %d hits, %d misses", h1-h0, m1-m0)
	}
	// A paged query by id is not a plain read by id.
	catNames(t, ctx, s, &core.RecordQuery{Collection: cats, Ids: []string{"c1", "c2"}, PerPage: 10, Page: 1})
	if h1, m1 := cacheCounts(s); h1 != h0 || m1 != m0 {
		t.Errorf("cache used by a paged query: %d hits, %d misses", h1-h0, m1-m0)
	}
	// Views (no request context, or the default one) and auth-record
	// loads read by id through it, after the commit above emptied it.
	for i, q := range []*core.RecordQuery{
		{Collection: cats, Ids: []string{"c1"}},
		{Collection: cats, Ids: []string{"c1"}, Request: &core.RequestInfo{Context: core.ContextDefault}},
	} {
		if got := catNames(t, ctx, s, q); !slices.Equal(got, []string{"c1=Ginger"}) {
			t.Errorf("view %d: %v", i, got)
		}
	}
	if recs, err := s.FindRecords(ctx, cats, []string{"c1"}); err != nil || len(recs) != 1 || recs[0].GetString("name") != "Ginger" {
		t.Errorf("FindRecords: %v, %v", recs, err)
	}
	if h1, m1 := cacheCounts(s); h1-h0 != 2 || m1-m0 != 1 {
		t.Errorf("views: %d hits, %d misses; want 2, 1", h1-h0, m1-m0)
	}
}

// TestRecordCacheCopiesAreIndependent: what a caller does to a record the
// cache handed out — set a value, expand it — shows in no other copy.
func TestRecordCacheCopiesAreIndependent(t *testing.T) {
	for _, tier := range cacheTiers {
		t.Run(tier.name, func(t *testing.T) {
			ctx := t.Context()
			s, cols := execStore(t)
			tier.set(s.recs)
			cats := cols["cats"]
			for i := range 4 {
				res, err := s.Query(ctx, expandQuery(cats, "c1"))
				if err != nil {
					t.Fatal(err)
				}
				r := res.Records[0]
				if got := r.GetString("name"); got != "Tabby" {
					t.Fatalf("read %d: name %q, want Tabby", i, got)
				}
				if r.Expand() != nil {
					t.Fatalf("read %d: expand %v leaked from an earlier copy", i, r.Expand())
				}
				r.Set("name", "changed")
				r.SetExpand(map[string]any{"owner": nil})
			}
			if h, _ := cacheCounts(s); h != 3 {
				t.Errorf("%d hits, want 3", h)
			}
		})
	}
}

// TestRecordCacheBounded: past its byte budget the cache evicts, and what
// it still holds is served as before.
func TestRecordCacheBounded(t *testing.T) {
	ctx := t.Context()
	s, cols := execStore(t)
	cats := cols["cats"]
	res, err := s.Query(ctx, &core.RecordQuery{Collection: cats, Ids: []string{"c1"}})
	if err != nil || len(res.Records) != 1 {
		t.Fatal(res, err)
	}
	row, ok := encodeRow(res.Records[0])
	if !ok {
		t.Fatal("record not encodable")
	}
	one := cachedRecord{row: row}.size()
	s.recs.limit = one * 3 / 2 // room for one of the two records
	for range 5 {
		for _, id := range []string{"c1", "c2"} {
			res, err := s.Query(ctx, &core.RecordQuery{Collection: cats, Ids: []string{id}})
			if err != nil || len(res.Records) != 1 || res.Records[0].Id() != id {
				t.Fatalf("read %s: %v, %v", id, res, err)
			}
		}
		s.recs.mu.Lock()
		n, b := len(s.recs.m), s.recs.bytes
		s.recs.mu.Unlock()
		if n != 1 || b > s.recs.limit {
			t.Fatalf("%d entries, %d bytes; want 1 entry within %d bytes", n, b, s.recs.limit)
		}
	}
	// The first read of c1 in the loop hits: nothing evicted it yet.
	if h, m := cacheCounts(s); h != 1 || m != 10 {
		t.Errorf("alternating over a one-record budget: %d hits, %d misses; want 1, 10", h, m)
	}
}

// TestRecordCacheHotBounded: the records kept loaded stay within their
// bound and are always a subset of the rows, so evicting a row can never
// leave its loaded copy behind.
func TestRecordCacheHotBounded(t *testing.T) {
	ctx := t.Context()
	s, cols := execStore(t)
	cats := cols["cats"]
	s.recs.hotEvery, s.recs.hotLimit = 1, 1
	for i := range 6 {
		for _, id := range []string{"c1", "c2"} {
			if got := catNames(t, ctx, s, expandQuery(cats, id)); len(got) != 1 || !strings.HasPrefix(got[0], id+"=") {
				t.Fatalf("read %d of %s: %v", i, id, got)
			}
		}
		s.recs.mu.Lock()
		n := len(s.recs.hot)
		for k := range s.recs.hot {
			if _, ok := s.recs.m[k]; !ok {
				t.Errorf("read %d: %v loaded but not among the rows", i, k)
			}
		}
		s.recs.mu.Unlock()
		if want := min(i, 1); n != want {
			t.Errorf("read %d: %d records loaded, want %d", i, n, want)
		}
	}
	// After the first round every read is a hit, from either tier.
	if h, m := cacheCounts(s); h != 10 || m != 2 {
		t.Errorf("%d hits, %d misses; want 10, 2", h, m)
	}
}

// TestRecordCacheFollowsOwnCommits: the store's own record writes drop
// just the records they changed, so the rest stays cached across them; a
// write the store cannot describe, or one from another connection, empties
// the cache as before.
func TestRecordCacheFollowsOwnCommits(t *testing.T) {
	for _, tier := range cacheTiers {
		t.Run(tier.name, func(t *testing.T) {
			ctx := t.Context()
			s, cols := execStore(t)
			tier.set(s.recs)
			cats := cols["cats"]
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
}

// TestRecordCacheAdvance: the cache follows a commit only from the data
// it holds and only by exactly one commit; records read before a commit
// it followed are not kept after it.
func TestRecordCacheAdvance(t *testing.T) {
	_, cols := execStore(t)
	c := cols["cats"]
	rec := func(id string) *core.Record {
		return core.NewRecordFromDB(c, map[string]any{"id": id})
	}
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
			rc.advance(tc.before, tc.after, []recordKey{{c.Id, "a"}})
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
	rec := func(id string) *core.Record {
		return core.NewRecordFromDB(c, map[string]any{"id": id})
	}
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
