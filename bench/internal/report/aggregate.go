package report

import (
	"sort"

	"github.com/basalthq/basalt/bench/internal/stats"
)

// Server labels used by run.sh.
const (
	Basalt     = "basalt"
	PocketBase = "pocketbase"
	FloorGroup = "floor-group"
	FloorTx    = "floor-tx"
)

// Cell is the aggregate of one (server, scenario) over all rounds.
type Cell struct {
	// Runs is the number of rounds that reported this scenario.
	Runs int
	// Valid is the number of those rounds that were valid.
	Valid int
	// ReqPerSec, P50Ms, P99Ms are medians over the valid rounds.
	ReqPerSec, P50Ms, P99Ms float64
	// Extra holds medians of the scenario-specific figures over valid rounds.
	Extra map[string]float64
	// Note is the first failure note, if any round failed.
	Note string
}

// OK reports whether at least one round was valid.
func (c Cell) OK() bool { return c.Valid > 0 }

// Table is the aggregate of many runs: Cells[scenario][server].
type Table struct {
	// Servers in the order they were first seen.
	Servers []string
	// Scenarios in the order they were first seen.
	Scenarios []string
	// Cells holds the aggregates, indexed by scenario then server label.
	Cells map[string]map[string]Cell
	// Runs are the inputs.
	Runs []Run
}

// Aggregate groups runs by server label and scenario and takes medians over
// the valid rounds. Invalid results count as failed rounds.
func Aggregate(runs []Run) *Table {
	t := &Table{Cells: map[string]map[string]Cell{}, Runs: runs}
	type acc struct {
		rps, p50, p99 []float64
		extra         map[string][]float64
		runs, valid   int
		note          string
	}
	accs := map[[2]string]*acc{}
	seenSrv := map[string]bool{}
	seenSc := map[string]bool{}
	get := func(server, sc string) *acc {
		if !seenSrv[server] {
			seenSrv[server] = true
			t.Servers = append(t.Servers, server)
		}
		if !seenSc[sc] {
			seenSc[sc] = true
			t.Scenarios = append(t.Scenarios, sc)
		}
		k := [2]string{server, sc}
		if accs[k] == nil {
			accs[k] = &acc{extra: map[string][]float64{}}
		}
		return accs[k]
	}
	for _, r := range runs {
		for _, s := range r.Results {
			a := get(r.Label, s.Scenario)
			a.runs++
			if !s.Valid {
				if a.note == "" {
					a.note = s.Note
				}
				continue
			}
			a.valid++
			a.rps = append(a.rps, s.ReqPerSec)
			a.p50 = append(a.p50, s.P50Ms)
			a.p99 = append(a.p99, s.P99Ms)
			for k, v := range s.Extra {
				a.extra[k] = append(a.extra[k], v)
			}
		}
	}
	for k, a := range accs {
		c := Cell{Runs: a.runs, Valid: a.valid, Note: a.note,
			ReqPerSec: stats.Median(a.rps), P50Ms: stats.Median(a.p50), P99Ms: stats.Median(a.p99)}
		if len(a.extra) > 0 {
			c.Extra = map[string]float64{}
			for ek, ev := range a.extra {
				c.Extra[ek] = stats.Median(ev)
			}
		}
		if t.Cells[k[1]] == nil {
			t.Cells[k[1]] = map[string]Cell{}
		}
		t.Cells[k[1]][k[0]] = c
	}
	sortServers(t.Servers)
	return t
}

// sortServers puts the known servers first in a fixed order.
func sortServers(s []string) {
	rank := map[string]int{Basalt: 0, PocketBase: 1, FloorGroup: 2, FloorTx: 3}
	sort.SliceStable(s, func(i, j int) bool {
		ri, oki := rank[s[i]]
		rj, okj := rank[s[j]]
		switch {
		case oki && okj:
			return ri < rj
		case oki != okj:
			return oki
		}
		return false
	})
}

// Ratio returns a/b of the median req/s of two servers for a scenario, and
// false when either side has no valid round.
func (t *Table) Ratio(scenario, a, b string) (float64, bool) {
	ca, okA := t.Cells[scenario][a]
	cb, okB := t.Cells[scenario][b]
	if !okA || !okB || !ca.OK() || !cb.OK() || cb.ReqPerSec == 0 {
		return 0, false
	}
	return ca.ReqPerSec / cb.ReqPerSec, true
}

// ExpandCostMax is the bound on what expand adds to a list
// request: under 10%.
const ExpandCostMax = 0.10

// ExpandCost returns how much longer a list_expand request takes than a
// list request on server (list req/s over list_expand req/s, minus one),
// and false when either has no valid round.
func (t *Table) ExpandCost(server string) (float64, bool) {
	l, e, ok := t.listAndExpand(server)
	if !ok || e.ReqPerSec == 0 {
		return 0, false
	}
	return l.ReqPerSec/e.ReqPerSec - 1, true
}

// ExpandCPUCost is ExpandCost in server CPU per request: list_expand's over
// list's, minus one.
func (t *Table) ExpandCPUCost(server string) (float64, bool) {
	l, e, ok := t.listAndExpand(server)
	vl, okL := l.ServerCPU()
	ve, okE := e.ServerCPU()
	if !ok || !okL || !okE || vl == 0 {
		return 0, false
	}
	return ve/vl - 1, true
}

// listAndExpand returns server's list and list_expand cells, and false
// unless both have a valid round.
func (t *Table) listAndExpand(server string) (l, e Cell, ok bool) {
	l, okL := t.Cells["list"][server]
	e, okE := t.Cells["list_expand"][server]
	return l, e, okL && okE && l.OK() && e.OK()
}

// ServerCPU returns the cell's median server CPU per request (µs), and
// false when it has none.
func (c Cell) ServerCPU() (float64, bool) {
	v, ok := c.Extra[stats.ServerCPUKey]
	return v, ok
}

// CPURatio returns a's median server CPU per request over b's for a
// scenario, and false when either has none.
func (t *Table) CPURatio(scenario, a, b string) (float64, bool) {
	ca, okA := t.Cells[scenario][a]
	cb, okB := t.Cells[scenario][b]
	va, okVA := ca.ServerCPU()
	vb, okVB := cb.ServerCPU()
	if !okA || !okB || !ca.OK() || !cb.OK() || !okVA || !okVB || vb == 0 {
		return 0, false
	}
	return va / vb, true
}

// Target is a goal from the performance issue.
type Target struct {
	// VsPB is the minimum Basalt/PocketBase req/s ratio (0 = none).
	VsPB float64
	// VsFloor is the minimum Basalt/floor-group req/s ratio (0 = none).
	VsFloor float64
}

// Targets are the goals per scenario.
var Targets = map[string]Target{
	"view":           {VsPB: 3, VsFloor: 0.75},
	"list":           {VsPB: 1.3, VsFloor: 0.9},
	"list_skiptotal": {VsPB: 1.3, VsFloor: 0.9},
	"list_auth":      {VsPB: 2},
	"list_expand":    {VsPB: 1.3},
	"create_c32":     {VsPB: 3, VsFloor: 0.8},
	"create_rule":    {VsPB: 2.5},
	"update":         {VsPB: 2.5},
	"mixed":          {VsPB: 1.5},
	"upload":         {VsPB: 2},
	"auth":           {VsPB: 1},
}
