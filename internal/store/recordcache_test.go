package store

import (
	"context"
	"database/sql"
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

// eachTier runs test once per cache tier, each on a fresh store.
func eachTier(t *testing.T, test func(t *testing.T, s *Store, cats *core.Collection)) {
	for _, tier := range cacheTiers {
		t.Run(tier.name, func(t *testing.T) {
			s, cols := execStore(t)
			tier.set(s.recs)
			test(t, s, cols["cats"])
		})
	}
}

// bareRecord is a loaded record of c with just an id.
func bareRecord(c *core.Collection, id string) *core.Record {
	return core.NewRecordFromDB(c, map[string]any{"id": id})
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
	eachTier(t, func(t *testing.T, s *Store, cats *core.Collection) {
		ctx := t.Context()
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
	eachTier(t, func(t *testing.T, s *Store, cats *core.Collection) {
		ctx := t.Context()
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
