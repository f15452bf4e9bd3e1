package realtime

import (
	"log/slog"
	"runtime"
	"sync"
	"time"
)

// Defaults of the exodus trim (see exodus).
const (
	defaultTrimAfter = 1000
	defaultTrimDelay = time.Second
)

// exodus returns memory to the operating system after most realtime
// clients have left. Thousands of connections leave their buffers and
// goroutine stacks behind as garbage, and Go collects only once the heap
// has grown by as much again as it held at the last collection: a server
// whose crowd went home (or whose remaining traffic allocates little)
// kept the crowd's memory resident until the runtime's two-minute forced
// collection — after 10,000 subscribers had come and gone, 420 MB
// resident with 30 MB live (98 MB resident once collected). Once the
// client count has fallen to half of its peak (a peak of at least after),
// one collection runs, a moment later so that the rest of a mass
// disconnect is in it.
type exodus struct {
	after   int
	delay   time.Duration
	release func()
	logger  *slog.Logger

	mu      sync.Mutex
	peak    int  // most clients since the last release
	pending bool // a release is scheduled
	runs    int
}

func newExodus(after int, delay time.Duration, release func(), logger *slog.Logger) *exodus {
	if after == 0 {
		after = defaultTrimAfter
	}
	if delay <= 0 {
		delay = defaultTrimDelay
	}
	if release == nil {
		// A collection is enough: the runtime's background scavenger
		// then returns the freed pages within seconds (460 → 98 MB in
		// ~6 s after 10,000 subscribers), paced, where FreeOSMemory
		// returns them all at once under the heap lock and stalled the
		// remaining clients' deliveries (p99 6 → 28 ms).
		release = runtime.GC
	}
	return &exodus{after: after, delay: delay, release: release, logger: logger}
}

// count records the number of connected clients after a change.
func (e *exodus) count(n int) {
	if e.after < 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if n > e.peak {
		e.peak = n
		return
	}
	if e.peak < e.after || n > e.peak/2 || e.pending {
		return
	}
	e.peak = n
	e.pending = true
	time.AfterFunc(e.delay, e.run)
}

func (e *exodus) run() {
	defer func() {
		if r := recover(); r != nil {
			e.logger.Error("realtime: releasing memory panicked", "panic", r)
		}
		e.mu.Lock()
		e.pending = false
		e.runs++
		e.mu.Unlock()
	}()
	e.release()
}

// releases returns how many releases have run.
func (e *exodus) releases() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.runs
}
