package replay

import (
	"regexp"

	"github.com/basalthq/basalt/compat/internal/answer"
	"github.com/basalthq/basalt/compat/internal/gen"
)

// Rule explains a known, intended difference. Every rule points at the
// COMPATIBILITY.md entry that documents it (Doc is a phrase of that file;
// a test checks it is there) and says why Basalt differs.
type Rule struct {
	ID     string
	Doc    string // a phrase of COMPATIBILITY.md
	Reason string
	// Matchers; an empty one matches anything.
	Method   string
	Path     *regexp.Regexp // the step's symbolic path
	Name     *regexp.Regexp // the step's name
	Case     *regexp.Regexp // the step's case
	Kind     string
	DiffPath *regexp.Regexp
	PB       *regexp.Regexp // PocketBase's side of the difference
	Basalt   *regexp.Regexp // Basalt's side
}

func (r *Rule) matches(st gen.Step, d answer.Diff) bool {
	return (r.Method == "" || r.Method == st.Method) &&
		(r.Path == nil || r.Path.MatchString(st.Path)) &&
		(r.Name == nil || r.Name.MatchString(st.Name)) &&
		(r.Case == nil || r.Case.MatchString(st.Case)) &&
		(r.Kind == "" || r.Kind == d.Kind) &&
		(r.DiffPath == nil || r.DiffPath.MatchString(d.Path)) &&
		(r.PB == nil || r.PB.MatchString(d.PB)) &&
		(r.Basalt == nil || r.Basalt.MatchString(d.Basalt))
}

func match(rules []*Rule, st gen.Step, d answer.Diff) *Rule {
	for _, r := range rules {
		if r.matches(st, d) {
			return r
		}
	}
	return nil
}

func re(s string) *regexp.Regexp { return regexp.MustCompile(s) }
