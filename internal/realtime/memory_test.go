package realtime_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/basalthq/basalt/internal/realtime"
)

// TestMemoryReleasedAfterExodus: memory is returned to the operating
// system once half of a large enough crowd of clients has left — once for
// a whole mass disconnect — and never for a small one or when disabled.
func TestMemoryReleasedAfterExodus(t *testing.T) {
	cases := []struct {
		name     string
		after    int
		delay    time.Duration
		connect  int
		leave    []int // clients leaving, in waves; the release count is checked after each
		releases []int
	}{
		{"crowd below the threshold", 20, 10 * time.Millisecond, 10, []int{10}, []int{0}},
		{"half has to leave", 4, 10 * time.Millisecond, 10, []int{4, 1}, []int{0, 1}},
		{"halving again releases again", 4, 10 * time.Millisecond, 10, []int{5, 3}, []int{1, 2}},
		{"one release for a mass disconnect", 4, 300 * time.Millisecond, 10, []int{10}, []int{1}},
		{"disabled", -1, 10 * time.Millisecond, 10, []int{10}, []int{0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var trims atomic.Int32
			b := realtime.NewBroker(newApp(t, "", ""), realtime.Config{TrimAfter: tc.after, TrimDelay: tc.delay, Trim: func() { trims.Add(1) }})
			t.Cleanup(b.Close)
			var clients []*realtime.Client
			for range tc.connect {
				clients = append(clients, b.NewClient())
			}
			for i, n := range tc.leave {
				for _, c := range clients[:n] {
					b.Disconnect(c)
				}
				clients = clients[n:]
				// A release comes a delay after the moment; wait past it.
				time.Sleep(tc.delay + 100*time.Millisecond)
				if got := int(trims.Load()); got != tc.releases[i] {
					t.Fatalf("after wave %d: %d releases, want %d", i+1, got, tc.releases[i])
				}
				if got := b.Stats().MemoryReleases; got != tc.releases[i] {
					t.Fatalf("after wave %d: Stats().MemoryReleases = %d, want %d", i+1, got, tc.releases[i])
				}
			}
		})
	}
}
