package realtime_test

import (
	"fmt"
	"net/url"
	"runtime/debug"
	"testing"
	"time"

	"github.com/basalthq/basalt/internal/realtime"
)

// TestSubscriptionsCostLinearTime: a client's subscriptions are bounded
// (realtime.MaxSubscriptions per request, and a request replaces the
// client's set; over the bound the API answers 400, TestRealtimeBadInput)
// and setting them costs linear work: replacing n subscriptions with
// filter options by n others, at n and 4n, allocates about 4 times as
// much (counted) and takes well under 16 times as long (a quadratic
// cost would take 16 times; the ratio of the fastest of several rounds
// is checked against a generous 10).
func TestSubscriptionsCostLinearTime(t *testing.T) {
	app := newApp(t, "", "")
	b := realtime.NewBroker(app, realtime.Config{})
	t.Cleanup(b.Close)
	subs := func(n int, tag string) []string {
		out := make([]string, n)
		for i := range out {
			opts := url.QueryEscape(fmt.Sprintf(`{"query":{"filter":"views > %d && title != '%s'"}}`, i, tag))
			out[i] = fmt.Sprintf("posts/%s%d?options=%s", tag, i, opts)
		}
		return out
	}
	const n = realtime.MaxSubscriptions / 4
	type cost struct {
		allocs float64
		best   time.Duration
	}
	measure := func(size int) cost {
		c := b.NewClient()
		a, z := subs(size, "a"), subs(size, "z")
		flip := false
		set := func() {
			s := a
			if flip {
				s = z
			}
			flip = !flip
			if err := b.SetSubscriptions(c, s); err != nil {
				t.Fatal(err)
			}
		}
		set()
		allocs := testing.AllocsPerRun(4, set)
		// The collector's work is not the cost measured (it depends on the
		// heap the rest of the suite left behind), and the machine may be
		// busy: the GC is off while timing and the best of 15 runs counts.
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		best := time.Duration(1 << 62)
		for range 15 {
			start := time.Now()
			set()
			if d := time.Since(start); d < best {
				best = d
			}
		}
		return cost{allocs, best}
	}
	small, large := measure(n), measure(4*n)
	allocRatio := large.allocs / small.allocs
	timeRatio := float64(large.best) / float64(small.best)
	t.Logf("n=%d: %.0f allocs, %v; 4n: %.0f allocs, %v (ratios %.2f, %.2f)", n, small.allocs, small.best, large.allocs, large.best, allocRatio, timeRatio)
	if allocRatio > 5 {
		t.Errorf("allocations grow %.2f× from n to 4n, want linear (~4×)", allocRatio)
	}
	if timeRatio > 10 {
		t.Errorf("time grows %.2f× from n to 4n, want linear (~4×; quadratic is 16×)", timeRatio)
	}
}
