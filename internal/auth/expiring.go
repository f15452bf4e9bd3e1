package auth

import (
	"sync"
	"time"
)

// ExpiringMap is a concurrency-safe map whose entries live for one fixed
// TTL, for the short-lived state of auth flows (names Apple posts to the
// OAuth2 redirect, resend guards, attempt windows).
//
// Every operation costs O(1) amortised, whatever the number of entries:
// because all entries live equally long, they expire in the order they
// were last written, so a FIFO queue of writes finds the expired ones at
// its front and nothing ever walks the whole map (issue #22: a walk per
// request under a shared lock let an unauthenticated flood slow every
// auth endpoint). With a Max, the map never holds more entries: the
// oldest makes room. Each map has its own lock.
type ExpiringMap[V any] struct {
	ttl time.Duration
	max int

	mu      sync.Mutex
	entries map[string]expiringEntry[V]
	queue   []queued // writes, oldest first, from head
	head    int
	seq     uint64
	work    uint64 // queue items examined: the cost the tests count
}

type expiringEntry[V any] struct {
	v       V
	expires time.Time
	seq     uint64 // the write that set it; older queue items are stale
}

type queued struct {
	key string
	seq uint64
}

// NewExpiringMap returns an empty map whose entries expire ttl after
// their last Put. max bounds the number of entries (0: unbounded, for
// state already bounded by something else, such as one entry per record).
func NewExpiringMap[V any](ttl time.Duration, max int) *ExpiringMap[V] {
	return &ExpiringMap[V]{ttl: ttl, max: max, entries: map[string]expiringEntry[V]{}}
}

// Put sets key to v until now+TTL, replacing any earlier value and
// restarting its lifetime.
func (m *ExpiringMap[V]) Put(key string, v V, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(now)
	m.put(key, v, now)
}

func (m *ExpiringMap[V]) put(key string, v V, now time.Time) {
	m.seq++
	m.entries[key] = expiringEntry[V]{v: v, expires: now.Add(m.ttl), seq: m.seq}
	m.queue = append(m.queue, queued{key: key, seq: m.seq})
	for m.max > 0 && len(m.entries) > m.max {
		m.popFront()
	}
	// Rewrites of a live key and Takes leave stale items behind live ones;
	// dropping them once they outnumber the live entries keeps the queue
	// within twice the map's size, at O(1) amortised per Put (at least
	// len(entries)+64 Puts happen between two compactions).
	if len(m.queue)-m.head > 2*len(m.entries)+64 {
		m.compact()
	}
}

// compact rebuilds the queue from its live items, oldest first.
func (m *ExpiringMap[V]) compact() {
	live := m.queue[:0]
	for _, q := range m.queue[m.head:] {
		m.work++
		if e, ok := m.entries[q.key]; ok && e.seq == q.seq {
			live = append(live, q)
		}
	}
	clear(m.queue[len(live):])
	m.queue = live
	m.head = 0
}

// Update runs fn under the map's lock with key's live value (found is
// false when there is none); when fn returns store, its value is Put.
// It makes read-modify-write steps (count an attempt, send at most one
// mail per window) atomic.
func (m *ExpiringMap[V]) Update(key string, now time.Time, fn func(v V, found bool) (V, bool)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(now)
	e, ok := m.entries[key]
	if ok && !now.Before(e.expires) {
		ok = false
	}
	v, store := fn(e.v, ok)
	if store {
		m.put(key, v, now)
	}
}

// Get returns key's value if it has not expired at now.
func (m *ExpiringMap[V]) Get(key string, now time.Time) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(now)
	e, ok := m.entries[key]
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Take is Get that also removes key: the value can be taken once.
func (m *ExpiringMap[V]) Take(key string, now time.Time) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.expire(now)
	e, ok := m.entries[key]
	if ok {
		delete(m.entries, key) // its queue item turns stale
	}
	if !ok || !now.Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Len returns the number of entries held (expired ones may still count
// until the next operation).
func (m *ExpiringMap[V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// Work returns how many queue items the map has examined so far: a
// measure of its cost that tests compare across sizes, never time.
func (m *ExpiringMap[V]) Work() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.work
}

// expire drops the entries expired at now from the queue's front. Each
// queue item is examined once after it expired or went stale, so the
// cost is amortised over the Puts that created them.
func (m *ExpiringMap[V]) expire(now time.Time) {
	for m.head < len(m.queue) {
		q := m.queue[m.head]
		e, ok := m.entries[q.key]
		if ok && e.seq == q.seq && now.Before(e.expires) {
			return // the oldest live write has not expired: neither has any later one
		}
		m.popFront()
	}
}

// popFront removes the queue's oldest item and, if it is still its key's
// current write, the entry.
func (m *ExpiringMap[V]) popFront() {
	q := m.queue[m.head]
	m.work++
	m.queue[m.head] = queued{}
	m.head++
	if e, ok := m.entries[q.key]; ok && e.seq == q.seq {
		delete(m.entries, q.key)
	}
	// Reclaim the consumed prefix once it is at least half the slice, so
	// the queue's memory stays proportional to what it holds.
	if m.head >= 64 && m.head*2 >= len(m.queue) {
		n := copy(m.queue, m.queue[m.head:])
		clear(m.queue[n:])
		m.queue = m.queue[:n]
		m.head = 0
	}
}
