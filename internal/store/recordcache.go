package store

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/basalthq/basalt/core"
)

// recordCacheMax bounds the records the cache holds; past it the cache
// starts over. Expanded relations (authors, categories, owners) are a small
// working set repeated on every page of a list; the bound keeps a scan of
// unrelated ids from growing it without limit.
const recordCacheMax = 4096

// recordCache keeps records read by id, for the reads that ask for records
// by id with no rule, filter or paging to apply (relations expanded on a
// public or superuser collection): a list with expand=author reads the
// same few authors on every page.
//
// It is coherent with every writer, including ones the store never sees
// (another process, the sqlite3 shell): every entry was read after the
// engine's data version (dialect.Conns.DataVersion) had the value the
// cache is tagged with, and the cache forgets everything the first time a
// lookup finds a different version. A lookup therefore never returns a
// record older than the last commit that finished before it started — the
// guarantee a fresh read transaction gives. Reads inside a transaction
// bypass it: they must see their own uncommitted writes.
type recordCache struct {
	version func() (string, bool)

	mu  sync.Mutex
	ver string
	m   map[recordKey]*core.Record

	hits, misses atomic.Uint64
}

// recordKey is a record of one collection version (a schema change makes
// a new *core.Collection, and is a commit, so it also empties the cache).
type recordKey struct {
	c  *core.Collection
	id string
}

func newRecordCache(version func() (string, bool)) *recordCache {
	if version == nil {
		return nil
	}
	return &recordCache{version: version}
}

// lookup returns copies of the cached records among ids (each id at most
// once) and the ids it does not hold. ver is the version to pass to store
// with the records read for the missing ids; ok is false when the version
// cannot be read, and the caller then reads everything and stores nothing.
func (rc *recordCache) lookup(c *core.Collection, ids []string) (hits []*core.Record, missing []string, ver string, ok bool) {
	ver, ok = rc.version()
	if !ok {
		return nil, ids, "", false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if ver != rc.ver || rc.m == nil {
		rc.ver = ver
		rc.m = make(map[recordKey]*core.Record)
	}
	seen := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		if _, dup := seen[id]; dup {
			continue
		}
		seen[id] = struct{}{}
		if r, found := rc.m[recordKey{c, id}]; found {
			hits = append(hits, r.Share())
		} else {
			missing = append(missing, id)
		}
	}
	rc.hits.Add(uint64(len(hits)))
	rc.misses.Add(uint64(len(missing)))
	return hits, missing, ver, true
}

// store keeps recs, read after lookup returned ver; it drops them when the
// version moved on since (they may predate the newer commit's data).
// Records that were already modified are never kept.
func (rc *recordCache) store(ver string, recs []*core.Record) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if ver != rc.ver {
		return
	}
	if len(rc.m)+len(recs) > recordCacheMax {
		rc.m = make(map[recordKey]*core.Record)
	}
	for _, r := range recs {
		if cp := r.Share(); cp != nil {
			rc.m[recordKey{r.Collection(), r.Id()}] = cp
		}
	}
}

// cachedByIds answers q (records by id, nothing else asked) from the
// record cache where it can, reading the rest from db. It reports false
// when q is not such a query or the cache cannot serve it.
func (s *Store) cachedByIds(ctx context.Context, db *DB, q *core.RecordQuery) ([]*core.Record, bool, error) {
	if s.recs == nil || db != s.db || !cacheableQuery(q) || txFrom(ctx) != nil {
		return nil, false, nil
	}
	hits, missing, ver, ok := s.recs.lookup(q.Collection, q.Ids)
	if !ok {
		return nil, false, nil
	}
	if len(missing) == 0 {
		return hits, true, nil
	}
	sub := *q
	sub.Ids = missing
	res, err := s.queryDB(ctx, db, &sub)
	if err != nil {
		return nil, true, err
	}
	s.recs.store(ver, res.Records)
	return append(hits, res.Records...), true, nil
}

// cacheableQuery reports whether q only names records by id, for an
// expand: no rule to evaluate, no sort, count or page. Expands are where
// the same records come back request after request; views by id spread
// over the whole table and would only churn the cache.
func cacheableQuery(q *core.RecordQuery) bool {
	return idsOnly(q) && q.Request != nil && q.Request.Context == core.ContextExpand
}

// idsOnly reports whether q names records by id and asks nothing else: no
// filter or rule, sort, candidate check, count or page.
func idsOnly(q *core.RecordQuery) bool {
	return len(q.Ids) > 0 && len(q.Filters) == 0 && len(q.Sort) == 0 && q.Candidate == nil && !q.Count && q.PerPage == 0
}
