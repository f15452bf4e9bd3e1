package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/basalthq/basalt/bench/internal/stats"
)

// Machine describes where the benchmark ran.
type Machine struct {
	NProc  int
	CPU    string
	MemGiB float64
	OS     string
}

// Meta is the context printed at the top of RESULTS.md.
type Meta struct {
	// Date is the run date (UTC).
	Date string
	// Machine is the host description.
	Machine Machine
	// Commands are the exact commands that produced the results.
	Commands []string
	// Notes are free-form remarks (e.g. "Basalt column pending").
	Notes []string
	// Rounds and Duration describe the run shape.
	Rounds   int
	Duration string
}

func fmtRate(c Cell, ok bool) string {
	if !ok {
		return "–"
	}
	if !c.OK() {
		return "FAILED"
	}
	s := fmt.Sprintf("%.0f", c.ReqPerSec)
	if c.Valid < c.Runs {
		s += fmt.Sprintf(" (%d/%d valid)", c.Valid, c.Runs)
	}
	return s
}

func fmtRatio(t *Table, sc, a, b string, min float64) string {
	r, ok := t.Ratio(sc, a, b)
	if !ok {
		if min > 0 {
			return fmt.Sprintf("n/a (≥ %.2g×)", min)
		}
		return "–"
	}
	s := fmt.Sprintf("%.2f×", r)
	if min > 0 {
		mark := "✗"
		if r >= min {
			mark = "✓"
		}
		s += fmt.Sprintf(" %s (≥ %.2g×)", mark, min)
	}
	return s
}

// writeCPU writes the CPU time per request of the server and of the load
// generator, for the scenarios that measured it. Unlike req/s it barely
// moves with the host's speed swings, so it shows what a ratio of two
// noisy rates cannot: how much work each server does per request.
func writeCPU(b *strings.Builder, t *Table, scen []string) {
	var rows []string
	for _, sc := range scen {
		row := []string{sc}
		measured := false
		for _, srv := range t.Servers {
			c, ok := t.Cells[sc][srv]
			s, okS := c.ServerCPU()
			l, okL := c.Extra[stats.LoadgenCPUKey]
			switch {
			case !ok || !c.OK() || !okS:
				row = append(row, "–")
			case okL:
				row = append(row, fmt.Sprintf("%.0f / %.0f", s, l))
				measured = true
			default:
				row = append(row, fmt.Sprintf("%.0f / –", s))
				measured = true
			}
		}
		if r, ok := t.CPURatio(sc, PocketBase, Basalt); ok {
			row = append(row, fmt.Sprintf("%.2f×", r))
		} else {
			row = append(row, "–")
		}
		if measured {
			rows = append(rows, "| "+strings.Join(row, " | ")+" |")
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("\n## CPU per request (µs, median: server / load generator)\n\n")
	fmt.Fprintf(b, "| scenario | %s | PocketBase/Basalt server CPU |\n", strings.Join(t.Servers, " | "))
	b.WriteString("|---" + strings.Repeat("|---:", len(t.Servers)+1) + "|\n")
	b.WriteString(strings.Join(rows, "\n") + "\n")
	b.WriteString("\nServer: the server process's user + system time over the scenario's load loop (`/proc/PID/stat`, 10 ms ticks) ÷ requests; load generator: its own. No target is set on these; they show how much of a throughput ratio is the servers' work and how much the shared machine.\n")
}

// expandCostLine states what expand=author adds to a list request (time per
// request, from the median req/s of list and list_expand) for each server
// that ran both, against the bound for Basalt.
func expandCostLine(t *Table) string {
	var parts []string
	for _, srv := range t.Servers {
		cost, ok := t.ExpandCost(srv)
		if !ok {
			continue
		}
		p := fmt.Sprintf("%s %+.0f%%", srv, cost*100)
		if srv == Basalt {
			mark := "✗"
			if cost < ExpandCostMax {
				mark = "✓"
			}
			p += fmt.Sprintf(" %s (< %.0f%%)", mark, ExpandCostMax*100)
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return ""
	}
	line := "Cost of expand=author over the plain list (time per request, list_expand vs list): " + strings.Join(parts, ", ") + "."
	var cpu []string
	for _, srv := range t.Servers {
		if c, ok := t.ExpandCPUCost(srv); ok {
			cpu = append(cpu, fmt.Sprintf("%s %+.0f%%", srv, c*100))
		}
	}
	if len(cpu) > 0 {
		line += " In server CPU per request: " + strings.Join(cpu, ", ") + "."
	}
	return line
}

func fmtLat(c Cell, ok bool) string {
	if !ok {
		return "–"
	}
	if !c.OK() {
		return "FAILED"
	}
	return fmt.Sprintf("%.1f / %.1f", c.P50Ms, c.P99Ms)
}

// WriteMarkdown renders the aggregate as the RESULTS.md document.
func WriteMarkdown(w io.Writer, t *Table, m Meta) error {
	var b strings.Builder
	b.WriteString("# Benchmark results\n\n")
	fmt.Fprintf(&b, "- Date: %s\n", m.Date)
	fmt.Fprintf(&b, "- Machine: %d CPU(s), %s, %.1f GiB RAM, %s\n", m.Machine.NProc, m.Machine.CPU, m.Machine.MemGiB, m.Machine.OS)
	if m.Rounds > 0 {
		fmt.Fprintf(&b, "- Rounds: %d (servers run alternately within each round), %s per scenario; figures are medians over valid rounds\n", m.Rounds, m.Duration)
	}
	if costs := bcryptCosts(t); costs != "" {
		fmt.Fprintf(&b, "- bcrypt cost of users.password: %s\n", costs)
	}
	b.WriteString("- Load generator and server share the same machine (loopback only).\n")
	for _, n := range m.Notes {
		fmt.Fprintf(&b, "- **Note:** %s\n", n)
	}
	if len(m.Commands) > 0 {
		b.WriteString("\nCommands:\n\n```sh\n")
		for _, c := range m.Commands {
			b.WriteString(c + "\n")
		}
		b.WriteString("```\n")
	}

	var scen, rt []string
	for _, sc := range t.Scenarios {
		if strings.HasPrefix(sc, "realtime") {
			rt = append(rt, sc)
		} else {
			scen = append(scen, sc)
		}
	}

	b.WriteString("\n## Throughput (req/s, median)\n\n")
	hdr := slices.Clone(t.Servers)
	fmt.Fprintf(&b, "| scenario | %s | Basalt/PocketBase | Basalt/floor |\n", strings.Join(hdr, " | "))
	b.WriteString("|---" + strings.Repeat("|---:", len(hdr)+2) + "|\n")
	for _, sc := range scen {
		row := []string{sc}
		for _, srv := range t.Servers {
			c, ok := t.Cells[sc][srv]
			row = append(row, fmtRate(c, ok))
		}
		tg := Targets[sc]
		row = append(row, fmtRatio(t, sc, Basalt, PocketBase, tg.VsPB), fmtRatio(t, sc, Basalt, FloorGroup, tg.VsFloor))
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}

	if line := expandCostLine(t); line != "" {
		b.WriteString("\n" + line + "\n")
	}

	b.WriteString("\n## Latency (p50 / p99 ms, median)\n\n")
	fmt.Fprintf(&b, "| scenario | %s |\n", strings.Join(hdr, " | "))
	b.WriteString("|---" + strings.Repeat("|---:", len(hdr)) + "|\n")
	for _, sc := range scen {
		row := []string{sc}
		for _, srv := range t.Servers {
			c, ok := t.Cells[sc][srv]
			row = append(row, fmtLat(c, ok))
		}
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}

	writeCPU(&b, t, scen)

	if len(rt) > 0 {
		b.WriteString("\n## Realtime fan-out\n\n")
		b.WriteString("| subscribers | server | writer creates/s (target / achieved) | delivered/expected | latency p50 / p99 ms | RSS per idle subscriber (KB) |\n|---|---|---:|---:|---:|---:|\n")
		for _, sc := range rt {
			for _, srv := range t.Servers {
				c, ok := t.Cells[sc][srv]
				if !ok {
					continue
				}
				k, rate, _ := strings.Cut(strings.TrimPrefix(sc, "realtime_k"), "_r")
				if rate == "" {
					rate = "20"
				}
				if !c.OK() {
					fmt.Fprintf(&b, "| %s | %s | %s / – | FAILED | | |\n", k, srv, rate)
					continue
				}
				rss := "–"
				if v, ok := c.Extra["rss_per_sub_kb"]; ok {
					rss = fmt.Sprintf("%.1f", v)
				}
				fmt.Fprintf(&b, "| %s | %s | %s / %.1f | %.4f | %.1f / %.1f | %s |\n", k, srv, rate, c.Extra["creates_per_sec"], c.Extra["delivered_ratio"], c.P50Ms, c.P99Ms, rss)
			}
		}
		b.WriteString("\nRSS per idle subscriber = (server RSS with K idle subscribers − RSS before connecting) / K; at small K it is within GC noise (can be negative), read it at K ≥ 1,000.\n")
		b.WriteString("\nTargets: 0 lost events at 1,000 subscribers with p99 ≤ 20 ms at 20 creates/s; 10,000 idle subscribers at ≤ 40 KB RSS each. The 100 creates/s rows show how far it holds (no target).\n")
	}

	b.WriteString("\n## Server peak RSS per scenario (MB, median)\n\n")
	fmt.Fprintf(&b, "| scenario | %s |\n", strings.Join(hdr, " | "))
	b.WriteString("|---" + strings.Repeat("|---:", len(hdr)) + "|\n")
	for _, sc := range t.Scenarios {
		row := []string{sc}
		for _, srv := range t.Servers {
			c, ok := t.Cells[sc][srv]
			v, has := c.Extra["rss_peak_kb"]
			if !ok || !has {
				row = append(row, "–")
				continue
			}
			row = append(row, fmt.Sprintf("%.0f", v/1024))
		}
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	b.WriteString("\nTarget: Basalt's RSS during the run ≤ half of PocketBase's.\n")

	var fails []string
	for _, sc := range t.Scenarios {
		for _, srv := range t.Servers {
			if c, ok := t.Cells[sc][srv]; ok && c.Valid < c.Runs {
				fails = append(fails, fmt.Sprintf("- %s / %s: %d of %d rounds invalid: %s", srv, sc, c.Runs-c.Valid, c.Runs, oneLine(c.Note)))
			}
		}
	}
	if len(fails) > 0 {
		b.WriteString("\n## Invalid runs\n\nA run with any error is invalid and left out of the medians.\n\n")
		b.WriteString(strings.Join(fails, "\n") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "|", "\\|")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// WriteSummary prints a plain-text table of medians and ratios (for the
// terminal at the end of run.sh).
func WriteSummary(w io.Writer, t *Table) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s", "scenario")
	for _, s := range t.Servers {
		fmt.Fprintf(&b, " %14s", s)
	}
	fmt.Fprintf(&b, " %10s %10s\n", "B/PB", "B/floor")
	for _, sc := range t.Scenarios {
		fmt.Fprintf(&b, "%-16s", sc)
		for _, srv := range t.Servers {
			c, ok := t.Cells[sc][srv]
			fmt.Fprintf(&b, " %14s", fmtRate(c, ok))
		}
		ratio := func(other string) string {
			if r, ok := t.Ratio(sc, Basalt, other); ok {
				return fmt.Sprintf("%.2fx", r)
			}
			return "-"
		}
		fmt.Fprintf(&b, " %10s %10s\n", ratio(PocketBase), ratio(FloorGroup))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// bcryptCosts lists the bcrypt cost each server reported, e.g.
// "basalt 10, pocketbase 10".
func bcryptCosts(t *Table) string {
	var parts []string
	for _, srv := range t.Servers {
		for _, r := range t.Runs {
			if r.Label == srv && r.BcryptCost > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", srv, r.BcryptCost))
				break
			}
		}
	}
	return strings.Join(parts, ", ")
}
