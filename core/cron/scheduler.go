package cron

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of the Scheduler.
var (
	// ErrNotFound means no job has the given id.
	ErrNotFound = errors.New("cron job not found")
	// ErrDuplicate means a job with the id is already registered; Remove
	// it first to replace it (e.g. to reschedule a system job).
	ErrDuplicate = errors.New("cron job already registered")
	// ErrStopped means the scheduler was stopped and runs nothing more.
	ErrStopped = errors.New("cron scheduler stopped")
)

// SystemPrefix starts the ids of the jobs Basalt registers itself
// (PocketBase's, e.g. __pbLogsCleanup__); List puts them last.
const SystemPrefix = "__pb"

// Func is a job's work. ctx ends when Stop gives up waiting for it; the
// error is logged with the run.
type Func func(ctx context.Context) error

// Job describes a registered job as GET /api/crons lists it.
type Job struct {
	Id         string `json:"id"`
	Expression string `json:"expression"`
}

// Options configures a Scheduler; the zero value means defaults.
type Options struct {
	// Now is the clock (default time.Now); times are used in UTC.
	Now func() time.Time
	// After waits for a duration (default time.After); tests inject a
	// fake so no test sleeps for real minutes.
	After func(time.Duration) <-chan time.Time
	// Logger receives one entry per run (default slog.Default()).
	Logger *slog.Logger
	// OnRun, when set, learns of every run's outcome ("ok", "error", or
	// "skipped" when the previous run was still going, "elsewhere" when
	// another node claimed the tick); the app counts
	// them in its metrics. It must be fast and must not panic.
	OnRun func(id, outcome string)
}

// RunInfo describes a job's latest finished run (kept in memory only: it
// starts empty at each process start). The dashboard's Crons screen shows
// it through the superuser-only GET /api/crons.
type RunInfo struct {
	// Started is when the run began (UTC).
	Started time.Time
	// Duration is how long the run took.
	Duration time.Duration
	// Trigger is "schedule" or "manual" (POST /api/crons/{id}).
	Trigger string
	// Error is the run's error text ("" when it succeeded).
	Error string
}

type job struct {
	id       string
	schedule *Schedule
	fn       Func
	running  atomic.Bool
	last     atomic.Pointer[RunInfo]
}

// Scheduler runs registered jobs at the minutes their schedules name.
// All its methods are safe for concurrent use.
type Scheduler struct {
	now    func() time.Time
	after  func(time.Duration) <-chan time.Time
	logger *slog.Logger
	onRunF func(id, outcome string)

	mu   sync.RWMutex
	jobs map[string]*job

	// runCtx is every run's context, cancelled by Stop.
	runCtx     context.Context
	cancelRuns context.CancelFunc

	life     sync.Mutex // guards started, stopped and runs.Add
	started  bool
	stopped  bool
	runs     sync.WaitGroup
	quit     chan struct{}
	loopDone chan struct{}

	// afterRun, when set (by tests), is called at the end of every run.
	afterRun func(id string)

	claim atomic.Pointer[ClaimFunc]
}

// ClaimFunc decides whether this process runs job id's scheduled run of
// the minute tick: several nodes sharing one database each tick, and
// only the one that claims the (job, tick) pair runs it.
type ClaimFunc func(ctx context.Context, id string, tick time.Time) bool

// SetClaim installs fn as the scheduled runs' claim (nil: every tick
// runs here, the single-node default). Manual runs are never claimed.
func (s *Scheduler) SetClaim(fn ClaimFunc) {
	if fn == nil {
		s.claim.Store(nil)
		return
	}
	s.claim.Store(&fn)
}

// Wait blocks until every run started so far has returned (a run that
// lost its claim returns at once).
func (s *Scheduler) Wait() { s.runs.Wait() }

// New returns a Scheduler with no jobs; Start begins ticking.
func New(opts Options) *Scheduler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.After == nil {
		opts.After = time.After
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{now: opts.Now, after: opts.After, logger: opts.Logger, onRunF: opts.OnRun, jobs: map[string]*job{},
		runCtx: ctx, cancelRuns: cancel, quit: make(chan struct{}), loopDone: make(chan struct{})}
}

// Add registers fn under id to run at the minutes expr names (see Parse).
// It fails on an empty id, a nil fn, an invalid expression or an id already
// registered (ErrDuplicate): registries fail loudly on duplicates.
func (s *Scheduler) Add(id, expr string, fn Func) error {
	if strings.TrimSpace(id) == "" {
		return errors.New("cron: empty job id")
	}
	if fn == nil {
		return fmt.Errorf("cron: job %q has no function", id)
	}
	sched, err := Parse(expr)
	if err != nil {
		return fmt.Errorf("cron: job %q: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.jobs[id]; ok {
		return fmt.Errorf("cron: job %q: %w", id, ErrDuplicate)
	}
	s.jobs[id] = &job{id: id, schedule: sched, fn: fn}
	return nil
}

// MustAdd is Add that panics on error, for registrations at start-up.
func (s *Scheduler) MustAdd(id, expr string, fn Func) {
	if err := s.Add(id, expr, fn); err != nil {
		panic(err)
	}
}

// Remove unregisters the job and reports whether it existed. A run in
// progress finishes.
func (s *Scheduler) Remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.jobs[id]
	delete(s.jobs, id)
	return ok
}

// Has reports whether a job is registered under id.
func (s *Scheduler) Has(id string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.jobs[id]
	return ok
}

// List returns the registered jobs: user jobs sorted by id, then system
// jobs (SystemPrefix) sorted by id, as PocketBase lists them.
func (s *Scheduler) List() []Job {
	s.mu.RLock()
	out := make([]Job, 0, len(s.jobs))
	for _, j := range s.jobs {
		out = append(out, Job{Id: j.id, Expression: j.schedule.String()})
	}
	s.mu.RUnlock()
	sort.Slice(out, func(a, b int) bool {
		sa, sb := strings.HasPrefix(out[a].Id, SystemPrefix), strings.HasPrefix(out[b].Id, SystemPrefix)
		if sa != sb {
			return sb
		}
		return out[a].Id < out[b].Id
	})
	return out
}

// LastRun returns the job's latest finished run and whether it is running
// now; ok is false for an unknown id, info is nil when it never finished a
// run in this process.
func (s *Scheduler) LastRun(id string) (info *RunInfo, running, ok bool) {
	s.mu.RLock()
	j, ok := s.jobs[id]
	s.mu.RUnlock()
	if !ok {
		return nil, false, false
	}
	return j.last.Load(), j.running.Load(), true
}

// Run starts the job now, in the background, whatever its schedule
// (POST /api/crons/{id}). It returns ErrNotFound for an unknown id and
// ErrStopped after Stop; a run already in progress is not doubled (the
// skip is logged).
func (s *Scheduler) Run(id string) error {
	s.mu.RLock()
	j, ok := s.jobs[id]
	s.mu.RUnlock()
	if !ok {
		return ErrNotFound
	}
	s.life.Lock()
	stopped := s.stopped
	s.life.Unlock()
	if stopped {
		return ErrStopped
	}
	s.start(j, "manual", time.Time{})
	return nil
}

// Tick starts, in the background, every job due at the minute holding t.
// The scheduler's loop calls it at each minute boundary.
func (s *Scheduler) Tick(t time.Time) {
	s.mu.RLock()
	due := []*job{}
	for _, j := range s.jobs {
		if j.schedule.Due(t) {
			due = append(due, j)
		}
	}
	s.mu.RUnlock()
	sort.Slice(due, func(a, b int) bool { return due[a].id < due[b].id })
	for _, j := range due {
		s.start(j, "schedule", t)
	}
}

// start launches one run of j unless it is running already or the
// scheduler stopped; it reports whether it did.
func (s *Scheduler) start(j *job, trigger string, tick time.Time) bool {
	if !j.running.CompareAndSwap(false, true) {
		s.logger.Warn("cron job skipped: its previous run is still going", "job", j.id, "trigger", trigger)
		s.onRun(j.id, "skipped")
		return false
	}
	s.life.Lock()
	if s.stopped {
		s.life.Unlock()
		j.running.Store(false)
		return false
	}
	s.runs.Add(1)
	s.life.Unlock()
	go s.run(j, trigger, tick)
	return true
}

// run executes one run of j, recovering a panic, and logs it.
func (s *Scheduler) run(j *job, trigger string, tick time.Time) {
	defer s.runs.Done()
	if c := s.claim.Load(); c != nil && trigger == "schedule" && !s.claimed(*c, j.id, tick) {
		// Another node runs this tick.
		j.running.Store(false)
		s.onRun(j.id, "elsewhere")
		return
	}
	begin := s.now()
	err := s.call(j)
	took := s.now().Sub(begin)
	attrs := []any{"job", j.id, "trigger", trigger, "duration", took}
	info := &RunInfo{Started: begin.UTC(), Duration: took, Trigger: trigger}
	if err != nil {
		info.Error = err.Error()
	}
	// stored before running is cleared: a caller that sees the job idle
	// sees this run's outcome
	j.last.Store(info)
	j.running.Store(false)
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	s.onRun(j.id, outcome)
	if err != nil {
		s.logger.Error("cron job failed", append(attrs, "err", err)...)
	} else {
		s.logger.Info("cron job ran", attrs...)
	}
	if s.afterRun != nil {
		s.afterRun(j.id)
	}
}

// claimed asks c, recovering a panic (a panicking claim runs nothing).
func (s *Scheduler) claimed(c ClaimFunc, id string, tick time.Time) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("cron claim panicked", "job", id, "panic", r)
			ok = false
		}
	}()
	return c(s.runCtx, id, tick.UTC().Truncate(time.Minute))
}

func (s *Scheduler) onRun(id, outcome string) {
	if s.onRunF != nil {
		s.onRunF(id, outcome)
	}
}

func (s *Scheduler) call(j *job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return j.fn(s.runCtx)
}

// Start begins ticking at every minute boundary (UTC) in a goroutine of
// its own. It does nothing if already started or stopped.
func (s *Scheduler) Start() {
	s.life.Lock()
	defer s.life.Unlock()
	if s.started || s.stopped {
		return
	}
	s.started = true
	go s.loop()
}

func (s *Scheduler) loop() {
	defer close(s.loopDone)
	var last time.Time
	for !s.step(&last) {
	}
}

// step waits for the next minute and runs the jobs due then; it reports
// whether the scheduler stopped. A panic in it (the clock, a schedule) is
// logged and the loop goes on after a pause, so one bad tick never ends
// every later one.
func (s *Scheduler) step(last *time.Time) (quit bool) {
	defer func() {
		if r := recover(); r != nil {
			s.logger.Error("cron: a scheduler tick panicked; ticking goes on", "panic", r, "stack", string(debug.Stack()))
			select {
			case <-s.quit:
				quit = true
			case <-time.After(time.Second): // no busy loop if it keeps panicking
			}
		}
	}()
	now := s.now().UTC()
	wait := now.Truncate(time.Minute).Add(time.Minute).Sub(now)
	select {
	case <-s.quit:
		return true
	case <-s.after(wait):
	}
	// A clock set back (or a timer firing early) would repeat a
	// minute already handled; a clock jumping ahead skips the minutes
	// in between rather than running them all at once.
	t := s.now().UTC().Truncate(time.Minute)
	if !t.After(*last) {
		return false
	}
	*last = t
	s.Tick(t)
	return false
}

// Stop ends ticking and waits for the runs in progress to return. When
// ctx ends first, it cancels the runs' context (their signal to give up)
// and returns an error wrapping ctx's, without waiting further. Later Run
// calls return ErrStopped. Stop is idempotent.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.life.Lock()
	if s.stopped {
		s.life.Unlock()
		return nil
	}
	s.stopped = true
	started := s.started
	s.life.Unlock()
	close(s.quit)
	if started {
		<-s.loopDone
	}
	done := make(chan struct{})
	go func() {
		s.runs.Wait()
		close(done)
	}()
	defer s.cancelRuns()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cron: jobs still running at shutdown: %w", ctx.Err())
	}
}
