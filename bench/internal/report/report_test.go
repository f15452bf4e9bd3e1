package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/basalthq/basalt/bench/internal/stats"
)

func res(sc string, rps float64, valid bool) stats.Summary {
	s := stats.Summary{Scenario: sc, ReqPerSec: rps, P50Ms: 1, P99Ms: 2, Valid: valid}
	if !valid {
		s.Note = "errors: boom"
	}
	return s
}

// withCPU adds CPU-per-request figures (µs) to a summary.
func withCPU(s stats.Summary, server, loadgen float64) stats.Summary {
	s.Extra = map[string]float64{stats.ServerCPUKey: server}
	if loadgen > 0 {
		s.Extra[stats.LoadgenCPUKey] = loadgen
	}
	return s
}

func TestAggregateMedians(t *testing.T) {
	t.Parallel()
	runs := []Run{
		{Label: PocketBase, Results: []stats.Summary{res("view", 100, true)}},
		{Label: Basalt, Results: []stats.Summary{res("view", 300, true)}},
		{Label: PocketBase, Results: []stats.Summary{res("view", 120, true)}},
		{Label: Basalt, Results: []stats.Summary{res("view", 1000, false)}},
		{Label: PocketBase, Results: []stats.Summary{res("view", 110, true)}},
		{Label: Basalt, Results: []stats.Summary{res("view", 330, true)}},
	}
	tab := Aggregate(runs)
	tests := []struct {
		name             string
		server           string
		wantRPS          float64
		wantRuns, wantOK int
	}{
		{"pocketbase median of three", PocketBase, 110, 3, 3},
		{"basalt ignores the invalid round", Basalt, 315, 3, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tab.Cells["view"][tc.server]
			if c.ReqPerSec != tc.wantRPS || c.Runs != tc.wantRuns || c.Valid != tc.wantOK {
				t.Errorf("got rps=%v runs=%d valid=%d, want %v %d %d", c.ReqPerSec, c.Runs, c.Valid, tc.wantRPS, tc.wantRuns, tc.wantOK)
			}
		})
	}
	if got := strings.Join(tab.Servers, ","); got != "basalt,pocketbase" {
		t.Errorf("servers = %s, want basalt first", got)
	}
}

func TestWriteMarkdown(t *testing.T) {
	t.Parallel()
	meta := Meta{Date: "2026-01-02 03:04 UTC", Machine: Machine{NProc: 2, CPU: "Test CPU", MemGiB: 24, OS: "linux/amd64"},
		Commands: []string{"bench/run.sh --short"}, Notes: []string{"Basalt column pending"}, Rounds: 3, Duration: "2s"}
	tests := []struct {
		name    string
		runs    []Run
		want    []string
		notWant []string
	}{
		{
			name: "ratio meets target",
			runs: []Run{
				{Label: Basalt, BcryptCost: 10, Results: []stats.Summary{res("view", 300, true), res("create_c32", 3000, true)}},
				{Label: PocketBase, BcryptCost: 10, Results: []stats.Summary{res("view", 100, true), res("create_c32", 2000, true)}},
				{Label: FloorGroup, Results: []stats.Summary{res("view", 350, true)}},
			},
			want: []string{
				"# Benchmark results", "Test CPU", "bcrypt cost of users.password: basalt 10, pocketbase 10", "bench/run.sh --short", "**Note:** Basalt column pending",
				"| scenario | basalt | pocketbase | floor-group | Basalt/PocketBase | Basalt/floor |",
				"| view | 300 | 100 | 350 | 3.00× ✓ (≥ 3×) | 0.86× ✓ (≥ 0.75×) |",
				"| create_c32 | 3000 | 2000 | – | 1.50× ✗ (≥ 3×) | n/a (≥ 0.8×) |",
			},
			notWant: []string{"## Invalid runs", "## Realtime", "Cost of expand", "## CPU per request"},
		},
		{
			name: "expand cost",
			runs: []Run{
				{Label: Basalt, Results: []stats.Summary{res("list", 1000, true), res("list_expand", 950, true)}},
				{Label: PocketBase, Results: []stats.Summary{res("list", 500, true), res("list_expand", 400, true)}},
			},
			want: []string{"Cost of expand=author over the plain list (time per request, list_expand vs list): basalt +5% ✓ (< 10%), pocketbase +25%."},
		},
		{
			name: "cpu per request",
			runs: []Run{
				{Label: Basalt, Results: []stats.Summary{withCPU(res("list", 1000, true), 1000, 150), withCPU(res("list_expand", 800, true), 1030, 160)}},
				{Label: PocketBase, Results: []stats.Summary{withCPU(res("list", 500, true), 3000, 200), withCPU(res("list_expand", 400, true), 3900, 0)}},
				{Label: FloorGroup, Results: []stats.Summary{res("list", 900, true)}},
			},
			want: []string{
				"## CPU per request (µs, median: server / load generator)",
				"| scenario | basalt | pocketbase | floor-group | PocketBase/Basalt server CPU |",
				"| list | 1000 / 150 | 3000 / 200 | – | 3.00× |",
				"| list_expand | 1030 / 160 | 3900 / – | – | 3.79× |",
				"basalt +25% ✗ (< 10%), pocketbase +25%. In server CPU per request: basalt +3%, pocketbase +30%.",
			},
		},
		{
			name: "expand cost over the bound",
			runs: []Run{{Label: Basalt, Results: []stats.Summary{res("list", 1000, true), res("list_expand", 800, true)}}},
			want: []string{"basalt +25% ✗ (< 10%)."},
		},
		{
			name: "basalt not ready",
			runs: []Run{
				{Label: Basalt, SetupError: "build failed", Results: []stats.Summary{{Scenario: "view", Note: "not run: build failed"}}},
				{Label: PocketBase, Results: []stats.Summary{res("view", 100, true)}},
			},
			want: []string{"| view | FAILED | 100 | n/a (≥ 3×) |", "## Invalid runs", "basalt / view: 1 of 1 rounds invalid: not run: build failed"},
		},
		{
			name: "realtime section",
			runs: []Run{{Label: PocketBase, Results: []stats.Summary{{Scenario: "realtime_k1000", Valid: true, P50Ms: 3, P99Ms: 9,
				Extra: map[string]float64{"creates_per_sec": 20, "delivered_ratio": 1, "rss_per_sub_kb": 34.5, "rss_peak_kb": 2048}}}}},
			want: []string{"## Realtime fan-out", "| 1000 | pocketbase | 20 / 20.0 | 1.0000 | 3.0 / 9.0 | 34.5 |", "| realtime_k1000 | 2 |"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := WriteMarkdown(&buf, Aggregate(tc.runs), meta); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in:\n%s", w, got)
				}
			}
		})
	}
}
