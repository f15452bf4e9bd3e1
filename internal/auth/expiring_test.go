package auth

import (
	"strconv"
	"testing"
	"time"
)

func TestExpiringMap(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		op   string // put, get, take
		key  string
		val  int
		at   time.Duration // after t0
		want int           // get/take: the value, -1 for none
	}
	tests := []struct {
		name  string
		max   int
		steps []step
		len   int
	}{
		{"get within ttl", 0, []step{{"put", "a", 1, 0, 0}, {"get", "a", 0, 59 * time.Second, 1}, {"get", "a", 0, 59 * time.Second, 1}}, 1},
		{"expires at ttl", 0, []step{{"put", "a", 1, 0, 0}, {"get", "a", 0, time.Minute, -1}}, 0},
		{"take is single-use", 0, []step{{"put", "a", 1, 0, 0}, {"take", "a", 0, time.Second, 1}, {"take", "a", 0, time.Second, -1}, {"get", "a", 0, time.Second, -1}}, 0},
		{"take of an expired entry", 0, []step{{"put", "a", 1, 0, 0}, {"take", "a", 0, 2 * time.Minute, -1}}, 0},
		{"rewrite restarts the lifetime", 0, []step{{"put", "a", 1, 0, 0}, {"put", "a", 2, 30 * time.Second, 0}, {"get", "a", 0, 80 * time.Second, 2}, {"get", "a", 0, 90 * time.Second, -1}}, 0},
		{"a stale write does not expire the rewrite", 0, []step{{"put", "a", 1, 0, 0}, {"put", "b", 1, time.Second, 0}, {"put", "a", 2, 50 * time.Second, 0}, {"get", "b", 0, 61 * time.Second, -1}, {"get", "a", 0, 61 * time.Second, 2}}, 1},
		{"max evicts the oldest", 2, []step{{"put", "a", 1, 0, 0}, {"put", "b", 2, 1, 0}, {"put", "c", 3, 2, 0}, {"get", "a", 0, 3, -1}, {"get", "b", 0, 3, 2}, {"get", "c", 0, 3, 3}}, 2},
		{"missing key", 0, []step{{"get", "x", 0, 0, -1}, {"take", "x", 0, 0, -1}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewExpiringMap[int](time.Minute, tt.max)
			for i, s := range tt.steps {
				now := t0.Add(s.at)
				var got int
				var ok bool
				switch s.op {
				case "put":
					m.Put(s.key, s.val, now)
					continue
				case "get":
					got, ok = m.Get(s.key, now)
				case "take":
					got, ok = m.Take(s.key, now)
				}
				if !ok {
					got = -1
				}
				if got != s.want {
					t.Fatalf("step %d (%s %s at %v) = %d, want %d", i, s.op, s.key, s.at, got, s.want)
				}
			}
			if got := m.Len(); got != tt.len {
				t.Errorf("Len = %d, want %d", got, tt.len)
			}
		})
	}
}

// TestExpiringMapCostIndependentOfSize counts the queue items examined
// per operation with n and 4n live entries: a map that walked its
// entries (as the OAuth2 redirect's did, issue #22) would do 4× the work.
func TestExpiringMapCostIndependentOfSize(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Enough operations that the stale items they leave get compacted
	// several times at both sizes: that compaction is the only step whose
	// single cost depends on the map's size, so it must stay amortised.
	const ops = 50_000
	perOp := func(n int) float64 {
		m := NewExpiringMap[string](time.Minute, 100_000)
		for i := range n {
			m.Put("pending"+strconv.Itoa(i), "x", t0)
		}
		before := m.Work()
		// What a redirect flood does: a name stored and dropped at once
		// per request, while the pending ones wait (time stays within
		// their TTL).
		for i := range ops {
			now := t0.Add(time.Duration(i) * time.Millisecond)
			m.Put("flood"+strconv.Itoa(i), "name", now)
			m.Get("pending"+strconv.Itoa(i%n), now)
			m.Take("flood"+strconv.Itoa(i), now)
		}
		if m.Len() != n {
			t.Fatalf("Len = %d, want the %d pending", m.Len(), n)
		}
		return float64(m.Work()-before) / ops
	}
	small, large := perOp(5_000), perOp(20_000)
	t.Logf("queue items examined per operation: %.2f at n=5000, %.2f at n=20000", small, large)
	if large > small*1.5+1 {
		t.Fatalf("work per operation grows with the map: %.2f items at n=5000, %.2f at n=20000", small, large)
	}
	if large > 4 {
		t.Fatalf("work per operation = %.2f queue items, want O(1)", large)
	}
}

// TestExpiringMapBounded: a flood of distinct keys within the TTL, or of
// rewrites of one key, never holds more than max entries, and the queue
// stays proportional to the entries.
func TestExpiringMapBounded(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		max  int
		key  func(i int) string
	}{
		{"distinct keys", 1000, func(i int) string { return "code" + strconv.Itoa(i) }},
		{"one key rewritten", 1000, func(int) string { return "same" }},
		{"unbounded map, one key rewritten", 0, func(int) string { return "same" }},
		{"distinct keys taken at once", 1000, func(i int) string { return "taken" + strconv.Itoa(i) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewExpiringMap[int](time.Minute, tt.max)
			for i := range 50_000 {
				now := t0.Add(time.Duration(i) * time.Microsecond)
				m.Put(tt.key(i), i, now)
				if tt.name == "distinct keys taken at once" {
					m.Take(tt.key(i), now)
				}
				if tt.max > 0 && m.Len() > tt.max {
					t.Fatalf("after %d puts: %d entries, max %d", i+1, m.Len(), tt.max)
				}
			}
			m.mu.Lock()
			queued, entries := len(m.queue)-m.head, len(m.entries)
			m.mu.Unlock()
			if queued > 2*entries+64 {
				t.Fatalf("queue holds %d items for %d entries", queued, entries)
			}
		})
	}
}

// TestExpiringMapUpdate: Update sees only live values and stores only
// when asked, so "at most once per TTL" and counters are atomic.
func TestExpiringMapUpdate(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewExpiringMap[int](time.Minute, 0)
	once := func(at time.Duration) bool {
		ok := false
		m.Update("k", t0.Add(at), func(_ int, found bool) (int, bool) { ok = !found; return 1, ok })
		return ok
	}
	for _, c := range []struct {
		at   time.Duration
		want bool
	}{{0, true}, {30 * time.Second, false}, {59 * time.Second, false}, {60 * time.Second, true}, {61 * time.Second, false}} {
		if got := once(c.at); got != c.want {
			t.Errorf("at %v: allowed = %v, want %v", c.at, got, c.want)
		}
	}
}
