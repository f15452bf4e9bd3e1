package store

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/basalthq/basalt/core"
)

// recordCacheBytes bounds the cache by an estimate of the bytes its
// records hold; past it, arbitrary entries make room (Go's map order is
// random enough for random replacement, which keeps a hot working set
// mostly resident whatever the access pattern, without an LRU list to
// maintain on every hit).
const recordCacheBytes = 16 << 20

// recordOverhead is what an entry costs besides its encoded row: the
// key, the slice header and the map slot.
const recordOverhead = 96

// hotRecords bounds the loaded records the cache keeps beside the encoded
// rows. Decoding a row costs a map and a boxed value per field (~2 µs
// for a users record); a list expanding its authors decodes the same few
// dozen records on every request. Kept loaded, a hit is one small copy
// (core.Record.Share). 256 loaded records cost the collector nothing
// measurable; 1,024 cost list_skiptotal 3.5% in an A/B, and 10,000 far
// more (rowcodec.go).
const hotRecords = 256

// hotEvery: one decoded record in hotEvery is kept loaded. Records read
// again and again get in after a few reads; a stream of reads spread
// over many records (views of 10,000 posts) does not replace the hot
// set on every read, which cost such views 6% in an A/B.
const hotEvery = 8

// recordCache keeps records read by id with no rule, filter or paging to
// apply: public and superuser views, the auth record of every
// authenticated request, relations expanded on a public collection.
//
// It is coherent with every writer, including ones the store never sees
// (another process, the sqlite3 shell): every entry was read after the
// engine's data version (dialect.Conns.DataVersion) had the value the
// cache is tagged with, and the cache forgets everything the first time a
// lookup finds a different version. A lookup therefore never returns a
// record older than the last commit that finished before it started — the
// guarantee a fresh read transaction gives. Reads inside a transaction
// bypass it (they must see their own uncommitted writes), except the
// existence checks of present, which leave out what the transaction
// touched.
type recordCache struct {
	version func() (string, bool)
	commits func(from, to string) (uint32, bool)

	limit    int    // recordCacheBytes; smaller in tests
	hotLimit int    // hotRecords; smaller in tests
	hotEvery uint64 // hotEvery; 1 in tests

	mu    sync.Mutex
	ver   string
	m     map[recordKey]cachedRecord
	bytes int
	// inFlight is set while one of the store's own commits that the
	// cache will follow is under way (committing to committed).
	inFlight bool
	// hot holds loaded records for some keys of m (see hotEvery; a
	// subset of m: an entry leaves both together). Its records are never
	// handed out, only copies of them.
	hot map[recordKey]*core.Record

	hits, misses atomic.Uint64
	decodes      atomic.Uint64 // picks the decoded records to keep loaded
	bypassed     atomic.Uint64 // lookups read around a commit under way
	resets       atomic.Uint64 // times the cache started over
}

// recordKey names a record by collection id, not by *core.Collection: a
// write evicts by the record it saved, whatever version of the collection
// that record was loaded with.
type recordKey struct {
	collection string
	id         string
}

// cachedRecord is an entry: the record's encoded row (see rowcodec.go)
// and the collection version it was read with (a lookup with another
// version misses).
type cachedRecord struct {
	c   *core.Collection
	row []byte
}

func (e cachedRecord) size() int { return recordOverhead + len(e.row) }

func newRecordCache(version func() (string, bool), commits func(from, to string) (uint32, bool)) *recordCache {
	if version == nil || commits == nil {
		return nil
	}
	return &recordCache{version: version, commits: commits, limit: recordCacheBytes, hotLimit: hotRecords, hotEvery: hotEvery}
}

// same reports whether two versions hold the same data (a log restart
// rewrites the header without a commit).
func (rc *recordCache) same(a, b string) bool {
	if a == b {
		return true
	}
	n, ok := rc.commits(a, b)
	return ok && n == 0
}

// committing marks one of the store's own commits as under way: until
// committed follows it, a lookup that sees its newer version bypasses the
// cache rather than emptying it. Without this, every lookup that fell
// between the commit and committed (a few per commit under a stream of
// creates) emptied the cache, and the auth record of nearly every
// request was read again from the database.
func (rc *recordCache) committing() {
	rc.mu.Lock()
	rc.inFlight = true
	rc.mu.Unlock()
}

// committed ends what committing began and, when the commit succeeded,
// follows it: when the cache holds the data the commit built on (before)
// and nothing else committed since (after is exactly one commit later),
// only the records the commit changed are dropped and the cache moves on
// to after. Otherwise the next lookup, seeing a version it cannot account
// for, starts over.
func (rc *recordCache) committed(before, after string, changed []recordKey, ok bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.inFlight = false
	if !ok || rc.m == nil || !rc.same(rc.ver, before) {
		return
	}
	if n, ok := rc.commits(before, after); !ok || n != 1 {
		return
	}
	for _, k := range changed {
		rc.evict(k)
	}
	rc.ver = after
}

// ahead reports whether the cache holds data of commits after ver; rc.mu
// is held. (Counts are differences of 32-bit counters: a cache behind
// ver shows as a count past half the range.)
func (rc *recordCache) ahead(ver string) bool {
	n, ok := rc.commits(ver, rc.ver)
	return ok && n > 0 && n < 1<<31
}

// reset empties the cache and tags it with ver; rc.mu is held.
func (rc *recordCache) reset(ver string) {
	if rc.m != nil {
		rc.resets.Add(1)
	}
	rc.ver = ver
	rc.m = make(map[recordKey]cachedRecord)
	rc.hot = make(map[recordKey]*core.Record)
	rc.bytes = 0
}

// evict drops k from both tiers; rc.mu is held.
func (rc *recordCache) evict(k recordKey) {
	if e, ok := rc.m[k]; ok {
		delete(rc.m, k)
		delete(rc.hot, k)
		rc.bytes -= e.size()
	}
}

// lookup returns the cached records among ids (each id at most once),
// rebuilt afresh for the caller, and the ids it does not hold. ver is the
// version to pass to store with the records read for the missing ids; ok
// is false when the version cannot be read, and the caller then reads
// everything and stores nothing.
func (rc *recordCache) lookup(c *core.Collection, ids []string) (hits []*core.Record, missing []string, ver string, ok bool) {
	ver, ok = rc.version()
	if !ok {
		return nil, ids, "", false
	}
	var rows [][]byte
	rc.mu.Lock()
	switch {
	case rc.m == nil:
		rc.reset(ver)
	case rc.same(rc.ver, ver):
	case rc.ahead(ver):
		// The cache followed a commit after this lookup read the
		// version: its data is newer, which this read may see, and what
		// it reads from the database is at least as new.
		ver = rc.ver
	case rc.inFlight:
		// Most likely our own commit, which committed is about to
		// follow: read around the cache, keep it.
		rc.mu.Unlock()
		rc.bypassed.Add(1)
		return nil, ids, "", false
	default:
		rc.reset(ver)
	}
	var seen map[string]struct{} // a view asks for one id: no map for it
	if len(ids) > 1 {
		seen = make(map[string]struct{}, len(ids))
	}
	for _, id := range ids {
		if seen != nil {
			if _, dup := seen[id]; dup {
				continue
			}
			seen[id] = struct{}{}
		}
		k := recordKey{c.Id, id}
		if r, found := rc.hot[k]; found && r.Collection() == c {
			hits = append(hits, r.Share())
		} else if e, found := rc.m[k]; found && e.c == c {
			rows = append(rows, e.row)
		} else {
			missing = append(missing, id)
		}
	}
	rc.mu.Unlock()
	if len(rows) > 0 {
		decoded := make([]*core.Record, len(rows))
		for i, row := range rows {
			decoded[i] = decodeRow(c, row)
		}
		rc.promote(ver, decoded)
		hits = append(hits, decoded...)
	}
	rc.hits.Add(uint64(len(hits)))
	rc.misses.Add(uint64(len(missing)))
	return hits, missing, ver, true
}

// promote keeps copies of recs, just decoded from rows read at ver, as
// loaded records, making room among the others at random; nothing when
// the version moved on or a record's row left the cache meanwhile.
func (rc *recordCache) promote(ver string, recs []*core.Record) {
	if rc.hotLimit == 0 {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.hot == nil || !rc.same(rc.ver, ver) {
		return
	}
	for _, r := range recs {
		if rc.decodes.Add(1)%rc.hotEvery != 0 {
			continue
		}
		k := recordKey{r.Collection().Id, r.Id()}
		if e, ok := rc.m[k]; !ok || e.c != r.Collection() {
			continue
		}
		for hk := range rc.hot {
			if len(rc.hot) < rc.hotLimit {
				break
			}
			delete(rc.hot, hk)
		}
		rc.hot[k] = r.Share()
	}
}

// present splits ids into those the cache holds as records of c in the
// data at ver, leaving out the touched keys, and the rest (everything
// when the cache holds other data). A cached row proves existence only:
// absence proves nothing.
func (rc *recordCache) present(c *core.Collection, ver string, ids []string, touched []recordKey) (found, rest []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.m == nil || !rc.same(rc.ver, ver) {
		return nil, ids
	}
	for _, id := range ids {
		k := recordKey{c.Id, id}
		if _, ok := rc.m[k]; ok && !slices.Contains(touched, k) {
			found = append(found, id)
		} else {
			rest = append(rest, id)
		}
	}
	return found, rest
}

// store keeps recs, read after lookup returned ver; it drops them when the
// version moved on since (they may predate the newer commit's data).
func (rc *recordCache) store(ver string, recs []*core.Record) {
	keys := make([]recordKey, 0, len(recs))
	entries := make([]cachedRecord, 0, len(recs))
	for _, r := range recs {
		if row, ok := encodeRow(r); ok {
			keys = append(keys, recordKey{r.Collection().Id, r.Id()})
			entries = append(entries, cachedRecord{c: r.Collection(), row: row})
		}
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !rc.same(rc.ver, ver) {
		return
	}
	for i, e := range entries {
		k := keys[i]
		rc.evict(k)
		rc.makeRoom(e.size())
		rc.m[k] = e
		rc.bytes += e.size()
	}
}

// makeRoom evicts arbitrary entries until n more bytes fit; rc.mu is held.
func (rc *recordCache) makeRoom(n int) {
	for k := range rc.m {
		if rc.bytes+n <= rc.limit {
			return
		}
		rc.evict(k)
	}
}

// cachedByIds answers q (records by id, nothing else asked) from the
// record cache where it can, reading the rest from db. It reports false
// when q is not such a query or the cache cannot serve it.
func (s *Store) cachedByIds(ctx context.Context, db *DB, q *core.RecordQuery) ([]*core.Record, bool, error) {
	// A view collection's records are computed from other tables: a
	// write to those never names them, so they are not kept.
	if s.recs == nil || db != s.db || !idsOnly(q) || txFrom(ctx) != nil || q.Collection.IsView() {
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

// idsOnly reports whether q names records by id and asks nothing else: no
// filter or rule, sort, candidate check, count or page.
func idsOnly(q *core.RecordQuery) bool {
	return len(q.Ids) > 0 && len(q.Filters) == 0 && len(q.Sort) == 0 && q.Candidate == nil && !q.Count && q.PerPage == 0
}
