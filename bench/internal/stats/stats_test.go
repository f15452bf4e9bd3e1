package stats

import (
	"strings"
	"testing"
	"time"
)

func durs(ms ...int) []time.Duration {
	out := make([]time.Duration, len(ms))
	for i, m := range ms {
		out[i] = time.Duration(m) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"single", durs(7), 99, 7 * time.Millisecond},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p95 of 1..100", hundred, 95, 95 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 is max", hundred, 100, 100 * time.Millisecond},
		{"p0 is min", hundred, 0, 1 * time.Millisecond},
		{"p50 of four rounds up rank", durs(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of four is max", durs(1, 2, 3, 4), 99, 4 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("Percentile(p=%v) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		n       int
		elapsed time.Duration
		want    float64
	}{
		{"zero elapsed", 10, 0, 0},
		{"one second", 500, time.Second, 500},
		{"half second", 500, 500 * time.Millisecond, 1000},
		{"negative elapsed", 5, -time.Second, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Rate(tc.n, tc.elapsed); got != tc.want {
				t.Errorf("Rate(%d, %v) = %v, want %v", tc.n, tc.elapsed, got, tc.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"empty", nil, 0},
		{"odd", []float64{3, 1, 2}, 2},
		{"even", []float64{4, 1, 3, 2}, 2.5},
		{"single", []float64{9}, 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Median(tc.xs); got != tc.want {
				t.Errorf("Median(%v) = %v, want %v", tc.xs, got, tc.want)
			}
		})
	}
}

func TestRecorderSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		lat       []time.Duration
		fails     []string
		elapsed   time.Duration
		wantValid bool
		wantReqs  int
		wantRate  float64
		wantP50   float64
		wantNote  string
	}{
		{"clean run", durs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), nil, time.Second, true, 10, 10, 5, ""},
		{"errors invalidate", durs(1, 2), []string{"boom", "boom", "bang"}, time.Second, false, 5, 2, 1, "errors: boom | bang"},
		{"nothing done", nil, nil, time.Second, false, 0, 0, 0, "no request completed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var r Recorder
			r.AddBatch(tc.lat)
			for _, f := range tc.fails {
				r.Fail(f)
			}
			s := r.Summarize("x", 4, tc.elapsed)
			if s.Valid != tc.wantValid || s.Requests != tc.wantReqs || s.ReqPerSec != tc.wantRate || s.P50Ms != tc.wantP50 {
				t.Errorf("got valid=%v reqs=%d rate=%v p50=%v, want %v %d %v %v",
					s.Valid, s.Requests, s.ReqPerSec, s.P50Ms, tc.wantValid, tc.wantReqs, tc.wantRate, tc.wantP50)
			}
			if !strings.Contains(s.Note, tc.wantNote) {
				t.Errorf("note = %q, want it to contain %q", s.Note, tc.wantNote)
			}
		})
	}
}
