//go:build unix

package filter

import (
	"errors"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// checkLinear fails when work(4n) costs 8× or more what work(n) costs
// (CPU time, least of 5 runs each); linear work gives ~4×, quadratic 16×.
// The collector is off while measuring: with megabytes of pointerful
// garbage per run, its cost follows the test process's small heap target
// (a 4× larger input gave 6–11×, linear again with GOGC=off), not the
// parser's work.
func checkLinear(t *testing.T, n int, work func(n int) func()) {
	t.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	cost := func(n int) time.Duration {
		run := work(n)
		best := time.Duration(1<<63 - 1)
		for range 5 {
			runtime.GC()
			start := cpuTime()
			run()
			best = min(best, cpuTime()-start)
		}
		return max(best, time.Microsecond)
	}
	small, large := cost(n), cost(4*n)
	t.Logf("n=%d: %v, 4n: %v (×%.1f)", n, small, large, float64(large)/float64(small))
	if large >= 8*small {
		t.Fatalf("cost grows superlinearly: n=%d took %v, 4n took %v", n, small, large)
	}
}

// TestParseCostIsLinear: parsing, printing and limit-checking a filter
// costs time linear in its length, whatever makes it long (issue #22).
// The API refuses filters over MaxLength before parsing; rules have no
// limit, so the parser itself must stay linear.
func TestParseCostIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("measures CPU time")
	}
	shapes := []struct {
		name string
		n    int
		src  func(n int) string
	}{
		{"or of comparisons", 2000, func(n int) string { return strings.Repeat("a = 1 || ", n) + "a = 1" }},
		{"and of comparisons", 2000, func(n int) string { return strings.Repeat("a = 1 && ", n) + "a = 1" }},
		{"mixed and/or", 2000, func(n int) string { return strings.Repeat("a = 1 && b = 'x' || ", n) + "a = 1" }},
		{"long text", 100000, func(n int) string { return "a = '" + strings.Repeat(`x\'`, n) + "'" }},
		{"long identifier path", 20000, func(n int) string { return strings.Repeat("a.", n) + "b = 1" }},
		{"comments and spaces", 20000, func(n int) string { return strings.Repeat("// c\n   \t", n) + "a = 1" }},
		{"groups at the depth bound", 200, func(n int) string {
			g := strings.Repeat("(", MaxGroupDepth) + "a = 1" + strings.Repeat(")", MaxGroupDepth)
			return strings.Repeat(g+" || ", n) + g
		}},
		{"bound placeholders", 2000, func(n int) string { return strings.Repeat("a = {:v} || ", n) + "a = {:v}" }},
	}
	params := map[string]any{"v": strings.Repeat(`\"'`, 100)}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			checkLinear(t, sh.n, func(n int) func() {
				src := sh.src(n)
				return func() {
					for range 10 {
						e, err := ParseParams(src, params)
						if err != nil {
							t.Fatal(err)
						}
						_ = e.String()
						_ = CheckLimits(src, e)
					}
				}
			})
		})
	}
}

// TestDepthIsBounded: nesting past the bounds is a syntax error, not a
// deeper recursion (issue #22).
func TestDepthIsBounded(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		src  string
		ok   bool
	}{
		{"groups at the bound", strings.Repeat("(", MaxGroupDepth) + "a = 1" + strings.Repeat(")", MaxGroupDepth), true},
		{"groups over the bound", strings.Repeat("(", MaxGroupDepth+1) + "a = 1" + strings.Repeat(")", MaxGroupDepth+1), false},
		{"a million open groups", strings.Repeat("(", 1<<20), false},
		{"functions at the bound", "strftime('%Y', strftime('%s', strftime('%Y'))) = 1", true},
		{"functions over the bound", "strftime('%Y', strftime('%s', strftime('%Y', strftime('%Y')))) = 1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tc.src)
			if tc.ok != (err == nil) {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			var se *SyntaxError
			if err != nil && !errors.As(err, &se) {
				t.Fatalf("error %T, want *SyntaxError", err)
			}
		})
	}
}
