package scenario

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/basalthq/basalt/bench/internal/stats"
)

// RealtimeRate is the writer's create rate (creates per second), and
// RealtimeFastRate the rate of the extra runs for Env.RealtimeFastK.
const (
	RealtimeRate     = 20
	RealtimeFastRate = 100
)

// RealtimeName names a realtime result: realtime_kK at the base rate,
// realtime_kK_rR at another rate.
func RealtimeName(k, rate int) string {
	if rate == RealtimeRate {
		return fmt.Sprintf("realtime_k%d", k)
	}
	return fmt.Sprintf("realtime_k%d_r%d", k, rate)
}

// realtimeGrace bounds the wait for late events after the writer stops, and
// realtimeIdle ends it early when no event arrived for that long.
const (
	realtimeGrace = 30 * time.Second
	realtimeIdle  = 2 * time.Second
)

// rtMarker prefixes the title of posts created by the realtime writer; the
// sequence number follows it, so a subscriber can find the send time.
const rtMarker = `"title":"rt-`

func realtime(ctx context.Context, env *Env) []stats.Summary {
	var out []stats.Summary
	for _, k := range env.RealtimeK {
		out = append(out, realtimeK(ctx, env, k, RealtimeRate))
	}
	for _, k := range env.RealtimeFastK {
		out = append(out, realtimeK(ctx, env, k, RealtimeFastRate))
	}
	return out
}

func realtimeK(ctx context.Context, env *Env, k, rate int) stats.Summary {
	name := RealtimeName(k, rate)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	extra := map[string]float64{"subscribers": float64(k)}
	if env.PID > 0 {
		// Peak RSS of this K alone (the caller's sampler spans every K).
		sampler := StartRSSSampler(env.PID, 100*time.Millisecond)
		defer func() { extra["rss_peak_kb"] = float64(sampler.Stop()) }()
	}
	runtime.GC()
	var baseRSS int64
	if env.PID > 0 {
		time.Sleep(time.Second) // let the server settle after the previous scenario
		baseRSS, _ = RSSKB(env.PID)
	}

	// Connect all subscribers, 64 at a time.
	conns := make([]*sseConn, k)
	var (
		connErrs stats.Recorder
		wg       sync.WaitGroup
		sem      = make(chan struct{}, 64)
	)
	t0 := time.Now()
	for i := range k {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c, err := connectSSE(ctx, env)
			if err != nil {
				connErrs.Fail(err.Error())
				return
			}
			conns[i] = c
		})
		if ctx.Err() != nil {
			break
		}
	}
	wg.Wait()
	extra["connect_sec"] = time.Since(t0).Seconds()
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	if n := connErrs.Errors(); n > 0 {
		s := connErrs.Summarize(name, k, 0)
		s.Valid = false
		s.Note = fmt.Sprintf("%d of %d subscribers failed to connect; %s", n, k, s.Note)
		s.Extra = extra
		return s
	}
	env.Log("%s: %d subscribers connected in %.1fs", name, k, extra["connect_sec"])
	if env.PID > 0 {
		time.Sleep(time.Second) // let the server settle before measuring idle RSS
		if rss, err := RSSKB(env.PID); err == nil {
			extra["rss_base_kb"] = float64(baseRSS)
			extra["rss_connected_kb"] = float64(rss)
			extra["rss_per_sub_kb"] = float64(rss-baseRSS) / float64(k)
		}
	}

	// Readers: record the delivery latency of every writer event.
	maxEvents := int(env.Duration.Seconds()*float64(rate)) + rate
	sent := make([]atomic.Int64, maxEvents) // send time (UnixNano) per sequence
	var (
		delivered atomic.Int64
		readErr   error
	)
	readCtx, stopReading := context.WithCancel(ctx)
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		readErr = readStreams(readCtx, conns, func(c *sseConn, now int64, event, data []byte) {
			if string(event) != "posts/*" {
				return
			}
			seq, ok := markerSeq(data)
			if !ok || seq >= len(sent) {
				return
			}
			delivered.Add(1)
			if at := sent[seq].Load(); at > 0 {
				c.lats = append(c.lats, time.Duration(now-at))
			}
		})
	}()

	// Writer: open loop, rate creates per second for env.Duration,
	// each create in its own goroutine so a slow server cannot lower the rate.
	var (
		writeErrs stats.Recorder
		created   atomic.Int64
		writeWG   sync.WaitGroup
	)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	deadline := time.Now().Add(env.Duration)
	for seq := 0; seq < maxEvents && time.Now().Before(deadline) && ctx.Err() == nil; seq++ {
		<-tick.C
		writeWG.Go(func() {
			body := fmt.Appendf(nil, `{"title":"rt-%d","body":"realtime","views":1,"published":true}`, seq)
			sent[seq].Store(time.Now().UnixNano())
			if _, err := env.Anon.Raw(ctx, http.MethodPost, "/api/collections/posts/records", body, "application/json"); err != nil {
				writeErrs.Fail(err.Error())
				return
			}
			created.Add(1)
		})
	}
	tick.Stop()
	writeWG.Wait()
	extra["creates_per_sec"] = float64(created.Load()) / env.Duration.Seconds()
	expected := created.Load() * int64(k)
	// Grace period: late events are not lost events. Wait until everything
	// arrived, or nothing arrived for realtimeIdle, or realtimeGrace passed.
	last, lastAt := delivered.Load(), time.Now()
	for end := time.Now().Add(realtimeGrace); time.Now().Before(end) && delivered.Load() < expected; {
		time.Sleep(20 * time.Millisecond)
		if n := delivered.Load(); n != last {
			last, lastAt = n, time.Now()
		} else if time.Since(lastAt) > realtimeIdle {
			break
		}
	}
	elapsed := time.Since(deadline.Add(-env.Duration))
	stopReading()
	<-readDone // the readers are done with the sockets before they close

	var lats []time.Duration
	for _, c := range conns {
		lats = append(lats, c.lats...)
	}
	got := delivered.Load()
	s := stats.Summary{Scenario: name, Concurrency: k, Requests: int(got), ElapsedSec: elapsed.Seconds(),
		ReqPerSec: stats.Rate(int(got), elapsed), Errors: writeErrs.Errors()}
	s.P50Ms, s.P95Ms, s.P99Ms = stats.LatencySummary(lats)
	extra["creates"] = float64(created.Load())
	extra["expected"] = float64(expected)
	extra["delivered"] = float64(got)
	if expected > 0 {
		extra["delivered_ratio"] = float64(got) / float64(expected)
	}
	s.Extra = extra
	s.Valid = s.Errors == 0 && created.Load() > 0 && readErr == nil
	if readErr != nil {
		s.Note = "reading the streams: " + readErr.Error()
	} else if s.Errors > 0 {
		s.Note = "writer errors: " + writeErrs.Summarize("", 1, 0).Note
	} else if got < expected {
		s.Note = fmt.Sprintf("lost %d of %d events", expected-got, expected)
	}
	return s
}

// markerSeq extracts the writer sequence number from an event's data.
func markerSeq(data []byte) (int, bool) {
	i := bytes.Index(data, []byte(rtMarker))
	if i < 0 {
		return 0, false
	}
	rest := data[i+len(rtMarker):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(rest[:j]))
	return n, err == nil
}
