// Package gen generates the request sequences the harness replays: seeded
// and repeatable, they cover every collection option, every field kind's
// options, record values of every kind, filters and sorts, view queries,
// the record body modifiers and every settings group, each with valid,
// boundary and invalid values (wrong type, out of range, too long, unknown
// enum, null, missing).
package gen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Step is one request of a sequence.
type Step struct {
	// Case names the generated case the step belongs to; Name what the
	// step does. Both appear in the report.
	Case string
	Name string
	// Method and Path of the request; Path and string values of Body may
	// hold {{sym}} references to ids saved by earlier steps.
	Method string
	Path   string
	// Body is sent as JSON; nil sends no body.
	Body any
	// Save registers the id of a 2xx answer's body under this name.
	Save string
	// Guest sends the request without the superuser token.
	Guest bool
	// Unordered lists body paths of arrays whose order is unspecified.
	Unordered []string
	// Random lists body paths (regular expressions) whose values both
	// servers draw at random.
	Random []string
	// Mark names a write without Save; a 2xx answer records it, so later
	// steps can tell whether it succeeded on both servers.
	Mark string
	// After lists the Save and Mark names of the earlier steps of the
	// case: when one of them succeeded on one server only, the servers'
	// states differ and this step's answers are not compared (the earlier
	// step reports the cause).
	After []string
}

// Missing is a Body map value meaning "leave the key out".
type missingT struct{}

// Missing marks a key to omit from a generated body.
var Missing any = missingT{}

// Generator builds sequences from a seeded source.
type Generator struct {
	r     *rand.Rand
	steps []Step
	cases int
	cur   string
	names []string // Save and Mark names of the current case
}

// Generate returns at least n steps (whole cases are kept) for seed. Every
// case kind comes first once, in a seed-shuffled order, then random ones.
// The same seed and n give the same steps.
func Generate(seed uint64, n int) []Step {
	g := &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	g.cur = "#0 setup"
	g.relTarget()
	g.relRecord()
	makers := Catalog()
	order := g.r.Perm(len(makers))
	for _, i := range order {
		if len(g.steps) >= n {
			break
		}
		g.run(makers[i])
	}
	// Bounded: every case adds at least one step.
	for len(g.steps) < n {
		g.run(makers[g.r.IntN(len(makers))])
	}
	return g.steps
}

// GenerateCatalog returns one case of every kind, in a seed-shuffled
// order: the short run.
func GenerateCatalog(seed uint64) []Step {
	g := &Generator{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	g.cur = "#0 setup"
	g.relTarget()
	g.relRecord()
	makers := Catalog()
	for _, i := range g.r.Perm(len(makers)) {
		g.run(makers[i])
	}
	return g.steps
}

// Maker generates one case.
type Maker struct {
	Name string
	Make func(g *Generator)
}

func (g *Generator) run(m Maker) {
	g.cases++
	g.cur = fmt.Sprintf("#%d %s", g.cases, m.Name)
	g.names = nil
	m.Make(g)
}

// Catalog lists every case kind.
func Catalog() []Maker {
	var ms []Maker
	ms = append(ms, collectionMakers()...)
	ms = append(ms, fieldMakers()...)
	ms = append(ms, recordMakers()...)
	ms = append(ms, filterMakers()...)
	ms = append(ms, viewMakers()...)
	ms = append(ms, modifierMakers()...)
	ms = append(ms, settingsMakers()...)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	return ms
}

// name returns a collection name unique to the current case.
func (g *Generator) name(base string) string {
	return fmt.Sprintf("c%d_%s", g.cases, base)
}

func (g *Generator) add(s Step) {
	s.Case = g.cur
	s.Body = clean(s.Body)
	if s.Method != "GET" && s.Save == "" {
		s.Mark = fmt.Sprintf("mark%d", len(g.steps))
	}
	s.After = append([]string(nil), g.names...)
	for _, n := range []string{s.Save, s.Mark} {
		if n != "" {
			g.names = append(g.names, n)
		}
	}
	g.steps = append(g.steps, s)
}

// scope starts an independent part of the case: later steps no longer
// depend on the outcome of the earlier ones.
func (g *Generator) scope() { g.names = nil }

// pick returns one of vs.
func pick[T any](g *Generator, vs []T) T { return vs[g.r.IntN(len(vs))] }

// clean drops Missing values from maps, recursively.
func clean(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if _, miss := e.(missingT); miss {
				continue
			}
			out[k] = clean(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = clean(e)
		}
		return out
	}
	return v
}

// setPath sets a dotted key path in a nested map, creating maps on the way.
func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

// Value classes used across the generators.
var (
	long256 = strings.Repeat("a", 256)
	long101 = strings.Repeat("b", 101)
)

// valueSet is a named set of values for one option.
type valueSet struct {
	valid, boundary, invalid []any
}

func (vs valueSet) all() []any {
	out := append([]any{}, vs.valid...)
	out = append(out, vs.boundary...)
	return append(out, vs.invalid...)
}

// label prints a value for a step name.
func label(v any) string {
	if _, miss := v.(missingT); miss {
		return "(missing)"
	}
	b, _ := json.Marshal(clean(v))
	s := string(b)
	if len(s) > 48 {
		s = s[:45] + "..."
	}
	return s
}
