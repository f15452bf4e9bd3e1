// Package stats turns raw request samples into the figures the benchmark
// reports: throughput, latency percentiles and error counts.
package stats

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100) of the sorted
// durations using the nearest-rank method. It returns 0 for an empty slice.
// The input must already be sorted in ascending order.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	if p <= 0 {
		return sorted[0]
	}
	if p >= 100 {
		return sorted[len(sorted)-1]
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// Rate returns n events per second over elapsed, or 0 when elapsed is not
// positive.
func Rate(n int, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(n) / elapsed.Seconds()
}

// Summary is the outcome of one scenario run. Latencies are in milliseconds
// so the JSON stays readable.
type Summary struct {
	// Scenario is the scenario name (realtime adds the subscriber count).
	Scenario string `json:"scenario"`
	// Concurrency is the number of workers (subscribers for realtime).
	Concurrency int `json:"concurrency"`
	// Requests counts completed plus failed requests (delivered events for realtime).
	Requests int `json:"requests"`
	// Errors counts failed requests.
	Errors int `json:"errors"`
	// ElapsedSec is the measured wall-clock time.
	ElapsedSec float64 `json:"elapsedSec"`
	// ReqPerSec is successful requests per second.
	ReqPerSec float64 `json:"reqPerSec"`
	// P50Ms, P95Ms and P99Ms are latency percentiles of successful requests.
	P50Ms float64 `json:"p50Ms"`
	P95Ms float64 `json:"p95Ms"`
	P99Ms float64 `json:"p99Ms"`
	// Valid is false when the run had errors or did nothing; its figures
	// must not be compared.
	Valid bool `json:"valid"`
	// Note carries the first error messages or scenario-specific remarks.
	Note string `json:"note,omitempty"`
	// Extra holds scenario-specific figures (realtime delivery ratio, RSS, …).
	Extra map[string]float64 `json:"extra,omitempty"`
}

// Keys of Summary.Extra for the CPU time one request cost, in
// microseconds: the server process's and the load generator's own.
const (
	ServerCPUKey  = "server_cpu_us_per_req"
	LoadgenCPUKey = "loadgen_cpu_us_per_req"
)

// Recorder collects latency samples and errors from concurrent workers.
// The zero value is ready to use.
type Recorder struct {
	mu      sync.Mutex
	lat     []time.Duration
	errs    int
	samples []string
}

// maxErrorSamples bounds how many distinct error texts a Recorder keeps.
const maxErrorSamples = 3

// Add records one successful request and its latency.
func (r *Recorder) Add(d time.Duration) {
	r.mu.Lock()
	r.lat = append(r.lat, d)
	r.mu.Unlock()
}

// AddBatch records many successful request latencies at once (used by
// workers that buffer locally to avoid lock contention).
func (r *Recorder) AddBatch(ds []time.Duration) {
	r.mu.Lock()
	r.lat = append(r.lat, ds...)
	r.mu.Unlock()
}

// Fail records one failed request; msg is kept if it is among the first
// few distinct errors.
func (r *Recorder) Fail(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs++
	if len(r.samples) < maxErrorSamples && !slices.Contains(r.samples, msg) {
		r.samples = append(r.samples, msg)
	}
}

// Errors returns the number of failures recorded so far.
func (r *Recorder) Errors() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errs
}

// Summarize computes the summary of everything recorded, over the given
// wall-clock elapsed time. Errors count as requests for the rate but not
// for latency.
func (r *Recorder) Summarize(scenario string, concurrency int, elapsed time.Duration) Summary {
	r.mu.Lock()
	lat := slices.Clone(r.lat)
	errs := r.errs
	samples := slices.Clone(r.samples)
	r.mu.Unlock()
	slices.Sort(lat)
	s := Summary{
		Scenario:    scenario,
		Concurrency: concurrency,
		Requests:    len(lat) + errs,
		Errors:      errs,
		ElapsedSec:  elapsed.Seconds(),
		ReqPerSec:   Rate(len(lat), elapsed),
		P50Ms:       ms(Percentile(lat, 50)),
		P95Ms:       ms(Percentile(lat, 95)),
		P99Ms:       ms(Percentile(lat, 99)),
	}
	s.Valid = errs == 0 && len(lat) > 0
	if len(samples) > 0 {
		s.Note = "errors: " + joinSamples(samples)
	} else if len(lat) == 0 {
		s.Note = "no request completed"
	}
	return s
}

// LatencySummary fills the percentile fields of s from raw samples (used by
// scenarios such as realtime whose latencies are not request round trips).
func LatencySummary(samples []time.Duration) (p50, p95, p99 float64) {
	lat := slices.Clone(samples)
	slices.Sort(lat)
	return ms(Percentile(lat, 50)), ms(Percentile(lat, 95)), ms(Percentile(lat, 99))
}

func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*1000) / 1000
}

func joinSamples(s []string) string {
	out := ""
	for i, m := range s {
		if i > 0 {
			out += " | "
		}
		if len(m) > 200 {
			m = m[:200] + "…"
		}
		out += m
	}
	return out
}

// Median returns the median of xs (the mean of the two middle values for an
// even count) and 0 for an empty slice. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
