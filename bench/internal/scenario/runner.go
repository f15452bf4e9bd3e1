// Package scenario holds the load scenarios and the closed-loop runner that
// drives them against a PocketBase-compatible server.
package scenario

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/basalthq/basalt/bench/internal/client"
	"github.com/basalthq/basalt/bench/internal/stats"
)

// Op performs one request. worker identifies the calling goroutine and rng
// is private to it. It returns an error for any failed request.
type Op func(ctx context.Context, worker int, rng *rand.Rand) error

// Limits bound one closed-loop run.
type Limits struct {
	// Duration is the measured time (required).
	Duration time.Duration
	// Concurrency is the number of workers (default 1).
	Concurrency int
	// MaxRequests caps the total number of requests (default 5,000,000).
	MaxRequests int
}

// Loop runs op from Concurrency workers until Duration elapses or
// MaxRequests were issued, and summarizes the latencies. Every loop is
// bounded in count and time.
func Loop(ctx context.Context, name string, lim Limits, op Op) stats.Summary {
	if lim.Concurrency <= 0 {
		lim.Concurrency = 1
	}
	if lim.MaxRequests <= 0 {
		lim.MaxRequests = 5_000_000
	}
	ctx, cancel := context.WithTimeout(ctx, lim.Duration)
	defer cancel()
	var (
		rec    stats.Recorder
		wg     sync.WaitGroup
		budget = int64(lim.MaxRequests)
		mu     sync.Mutex
	)
	take := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if budget <= 0 {
			return false
		}
		budget--
		return true
	}
	start := time.Now()
	for w := range lim.Concurrency {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w)+1, uint64(start.UnixNano())))
			local := make([]time.Duration, 0, 1024)
			for ctx.Err() == nil && take() {
				t0 := time.Now()
				err := op(ctx, w, rng)
				d := time.Since(t0)
				if err != nil {
					// A request cut by the end of the run is not an error.
					if ctx.Err() != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
						break
					}
					rec.Fail(err.Error())
					continue
				}
				local = append(local, d)
			}
			rec.AddBatch(local)
		})
	}
	wg.Wait()
	return rec.Summarize(name, lim.Concurrency, time.Since(start))
}

// Env is what scenarios need: clients, the dataset and run parameters.
type Env struct {
	// Anon is an unauthenticated client.
	Anon *client.Client
	// SU is a superuser client; nil when the server has no setup API (floor).
	SU *client.Client
	// UserIDs, UserEmails and PostIDs describe the dataset.
	UserIDs, UserEmails, PostIDs []string
	// Password is the users' password.
	Password string
	// Duration is the per-scenario measured time.
	Duration time.Duration
	// Concurrency overrides each scenario's default when > 0.
	Concurrency int
	// PID is the server's process id for RSS readings (0 = unknown).
	PID int
	// RealtimeK lists the subscriber counts of the realtime scenario.
	RealtimeK []int
	// RealtimeFastK lists the subscriber counts measured again with the
	// writer at RealtimeFastRate ("how far it holds").
	RealtimeFastK []int
	// Log receives progress lines.
	Log func(format string, args ...any)
}

func (e *Env) conc(def int) int {
	if e.Concurrency > 0 {
		return e.Concurrency
	}
	return def
}

// errNeedsSetup is reported by scenarios that need the superuser API.
var errNeedsSetup = errors.New("scenario needs the superuser/collections API (not available on this server)")

// invalid returns a summary flagged invalid with the given reason.
func invalid(name string, err error) stats.Summary {
	return stats.Summary{Scenario: name, Valid: false, Note: fmt.Sprintf("failed: %v", err)}
}
