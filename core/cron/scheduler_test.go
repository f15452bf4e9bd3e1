package cron

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newTestScheduler(t *testing.T) (*Scheduler, *logBuffer) {
	s, logs, _ := newObservedScheduler(t)
	return s, logs
}

// newObservedScheduler also returns a channel receiving the id of every
// run that ended (its job free to run again).
func newObservedScheduler(t *testing.T) (*Scheduler, *logBuffer, <-chan string) {
	t.Helper()
	logs := &logBuffer{}
	s := New(Options{
		Now:    func() time.Time { return utc("2026-03-01 10:00") },
		After:  func(time.Duration) <-chan time.Time { return nil }, // the loop is not under test here
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	ended := make(chan string, 100)
	s.afterRun = func(id string) { ended <- id }
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s, logs, ended
}

// waitFor fails the test if ch does not deliver within a generous bound
// (a hang guard, not a timing assertion).
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

func TestAddRejects(t *testing.T) {
	t.Parallel()
	s, _ := newTestScheduler(t)
	noop := func(context.Context) error { return nil }
	s.MustAdd("a", "* * * * *", noop)
	cases := []struct {
		name, id, expr string
		fn             Func
		want           error
	}{
		{"duplicate id", "a", "@daily", noop, ErrDuplicate},
		{"invalid expression", "b", "61 * * * *", noop, ErrInvalidExpression},
		{"empty id", " ", "* * * * *", noop, nil},
		{"nil function", "c", "* * * * *", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.Add(c.id, c.expr, c.fn)
			if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
				t.Fatalf("Add(%q, %q) = %v, want %v", c.id, c.expr, err, c.want)
			}
		})
	}
	if got := s.List(); len(got) != 1 || got[0].Expression != "* * * * *" {
		t.Fatalf("a rejected Add changed the jobs: %v", got)
	}
}

func TestListOrderAndRemove(t *testing.T) {
	t.Parallel()
	s, _ := newTestScheduler(t)
	noop := func(context.Context) error { return nil }
	for _, j := range []Job{{"__pbOTPCleanup__", "0 * * * *"}, {"zeta", "@daily"}, {"__pbLogsCleanup__", "0 */6 * * *"}, {"alpha", "*/5 * * * *"}} {
		s.MustAdd(j.Id, j.Expression, noop)
	}
	want := []Job{{"alpha", "*/5 * * * *"}, {"zeta", "@daily"}, {"__pbLogsCleanup__", "0 */6 * * *"}, {"__pbOTPCleanup__", "0 * * * *"}}
	if got := s.List(); !reflect.DeepEqual(got, want) {
		t.Fatalf("List() = %v, want %v", got, want)
	}
	if !s.Remove("zeta") || s.Remove("zeta") || s.Has("zeta") {
		t.Fatal("Remove did not remove exactly once")
	}
	if err := s.Run("zeta"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Run(removed) = %v, want ErrNotFound", err)
	}
}

func TestTickRunsDueJobsOnly(t *testing.T) {
	t.Parallel()
	s, logs := newTestScheduler(t)
	ran := make(chan string, 10)
	mk := func(id string) Func {
		return func(context.Context) error { ran <- id; return nil }
	}
	s.MustAdd("hourly", "@hourly", mk("hourly"))
	s.MustAdd("at-10-30", "30 10 * * *", mk("at-10-30"))
	s.MustAdd("every-minute", "* * * * *", mk("every-minute"))
	s.Tick(utc("2026-03-01 11:00"))
	got := map[string]bool{waitFor(t, ran, "first run"): true, waitFor(t, ran, "second run"): true}
	if !got["hourly"] || !got["every-minute"] {
		t.Fatalf("ran %v at 11:00, want hourly and every-minute", got)
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 0 {
		t.Fatalf("a job not due ran: %s", <-ran)
	}
	if n := strings.Count(logs.String(), "cron job ran"); n != 2 {
		t.Fatalf("%d runs logged, want 2:\n%s", n, logs)
	}
}

func TestPanickingJobDoesNotStopTheScheduler(t *testing.T) {
	t.Parallel()
	s, logs, ended := newObservedScheduler(t)
	s.MustAdd("boom", "* * * * *", func(context.Context) error { panic("kaboom") })
	s.MustAdd("fine", "* * * * *", func(context.Context) error { return nil })
	for _, m := range []string{"2026-03-01 10:01", "2026-03-01 10:02"} {
		s.Tick(utc(m))
		got := map[string]bool{waitFor(t, ended, "a run at "+m): true, waitFor(t, ended, "the other run at "+m): true}
		if !got["boom"] || !got["fine"] {
			t.Fatalf("runs at %s: %v, want boom and fine", m, got)
		}
	}
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if n := strings.Count(out, "cron job failed"); n != 2 || !strings.Contains(out, "panic: kaboom") {
		t.Fatalf("want the panic logged twice with its value:\n%s", out)
	}
	if n := strings.Count(out, "cron job ran"); n != 2 {
		t.Fatalf("%d healthy runs logged, want 2:\n%s", n, out)
	}
	if err := s.Run("boom"); !errors.Is(err, ErrStopped) {
		t.Fatalf("Run after Stop = %v, want ErrStopped", err)
	}
}

func TestOverlappingRunIsSkipped(t *testing.T) {
	t.Parallel()
	s, logs := newTestScheduler(t)
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	s.MustAdd("slow", "* * * * *", func(context.Context) error {
		started <- struct{}{}
		<-release
		return nil
	})
	s.Tick(utc("2026-03-01 10:01"))
	waitFor(t, started, "the first run")
	s.Tick(utc("2026-03-01 10:02")) // still running: skipped
	if err := s.Run("slow"); err != nil {
		t.Fatal(err) // a manual run is skipped the same way
	}
	close(release)
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(started) != 0 {
		t.Fatal("an overlapping run started")
	}
	out := logs.String()
	if n := strings.Count(out, "still going"); n != 2 {
		t.Fatalf("%d skips logged, want 2:\n%s", n, out)
	}
	if n := strings.Count(out, "cron job ran"); n != 1 {
		t.Fatalf("%d runs logged, want 1:\n%s", n, out)
	}
}

func TestStopWaitsForRuns(t *testing.T) {
	t.Parallel()
	s, logs := newTestScheduler(t)
	started := make(chan struct{})
	release := make(chan struct{})
	var cancelled bool
	s.MustAdd("slow", "* * * * *", func(ctx context.Context) error {
		close(started)
		<-release
		cancelled = ctx.Err() != nil
		return nil
	})
	s.Tick(utc("2026-03-01 10:01"))
	waitFor(t, started, "the run")
	stopped := make(chan error)
	go func() { stopped <- s.Stop(context.Background()) }()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while a run was in progress", err)
	case <-time.After(50 * time.Millisecond): // a chance to return too early
	}
	close(release)
	if err := waitFor(t, stopped, "Stop"); err != nil {
		t.Fatal(err)
	}
	if cancelled {
		t.Fatal("the run's context was cancelled although Stop had time to wait")
	}
	if !strings.Contains(logs.String(), "cron job ran") {
		t.Fatalf("the run was not logged:\n%s", logs)
	}
}

func TestStopIsBoundedByItsContext(t *testing.T) {
	t.Parallel()
	s, logs, ended := newObservedScheduler(t)
	started := make(chan struct{})
	s.MustAdd("long", "* * * * *", func(ctx context.Context) error {
		close(started)
		<-ctx.Done() // gives up only when told to
		return ctx.Err()
	})
	s.Tick(utc("2026-03-01 10:01"))
	waitFor(t, started, "the run")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Stop(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Stop with an ended context = %v, want context.Canceled", err)
	}
	waitFor(t, ended, "the cancelled run to return")
	if !strings.Contains(logs.String(), "context canceled") {
		t.Fatalf("the cancelled run was not logged:\n%s", logs)
	}
}

// fakeTimers is a clock whose waits the test fires by hand.
type fakeTimers struct {
	mu    sync.Mutex
	now   time.Time
	waits chan time.Duration
	fire  chan time.Time
}

func (f *fakeTimers) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeTimers) set(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

func (f *fakeTimers) After(d time.Duration) <-chan time.Time {
	f.waits <- d
	return f.fire
}

func TestLoopTicksAtMinuteBoundaries(t *testing.T) {
	t.Parallel()
	clock := &fakeTimers{now: utc("2026-03-01 10:00").Add(20 * time.Second), waits: make(chan time.Duration, 1), fire: make(chan time.Time)}
	s := New(Options{Now: clock.Now, After: clock.After, Logger: slog.New(slog.NewTextHandler(&logBuffer{}, nil))})
	ran := make(chan time.Time, 10)
	s.MustAdd("each-minute", "* * * * *", func(context.Context) error { ran <- clock.Now(); return nil })
	s.MustAdd("at-10-02", "2 10 * * *", func(context.Context) error { ran <- time.Time{}; return nil })
	s.Start()

	if d := waitFor(t, clock.waits, "the first wait"); d != 40*time.Second {
		t.Fatalf("first wait %s, want 40s (to 10:01:00)", d)
	}
	clock.set(utc("2026-03-01 10:01"))
	clock.fire <- clock.Now()
	if at := waitFor(t, ran, "the 10:01 run"); !at.Equal(utc("2026-03-01 10:01")) {
		t.Fatalf("ran at %s", at)
	}
	if d := waitFor(t, clock.waits, "the second wait"); d != time.Minute {
		t.Fatalf("second wait %s, want 1m", d)
	}
	// A timer that fires while the clock still reads the handled minute
	// (a clock set back) runs nothing twice.
	clock.fire <- clock.Now()
	waitFor(t, clock.waits, "the wait after a repeated minute")
	clock.set(utc("2026-03-01 10:02").Add(time.Second))
	clock.fire <- clock.Now()
	got := []time.Time{waitFor(t, ran, "a 10:02 run"), waitFor(t, ran, "the other 10:02 run")}
	if got[0].IsZero() == got[1].IsZero() {
		t.Fatalf("want one run of each job at 10:02, got %v", got)
	}
	waitFor(t, clock.waits, "the third wait")
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 0 {
		t.Fatalf("an extra run: %v", <-ran)
	}
}

// panickyClock is a clock whose nth reading panics, with a timer the test
// fires by hand.
type panickyClock struct {
	mu      sync.Mutex
	now     time.Time
	reads   int
	panicAt int
	fire    chan time.Time
}

func (c *panickyClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reads++
	if c.reads == c.panicAt {
		panic("clock broke")
	}
	c.now = c.now.Add(time.Minute)
	return c.now
}

func (c *panickyClock) After(time.Duration) <-chan time.Time { return c.fire }

// TestTickPanicDoesNotStopTheLoop: a panic in the loop itself (here the
// clock, read after the timer fired) is logged and the next minute still
// runs its jobs.
func TestTickPanicDoesNotStopTheLoop(t *testing.T) {
	t.Parallel()
	clock := &panickyClock{now: utc("2026-03-01 10:00"), panicAt: 2, fire: make(chan time.Time)}
	logs := &logBuffer{}
	s := New(Options{Now: clock.Now, After: clock.After, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	ran := make(chan struct{}, 10)
	s.MustAdd("each-minute", "* * * * *", func(context.Context) error { ran <- struct{}{}; return nil })
	s.Start()
	defer s.Stop(context.Background())
	clock.fire <- time.Time{} // the tick whose clock reading panics
	clock.fire <- time.Time{} // the loop is alive: the next tick runs the job
	waitFor(t, ran, "a run after the panicking tick")
	if !strings.Contains(logs.String(), "clock broke") {
		t.Fatalf("the panic was not logged: %s", logs.String())
	}
}

func TestLastRun(t *testing.T) {
	t.Parallel()
	s, _, ended := newObservedScheduler(t)
	fail := errors.New("disk full")
	s.MustAdd("ok", "@yearly", func(context.Context) error { return nil })
	s.MustAdd("bad", "@yearly", func(context.Context) error { return fail })
	s.MustAdd("panics", "@yearly", func(context.Context) error { panic("boom") })
	if info, running, ok := s.LastRun("ok"); !ok || running || info != nil {
		t.Fatalf("before any run: %v %v %v, want nil false true", info, running, ok)
	}
	if _, _, ok := s.LastRun("nope"); ok {
		t.Fatal("LastRun(unknown) reported ok")
	}
	cases := []struct {
		name, id, wantErr string
	}{
		{"success", "ok", ""},
		{"error", "bad", "disk full"},
		{"panic", "panics", "panic: boom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := s.Run(c.id); err != nil {
				t.Fatal(err)
			}
			waitFor(t, ended, c.id)
			info, running, ok := s.LastRun(c.id)
			if !ok || running || info == nil {
				t.Fatalf("after the run: %v %v %v", info, running, ok)
			}
			if !strings.HasPrefix(info.Error, c.wantErr) || (c.wantErr == "" && info.Error != "") {
				t.Fatalf("Error %q, want prefix %q", info.Error, c.wantErr)
			}
			if info.Trigger != "manual" || !info.Started.Equal(utc("2026-03-01 10:00")) {
				t.Fatalf("trigger %q started %s", info.Trigger, info.Started)
			}
		})
	}
}

// TestOnRunOutcomes: every run reports its outcome to Options.OnRun (the
// app's cron metrics): ok, error, and skipped while still running.
func TestOnRunOutcomes(t *testing.T) {
	t.Parallel()
	s, _, ended := newObservedScheduler(t)
	var mu sync.Mutex
	got := map[string]int{}
	s.onRunF = func(id, outcome string) {
		mu.Lock()
		got[id+":"+outcome]++
		mu.Unlock()
	}
	release := make(chan struct{})
	s.MustAdd("good", "@daily", func(context.Context) error { return nil })
	s.MustAdd("bad", "@daily", func(context.Context) error { return errors.New("no") })
	s.MustAdd("slow", "@daily", func(context.Context) error { <-release; return nil })
	for _, id := range []string{"good", "bad"} {
		if err := s.Run(id); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ended, id)
	}
	if err := s.Run("slow"); err != nil {
		t.Fatal(err)
	}
	_ = s.Run("slow") // skipped: the first run holds the job
	close(release)
	waitFor(t, ended, "slow")
	mu.Lock()
	defer mu.Unlock()
	want := map[string]int{"good:ok": 1, "bad:error": 1, "slow:skipped": 1, "slow:ok": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
}
