package scenario

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
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

// sseConn is one subscriber's stream.
type sseConn struct {
	resp *http.Response
	rd   *bufio.Reader
	id   string
}

// readFrame reads one SSE frame and returns its id, event name and data.
func readFrame(rd *bufio.Reader) (id, event string, data []byte, err error) {
	for {
		line, err := rd.ReadSlice('\n')
		if err != nil {
			return "", "", nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if event != "" || data != nil {
				return id, event, data, nil
			}
		case bytes.HasPrefix(line, []byte("id:")):
			id = string(bytes.TrimSpace(line[3:]))
		case bytes.HasPrefix(line, []byte("event:")):
			event = string(bytes.TrimSpace(line[6:]))
		case bytes.HasPrefix(line, []byte("data:")):
			data = append(data, bytes.TrimSpace(line[5:])...)
		}
	}
}

// connectSSE opens GET /api/realtime, reads PB_CONNECT (the clientId is in
// the id: line and in the data) and subscribes to posts/*.
func connectSSE(ctx context.Context, env *Env, hc *http.Client) (*sseConn, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.Anon.BaseURL+"/api/realtime", nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET /api/realtime: status %d", resp.StatusCode)
	}
	c := &sseConn{resp: resp, rd: bufio.NewReaderSize(resp.Body, 4096)}
	id, event, data, err := readFrame(c.rd)
	if err != nil {
		resp.Body.Close()
		return nil, fmt.Errorf("read PB_CONNECT: %w", err)
	}
	var payload struct {
		ClientID string `json:"clientId"`
	}
	_ = json.Unmarshal(data, &payload)
	if event != "PB_CONNECT" || id == "" || payload.ClientID != id {
		resp.Body.Close()
		return nil, fmt.Errorf("bad PB_CONNECT frame: id=%q event=%q data=%.100s", id, event, data)
	}
	c.id = id
	sub := map[string]any{"clientId": id, "subscriptions": []string{"posts/*"}}
	if err := env.Anon.Do(ctx, http.MethodPost, "/api/realtime", sub, nil); err != nil {
		resp.Body.Close()
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	return c, nil
}

func realtimeK(ctx context.Context, env *Env, k, rate int) stats.Summary {
	name := RealtimeName(k, rate)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Streams never go back to the pool, so they get their own transport.
	hc := &http.Client{Transport: &http.Transport{
		DialContext:        (&net.Dialer{Timeout: 15 * time.Second}).DialContext,
		MaxConnsPerHost:    0,
		DisableCompression: true,
	}}
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
			c, err := connectSSE(ctx, env, hc)
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
				c.resp.Body.Close()
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
		latMu     sync.Mutex
		lats      []time.Duration
		readWG    sync.WaitGroup
	)
	for _, c := range conns {
		readWG.Go(func() {
			var local []time.Duration
			defer func() {
				latMu.Lock()
				lats = append(lats, local...)
				latMu.Unlock()
			}()
			for {
				_, event, data, err := readFrame(c.rd)
				now := time.Now().UnixNano()
				if err != nil {
					return
				}
				if event != "posts/*" {
					continue
				}
				seq, ok := markerSeq(data)
				if !ok || seq >= len(sent) {
					continue
				}
				delivered.Add(1)
				if at := sent[seq].Load(); at > 0 {
					local = append(local, time.Duration(now-at))
				}
			}
		})
	}

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
	cancel()
	for _, c := range conns {
		c.resp.Body.Close()
	}
	readWG.Wait()

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
	s.Valid = s.Errors == 0 && created.Load() > 0
	if s.Errors > 0 {
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
