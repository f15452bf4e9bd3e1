// Command loadgen sets up the benchmark dataset on a PocketBase-compatible
// server through its public API and runs the load scenarios against it.
//
//	loadgen -url http://127.0.0.1:8090 -su-email a@b.c -su-password secret -scenario all -duration 10s
//
// See bench/README.md for the scenarios. Traffic goes to -url only, which
// must be a loopback address.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/basalthq/basalt/bench/internal/client"
	"github.com/basalthq/basalt/bench/internal/report"
	"github.com/basalthq/basalt/bench/internal/scenario"
	"github.com/basalthq/basalt/bench/internal/setup"
	"github.com/basalthq/basalt/bench/internal/stats"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type config struct {
	url, scenarios, suEmail, suPassword, setupMode, label, realtimeK, realtimeFastK string
	duration                                                                        time.Duration
	concurrency, pid, users, posts                                                  int
	jsonOut, list                                                                   bool
	fail                                                                            string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8090", "server base URL (loopback only)")
	fs.StringVar(&c.scenarios, "scenario", "all", "scenario name, comma list, 'create' (all create_cN), 'all' or 'none' (setup only)")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured time per scenario")
	fs.IntVar(&c.concurrency, "concurrency", 0, "override every scenario's concurrency (0 = scenario default)")
	fs.StringVar(&c.suEmail, "su-email", "bench@example.com", "superuser e-mail")
	fs.StringVar(&c.suPassword, "su-password", "bench-password-123", "superuser password")
	fs.BoolVar(&c.jsonOut, "json", false, "print the results as JSON on stdout (the table goes to stderr)")
	fs.IntVar(&c.pid, "pid", 0, "server process id, to read its RSS from /proc/<pid>/status")
	fs.StringVar(&c.setupMode, "setup", "api", "dataset setup: 'api' (superuser + collections API) or 'skip' (discover the ids through public lists; for the floor)")
	fs.IntVar(&c.users, "users", 100, "number of users in the dataset")
	fs.IntVar(&c.posts, "posts", 10000, "number of seeded posts")
	fs.StringVar(&c.realtimeK, "realtime-k", "100,1000,10000", "comma list of subscriber counts for the realtime scenario")
	fs.StringVar(&c.realtimeFastK, "realtime-fast-k", "1000", "comma list of subscriber counts measured again with the writer at 100 creates/s ('' for none)")
	fs.StringVar(&c.label, "label", "", "server label stored in the JSON output (e.g. basalt, pocketbase, floor)")
	fs.BoolVar(&c.list, "list", false, "list the scenarios and exit")
	fs.StringVar(&c.fail, "fail", "", "contact no server: report every selected scenario as failed with this reason (run.sh uses it when a server cannot be built or started)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.setupMode != "api" && c.setupMode != "skip" {
		return nil, fmt.Errorf("-setup must be api or skip, got %q", c.setupMode)
	}
	return c, checkLoopback(c.url)
}

// checkLoopback refuses any target that is not on this machine's loopback.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bad -url: %w", err)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-url %q is not a loopback address; load tests only target 127.0.0.0/8 or ::1", raw)
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad count %q", p)
		}
		out = append(out, n)
	}
	return out, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "loadgen: "+format+"\n", a...) }
	if cfg.list {
		for _, s := range scenario.All() {
			fmt.Fprintf(stdout, "%-16s %s\n", s.Name, s.Doc)
		}
		return nil
	}
	var sel []scenario.Scenario
	if cfg.scenarios != "none" {
		if sel, err = scenario.Select(cfg.scenarios); err != nil {
			return err
		}
	}
	ks, err := parseInts(cfg.realtimeK)
	if err != nil {
		return err
	}
	fastKs, err := parseInts(cfg.realtimeFastK)
	if err != nil {
		return err
	}
	if nofile, err := scenario.RaiseNoFile(65536); err != nil {
		logf("raise RLIMIT_NOFILE: %v", err)
	} else if mx := maxInts(append(slices.Clone(ks), fastKs...)); uint64(mx)+512 > nofile {
		logf("warning: RLIMIT_NOFILE is %d, too low for %d subscribers", nofile, mx)
	}

	out := report.Run{Label: cfg.label, URL: cfg.url, Started: time.Now().UTC().Format(time.RFC3339),
		DurationSec: cfg.duration.Seconds(), Args: strings.Join(args, " ")}
	env := &scenario.Env{Anon: client.New(cfg.url), Duration: cfg.duration, Concurrency: cfg.concurrency,
		PID: cfg.pid, RealtimeK: ks, RealtimeFastK: fastKs, Password: setup.UserPassword, Log: logf}
	t0 := time.Now()
	var setupErr error
	if cfg.fail != "" {
		setupErr = errors.New(cfg.fail)
	} else {
		setupErr = prepare(ctx, cfg, env, logf)
	}
	out.SetupSec = time.Since(t0).Seconds()
	if env.SU != nil {
		if cost, err := setup.BcryptCost(ctx, env.SU); err == nil {
			out.BcryptCost = cost
		}
	}
	if setupErr != nil {
		out.SetupError = setupErr.Error()
		logf("setup failed: %v", setupErr)
	}
	for _, sc := range sel {
		if ctx.Err() != nil {
			break
		}
		if setupErr != nil {
			out.Results = append(out.Results, stats.Summary{Scenario: sc.Name, Note: "not run: " + setupErr.Error()})
			continue
		}
		if sc.NeedsSU && env.SU == nil {
			out.Results = append(out.Results, stats.Summary{Scenario: sc.Name, Note: "not supported without the superuser API"})
			continue
		}
		logf("running %s (%s)", sc.Name, cfg.duration)
		sampler := scenario.StartRSSSampler(cfg.pid, 100*time.Millisecond)
		res := sc.Run(ctx, env)
		peak := sampler.Stop()
		for i := range res {
			// A scenario with several results (realtime: one per K)
			// samples each one itself.
			if _, own := res[i].Extra["rss_peak_kb"]; peak > 0 && !own {
				if res[i].Extra == nil {
					res[i].Extra = map[string]float64{}
				}
				res[i].Extra["rss_peak_kb"] = float64(peak)
			}
			logf("%s", line(res[i]))
		}
		out.Results = append(out.Results, res...)
	}
	printTable(stderr, out.Results)
	if cfg.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
	if setupErr != nil {
		return errors.New("setup failed; every scenario is marked invalid")
	}
	return nil
}

// prepare authenticates and builds the dataset, or discovers it.
func prepare(ctx context.Context, cfg *config, env *scenario.Env, logf func(string, ...any)) error {
	if cfg.setupMode == "skip" {
		var err error
		if env.PostIDs, err = env.Anon.IDs(ctx, setup.Posts, "", 0); err != nil {
			return fmt.Errorf("discover posts: %w", err)
		}
		if env.UserIDs, err = env.Anon.IDs(ctx, setup.Users, "", 0); err != nil {
			return fmt.Errorf("discover users: %w", err)
		}
		if len(env.PostIDs) == 0 || len(env.UserIDs) == 0 {
			return fmt.Errorf("discover: %d posts, %d users", len(env.PostIDs), len(env.UserIDs))
		}
		logf("discovered %d posts and %d users", len(env.PostIDs), len(env.UserIDs))
		return nil
	}
	auth, err := env.Anon.AuthWithPassword(ctx, "_superusers", cfg.suEmail, cfg.suPassword)
	if err != nil {
		return fmt.Errorf("superuser auth: %w", err)
	}
	env.SU = env.Anon.WithToken(auth.Token)
	ds, err := setup.Run(ctx, env.SU, setup.Options{Users: cfg.users, Posts: cfg.posts, Log: logf})
	if err != nil {
		return err
	}
	env.UserIDs, env.UserEmails, env.PostIDs = ds.UserIDs, ds.UserEmails, ds.PostIDs
	logf("dataset ready: %d users, %d posts (reused=%v, created %d records)", len(ds.UserIDs), len(ds.PostIDs), ds.Reused, ds.Created)
	return nil
}

func maxInts(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func line(s stats.Summary) string {
	status := "ok"
	if !s.Valid {
		status = "INVALID"
	}
	return fmt.Sprintf("%-16s c=%-5d %9.1f req/s  p50 %7.2fms  p95 %7.2fms  p99 %7.2fms  errors %d  %s %s",
		s.Scenario, s.Concurrency, s.ReqPerSec, s.P50Ms, s.P95Ms, s.P99Ms, s.Errors, status, s.Note)
}

func printTable(w io.Writer, rs []stats.Summary) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tconc\treq/s\tp50 ms\tp95 ms\tp99 ms\terrors\tvalid\tnote")
	for _, s := range rs {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%d\t%v\t%s\n",
			s.Scenario, s.Concurrency, s.ReqPerSec, s.P50Ms, s.P95Ms, s.P99Ms, s.Errors, s.Valid, extraNote(s))
	}
	tw.Flush()
}

func extraNote(s stats.Summary) string {
	parts := []string{}
	if s.Note != "" {
		parts = append(parts, s.Note)
	}
	for _, k := range []string{"delivered_ratio", "rss_per_sub_kb", "rss_peak_kb"} {
		if v, ok := s.Extra[k]; ok {
			parts = append(parts, fmt.Sprintf("%s=%.3g", k, v))
		}
	}
	return strings.Join(parts, "; ")
}
