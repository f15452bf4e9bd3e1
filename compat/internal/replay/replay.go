// Package replay sends generated request sequences to PocketBase and
// Basalt, step by step, compares the normalised answers, sets aside the
// differences the allowlist explains and writes the report.
package replay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/basalthq/basalt/compat/internal/answer"
	"github.com/basalthq/basalt/compat/internal/gen"
	"github.com/basalthq/basalt/compat/internal/target"
)

// Result is the outcome of one step.
type Result struct {
	Index      int
	Step       gen.Step
	Request    string // the request body as sent to PocketBase (symbolic ids)
	PB, Basalt target.Response
	// Diffs are the differences no allowlist rule explains; Allowed the
	// ones a rule explains, with the rule.
	Diffs   []answer.Diff
	Allowed []Explained
	// Messages are differences in human-readable texts only; they are
	// reported (with -v) but do not fail a run.
	Messages []answer.Diff
	// Cascade names the symbol or collection an earlier step created on
	// one server only: the step's inputs differ, so its answers are not
	// compared (the earlier step reports the cause).
	Cascade string
	Err     error
}

// Explained is a difference and the allowlist rule that explains it.
type Explained struct {
	Diff answer.Diff
	Rule *Rule
}

type side struct {
	t     *target.Target
	ids   answer.Symbols    // id → name
	names map[string]string // name → id
}

var symRe = regexp.MustCompile(`\{\{(\w+)\}\}`)

func (s *side) subst(text string) string {
	return symRe.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-2]
		if id, ok := s.names[name]; ok {
			return id
		}
		// Not created on this side (its create failed): an id that
		// exists nowhere.
		return "unknown_" + name
	})
}

// Run replays steps against pb and bs and returns one Result per step.
func Run(ctx context.Context, pb, bs *target.Target, steps []gen.Step, rules []*Rule) []Result {
	now := time.Now()
	norm := answer.Normalizer{Now: now}
	sides := [2]*side{
		{t: pb, ids: answer.Symbols{}, names: map[string]string{}},
		{t: bs, ids: answer.Symbols{}, names: map[string]string{}},
	}
	out := make([]Result, 0, len(steps))
	for i, st := range steps {
		res := Result{Index: i, Step: st}
		var raw []byte
		if st.Body != nil {
			raw, _ = json.Marshal(st.Body)
			res.Request = string(raw)
		}
		res.Cascade = cascade(st.Path+" "+string(raw), st.After, sides[0].names, sides[1].names)
		// Both servers answer the same step concurrently (each keeps its
		// own order of steps), which halves a run's wall time.
		var (
			answers [2]answer.Answer
			resps   [2]target.Response
			errs    [2]error
			wg      sync.WaitGroup
		)
		for k, sd := range sides {
			var body []byte
			if raw != nil {
				body = []byte(sd.subst(string(raw)))
			}
			token := sd.t.Token
			if st.Guest {
				token = ""
			}
			path := sd.subst(st.Path)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() {
					if p := recover(); p != nil {
						errs[k] = fmt.Errorf("panic: %v", p)
					}
				}()
				resps[k], errs[k] = sd.t.Do(ctx, st.Method, path, token, body)
			}()
		}
		wg.Wait()
		for k, sd := range sides {
			r, err := resps[k], errs[k]
			if err != nil {
				res.Err = fmt.Errorf("%s: %w", sd.t.Name, err)
				break
			}
			if k == 0 {
				res.PB = r
			} else {
				res.Basalt = r
			}
			a := answer.Decode(r.Status, r.Raw)
			if st.Mark != "" && r.Status >= 200 && r.Status < 300 {
				sd.names[st.Mark] = "ok"
			}
			if st.Save != "" && r.Status >= 200 && r.Status < 300 {
				if m, ok := a.Body.(map[string]any); ok {
					if id, ok := m["id"].(string); ok && id != "" {
						sd.ids[id] = st.Save
						sd.names[st.Save] = id
					}
				}
			}
			answers[k] = a
		}
		if res.Err == nil && res.Cascade == "" {
			unordered := map[string]bool{}
			for _, p := range st.Unordered {
				unordered[p] = true
			}
			var random []*regexp.Regexp
			for _, p := range st.Random {
				random = append(random, regexp.MustCompile(p))
			}
			for k, sd := range sides {
				answers[k].Body = answer.Random(norm.Normalize(answers[k].Body, sd.ids, unordered), random)
			}
			for _, d := range answer.Compare(answers[0], answers[1]) {
				if d.Kind == answer.KindMessage {
					res.Messages = append(res.Messages, d)
					continue
				}
				if r := match(rules, st, d); r != nil {
					res.Allowed = append(res.Allowed, Explained{Diff: d, Rule: r})
				} else {
					res.Diffs = append(res.Diffs, d)
				}
			}
		}
		out = append(out, res)
		if ctx.Err() != nil {
			break
		}
	}
	return out
}

var collPathRe = regexp.MustCompile(`/api/collections/(\w+)`)

// cascade returns the first symbol or collection name text refers to, or
// earlier name of the case (after), that exists on one side only.
func cascade(text string, after []string, a, b map[string]string) string {
	var names []string
	for _, m := range symRe.FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	for _, m := range collPathRe.FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	for _, n := range append(names, after...) {
		_, inA := a[n]
		_, inB := b[n]
		if inA != inB {
			return n
		}
	}
	return ""
}

// Summary counts the results.
type Summary struct {
	Steps, Differing, Allowed, Errors, Cascades, Messages int
	// Signatures counts unexplained differences by kind, path (indexes
	// replaced by N) and case kind, most frequent first.
	Signatures []Signature
}

// Signature is one kind of unexplained difference and how often it came up.
type Signature struct {
	Key   string
	Count int
	First int // index of the first step showing it
}

var digitsRe = regexp.MustCompile(`\.\d+(\.|$)`)
var caseNoRe = regexp.MustCompile(`^#\d+ `)

// Summarize counts results and groups unexplained differences.
func Summarize(results []Result) Summary {
	s := Summary{Steps: len(results)}
	sig := map[string]*Signature{}
	for _, r := range results {
		if r.Err != nil {
			s.Errors++
		}
		if len(r.Diffs) > 0 {
			s.Differing++
		}
		s.Allowed += len(r.Allowed)
		s.Messages += len(r.Messages)
		if r.Cascade != "" {
			s.Cascades++
		}
		for _, d := range r.Diffs {
			p := digitsRe.ReplaceAllString(d.Path, ".N$1")
			p = digitsRe.ReplaceAllString(p, ".N$1")
			key := fmt.Sprintf("%s %s [%s]", d.Kind, p, caseNoRe.ReplaceAllString(r.Step.Case, ""))
			if sig[key] == nil {
				sig[key] = &Signature{Key: key, First: r.Index}
			}
			sig[key].Count++
		}
	}
	for _, v := range sig {
		s.Signatures = append(s.Signatures, *v)
	}
	sort.Slice(s.Signatures, func(i, j int) bool {
		if s.Signatures[i].Count != s.Signatures[j].Count {
			return s.Signatures[i].Count > s.Signatures[j].Count
		}
		return s.Signatures[i].Key < s.Signatures[j].Key
	})
	return s
}

func clip(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		return s[:n] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}

// WriteReport writes a readable report: a summary, then every step with
// an unexplained difference (request, both answers, the differences).
// verbose also lists the allowlisted differences.
func WriteReport(w io.Writer, seed uint64, results []Result, verbose bool) {
	s := Summarize(results)
	fmt.Fprintf(w, "compat: seed=%d steps=%d differing=%d allowlisted=%d errors=%d not-compared(cascade)=%d message-only=%d\n",
		seed, s.Steps, s.Differing, s.Allowed, s.Errors, s.Cascades, s.Messages)
	if len(s.Signatures) > 0 {
		fmt.Fprintf(w, "\nunexplained differences by kind (count, first step):\n")
		for _, g := range s.Signatures {
			fmt.Fprintf(w, "  %4d  step %-5d %s\n", g.Count, g.First, g.Key)
		}
	}
	for _, r := range results {
		if len(r.Diffs) == 0 && r.Err == nil && (!verbose || len(r.Allowed)+len(r.Messages) == 0) {
			continue
		}
		fmt.Fprintf(w, "\n--- step %d [%s] %s\n%s %s\n", r.Index, r.Step.Case, r.Step.Name, r.Step.Method, r.Step.Path)
		if r.Request != "" {
			fmt.Fprintf(w, "request:    %s\n", clip([]byte(r.Request), 600))
		}
		if r.Err != nil {
			fmt.Fprintf(w, "error:      %v\n", r.Err)
			continue
		}
		fmt.Fprintf(w, "pocketbase: %d %s\n", r.PB.Status, clip(r.PB.Raw, 1500))
		fmt.Fprintf(w, "basalt:     %d %s\n", r.Basalt.Status, clip(r.Basalt.Raw, 1500))
		for _, d := range r.Diffs {
			fmt.Fprintf(w, "  DIFF %s\n", d)
		}
		if verbose {
			for _, m := range r.Messages {
				fmt.Fprintf(w, "  text %s\n", m)
			}
			for _, a := range r.Allowed {
				fmt.Fprintf(w, "  allowed (%s) %s\n", a.Rule.ID, a.Diff)
			}
		}
	}
}
