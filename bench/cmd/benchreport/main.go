// Command benchreport reads loadgen -json outputs (several servers × rounds),
// prints medians and Basalt/PocketBase and Basalt/floor ratios, and writes
// the Markdown report (bench/RESULTS.md).
//
//	benchreport -o RESULTS.md -rounds 3 -duration 10s -command "bench/run.sh" results/*.json
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/basalthq/basalt/bench/internal/report"
	"github.com/basalthq/basalt/bench/internal/stats"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, "; ") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	out := fs.String("o", "RESULTS.md", "Markdown output file ('-' for stdout)")
	rounds := fs.Int("rounds", 0, "number of rounds (for the header)")
	duration := fs.String("duration", "", "per-scenario duration (for the header)")
	only := fs.String("only", "", "keep only scenarios with this name prefix (e.g. realtime)")
	skip := fs.String("skip", "", "drop scenarios with this name prefix")
	var commands, notes multi
	fs.Var(&commands, "command", "a command that produced the results (repeatable)")
	fs.Var(&notes, "note", "a note for the header (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var runs []report.Run
	for _, path := range fs.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var r report.Run
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		r.Results = filter(r.Results, *only, *skip)
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		return fmt.Errorf("no result files given")
	}
	t := report.Aggregate(runs)
	meta := report.Meta{Date: time.Now().UTC().Format("2006-01-02 15:04 MST"), Machine: machine(),
		Commands: commands, Notes: notes, Rounds: *rounds, Duration: *duration}
	if err := report.WriteSummary(os.Stdout, t); err != nil {
		return err
	}
	w := os.Stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	return report.WriteMarkdown(w, t, meta)
}

// filter keeps results whose scenario starts with only (if set) and does
// not start with skip (if set).
func filter(rs []stats.Summary, only, skip string) []stats.Summary {
	out := rs[:0]
	for _, r := range rs {
		if (only == "" || strings.HasPrefix(r.Scenario, only)) && (skip == "" || !strings.HasPrefix(r.Scenario, skip)) {
			out = append(out, r)
		}
	}
	return out
}

// machine describes this host from /proc.
func machine() report.Machine {
	m := report.Machine{NProc: runtime.NumCPU(), CPU: "unknown CPU", OS: runtime.GOOS + "/" + runtime.GOARCH}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				if kb, err := strconv.ParseFloat(strings.Fields(rest)[0], 64); err == nil {
					m.MemGiB = kb / (1 << 20)
				}
				break
			}
		}
		f.Close()
	}
	if rel, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += ", kernel " + strings.TrimSpace(string(rel))
	}
	return m
}
