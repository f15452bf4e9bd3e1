package scenario

import (
	"context"
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/basalthq/basalt/bench/internal/stats"
)

func TestMarkerSeq(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		data   string
		want   int
		wantOK bool
	}{
		{"writer event", `{"action":"create","record":{"id":"x","title":"rt-42","views":1}}`, 42, true},
		{"other post", `{"action":"create","record":{"title":"Post number 1"}}`, 0, false},
		{"garbled number", `{"record":{"title":"rt-4x2"}}`, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := markerSeq([]byte(tc.data))
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("markerSeq = %d, %v, want %d, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestLoopBounds(t *testing.T) {
	t.Parallel()
	okOp := func(context.Context, int, *rand.Rand) error { return nil }
	failOp := func(context.Context, int, *rand.Rand) error { return errors.New("boom") }
	tests := []struct {
		name      string
		lim       Limits
		op        Op
		wantReqs  int
		wantValid bool
	}{
		{"stops at max requests", Limits{Duration: 10 * time.Second, Concurrency: 4, MaxRequests: 1000}, okOp, 1000, true},
		{"errors make it invalid", Limits{Duration: 10 * time.Second, Concurrency: 2, MaxRequests: 10}, failOp, 10, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			s := Loop(context.Background(), "x", tc.lim, tc.op)
			if s.Requests != tc.wantReqs || s.Valid != tc.wantValid {
				t.Errorf("requests=%d valid=%v, want %d %v", s.Requests, s.Valid, tc.wantReqs, tc.wantValid)
			}
			if time.Since(start) > 5*time.Second {
				t.Errorf("loop ran %v, expected to stop at the request cap", time.Since(start))
			}
		})
	}
	t.Run("stops at duration", func(t *testing.T) {
		t.Parallel()
		slow := func(ctx context.Context, _ int, _ *rand.Rand) error {
			select {
			case <-time.After(10 * time.Millisecond):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		s := Loop(context.Background(), "x", Limits{Duration: 200 * time.Millisecond, Concurrency: 2}, slow)
		if s.ElapsedSec > 1 || s.Errors != 0 || !s.Valid {
			t.Errorf("elapsed=%v errors=%d valid=%v", s.ElapsedSec, s.Errors, s.Valid)
		}
	})
}

func TestSelect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		spec    string
		want    int
		wantErr bool
	}{
		{"all", "all", len(All()), false},
		{"create group", "create", 4, false},
		{"list", "view,list", 2, false},
		{"unknown", "nope", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Select(tc.spec)
			if (err != nil) != tc.wantErr || len(got) != tc.want {
				t.Errorf("Select(%q) = %d scenarios, err %v; want %d, err %v", tc.spec, len(got), err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseStatCPU(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{"plain", "1234 (basalt) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 12 0 100 0 0", 3250 * time.Millisecond, false},
		{"name with spaces and parens", "77 (my (odd) srv) R 1 77 77 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 0 0", 70 * time.Millisecond, false},
		{"truncated", "77 (x) R 1 77", 0, true},
		{"no name", "77 x R", 0, true},
		{"garbled ticks", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 ab 4 0", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseStatCPU(tc.stat)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseStatCPU = %v, %v; want %v, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// TestLoopMeasuresCPU: a loop against this very process (PID = ours)
// reports the CPU its op burned, per request, for server and load
// generator alike. The op does a fixed amount of hashing, whose CPU cost
// is calibrated first: CPU time, unlike wall time, does not grow when the
// machine is busy with other tests.
func TestLoopMeasuresCPU(t *testing.T) {
	work := func() {
		buf := make([]byte, 64<<10)
		for range 20 {
			sum := sha256.Sum256(buf)
			buf[0] = sum[0]
		}
	}
	c0, err := SelfCPU()
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		work()
	}
	c1, _ := SelfCPU()
	perOp := float64((c1 - c0).Microseconds()) / 50

	env := &Env{Duration: 500 * time.Millisecond, PID: os.Getpid()}
	s := loop(context.Background(), env, "busy", 1, func(context.Context, int, *rand.Rand) error { work(); return nil })
	for _, k := range []string{stats.ServerCPUKey, stats.LoadgenCPUKey} {
		// The server side is read in 10 ms ticks: allow a wide margin.
		if v, ok := s.Extra[k]; !ok || v < perOp/2 || v > perOp*3 {
			t.Errorf("%s = %.0f µs (present %v), want about %.0f (requests %d)", k, v, ok, perOp, s.Requests)
		}
	}
}
