package authztest

import (
	"fmt"
	"math/rand"
	"strings"
)

// chooser is the source of every generated decision: a seeded PRNG in
// the normal run, the fuzzer's bytes under -fuzz (so the fuzzer's
// mutations steer the grammar).
type chooser interface {
	// Intn returns a choice in [0, n).
	Intn(n int) int
}

type randChooser struct{ r *rand.Rand }

func (c randChooser) Intn(n int) int { return c.r.Intn(n) }

// recChooser is a randChooser that logs its choices as bytes: replayed
// through byteChooser they yield the same case, so a failing generated
// case can be saved as a fuzz corpus entry (-authz.corpus).
type recChooser struct {
	r   *rand.Rand
	log []byte
}

func (c *recChooser) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	v := c.r.Intn(n)
	c.log = append(c.log, byte(v))
	return v
}

// byteChooser reads choices from b; once b is used up every choice is 0
// (the shortest alternative), so any input yields a finite case.
type byteChooser struct {
	b []byte
	i int
}

func (c *byteChooser) Intn(n int) int {
	if c.i >= len(c.b) || n <= 1 {
		return 0
	}
	v := int(c.b[c.i])
	c.i++
	return v % n
}

// kind is the type of a field path's value, which decides the operands
// and modifiers the generator pairs it with.
type kind int

const (
	kText kind = iota
	kNum
	kBool
	kEmail
	kID
	kRel      // single relation: compared by id, or walked
	kRelMulti // multiple relation: :length, :each, or walked
	kSecret   // a hidden field: usable by superusers only
)

type fieldDef struct {
	name   string
	kind   kind
	target string // relation target collection
}

// schema mirrors the fixture (fixture_test.go) for the generator.
var schema = map[string][]fieldDef{
	"users": {{"id", kID, ""}, {"name", kText, ""}, {"email", kEmail, ""}, {"public", kBool, ""},
		{"score", kNum, ""}, {"verified", kBool, ""}, {"emailVisibility", kBool, ""},
		{"password", kSecret, ""}, {"tokenKey", kSecret, ""}},
	"tags": {{"id", kID, ""}, {"title", kText, ""}, {"open", kBool, ""}, {"weight", kNum, ""},
		{"owner", kRel, "users"}},
	"posts": {{"id", kID, ""}, {"title", kText, ""}, {"views", kNum, ""}, {"secret", kSecret, ""},
		{"published", kBool, ""}, {"author", kRel, "users"}, {"tags", kRelMulti, "tags"}, {"parent", kRel, "posts"}},
	"comments": {{"id", kID, ""}, {"body", kText, ""}, {"flagged", kBool, ""}, {"post", kRel, "posts"},
		{"author", kRel, "users"}},
	"notes": {{"id", kID, ""}, {"text", kText, ""}, {"post", kRel, "posts"}},
}

// collections the client may query (notes is superuser-only: its list
// answers 403 to everyone else, but it is still reachable via joins).
var listable = []string{"posts", "posts", "posts", "posts", "comments", "comments", "tags", "tags", "users", "users", "users", "notes"}

type backRel struct{ name, coll string }

// backRels lists, per collection, the "<coll>_via_<field>" relations
// pointing at it.
var backRels = func() map[string][]backRel {
	out := map[string][]backRel{}
	for _, c := range []string{"users", "tags", "posts", "comments", "notes"} {
		for _, f := range schema[c] {
			if f.kind == kRel || f.kind == kRelMulti {
				out[f.target] = append(out[f.target], backRel{c + "_via_" + f.name, c})
			}
		}
	}
	return out
}()

func oneOf[T any](c chooser, xs ...T) T { return xs[c.Intn(len(xs))] }

// gen builds requests from a chooser.
type gen struct {
	c   chooser
	ids map[string][]string
}

// path is a generated field path and the kind of its value.
type path struct {
	text string
	kind kind
}

// genPath walks from coll through up to hops relations (forward or
// back) and ends at a field, sometimes with a modifier.
func (g *gen) genPath(coll string, hops int) path {
	var segs []string
	for {
		if hops > 0 && g.c.Intn(3) > 0 {
			// walk a relation
			rels := []fieldDef{}
			for _, f := range schema[coll] {
				if f.kind == kRel || f.kind == kRelMulti {
					rels = append(rels, f)
				}
			}
			brs := backRels[coll]
			if n := g.c.Intn(len(rels) + len(brs)); n < len(rels) {
				segs = append(segs, rels[n].name)
				coll = rels[n].target
			} else {
				segs = append(segs, brs[n-len(rels)].name)
				coll = brs[n-len(rels)].coll
			}
			hops--
			continue
		}
		fs := schema[coll]
		f := fs[g.c.Intn(len(fs))]
		if f.kind == kSecret && g.c.Intn(3) > 0 {
			f = fs[1] // hidden fields only now and then
		}
		segs = append(segs, f.name)
		p := path{strings.Join(segs, "."), f.kind}
		switch f.kind {
		case kText, kEmail:
			if g.c.Intn(6) == 0 {
				p.text += ":lower"
			}
		case kRelMulti:
			switch g.c.Intn(4) {
			case 0:
				p.text += ":length"
				p.kind = kNum
			case 1:
				p.text += ":each"
				p.kind = kID
			}
		case kRel:
			if g.c.Intn(3) == 0 {
				p.text += ".id"
			}
			p.kind = kID
		}
		// ":each" on a value reached through a multiple relation: the
		// form defect (5) answered 400 for.
		if len(segs) > 1 && p.kind == kText && !strings.HasSuffix(p.text, ":lower") && g.c.Intn(8) == 0 {
			p.text += ":each"
		}
		return p
	}
}

// literal returns a literal operand fitting k.
func (g *gen) literal(k kind) string {
	switch g.c.Intn(10) {
	case 0:
		return "null"
	case 1:
		return "''"
	}
	switch k {
	case kText, kSecret:
		return oneOf(g.c, "'alpha'", "'beta'", "'gamma'", "'delta'", "'al'", "'%ta'", "'a%'", "'ALPHA'", "'alpha beta'", "'s4'", "'e'")
	case kEmail:
		return oneOf(g.c, "'alpha@ex.io'", "'gamma@ex.io'", "'zz.io'", "'alpha'", "'gamma'", "'@ex.io'", "'beta@zz.io'", "'a%'")
	case kNum:
		return oneOf(g.c, "0", "1", "2", "3", "4", "5", "-1", "2.5")
	case kBool:
		return oneOf(g.c, "true", "false")
	default: // ids
		var all []string
		for _, c := range []string{"users", "tags", "posts", "comments", "notes"} {
			all = append(all, g.ids[c]...)
		}
		return "'" + all[g.c.Intn(len(all))] + "'"
	}
}

// authPath is an @request.auth.* operand (user A, or nothing for guests).
func (g *gen) authPath() path {
	if g.c.Intn(3) == 0 {
		p := g.genPath("users", 2)
		return path{"@request.auth." + p.text, p.kind}
	}
	return oneOf(g.c, path{"@request.auth.id", kID}, path{"@request.auth.email", kEmail},
		path{"@request.auth.name", kText}, path{"@request.auth.score", kNum}, path{"@request.auth.public", kBool})
}

// collectionPath is an @collection.X[:alias].path operand.
func (g *gen) collectionPath() path {
	coll := oneOf(g.c, "users", "tags", "posts", "comments", "notes")
	p := g.genPath(coll, 1)
	alias := ""
	if g.c.Intn(3) == 0 {
		alias = ":" + oneOf(g.c, "x", "y")
	}
	return path{"@collection." + coll + alias + "." + p.text, p.kind}
}

var ops = []string{"=", "!=", ">", ">=", "<", "<=", "~", "!~", "?=", "?!=", "?>", "?>=", "?<", "?<=", "?~", "?!~"}

// expr is a generated filter expression: a comparison or a logical node.
// Keeping the tree (not only its text) lets a failure be shrunk to the
// smallest sub-expression that still shows it.
type expr struct {
	text string // comparison text; empty for a logical node
	op   string // "&&" or "||"
	kids []*expr
}

func (e *expr) String() string {
	if e == nil {
		return ""
	}
	if e.op == "" {
		return e.text
	}
	parts := make([]string, len(e.kids))
	for i, k := range e.kids {
		parts[i] = "(" + k.String() + ")"
	}
	return strings.Join(parts, " "+e.op+" ")
}

// subexprs lists e's proper sub-expressions, largest first.
func (e *expr) subexprs() []*expr {
	var out []*expr
	for _, k := range e.kids {
		out = append(out, k)
	}
	for _, k := range e.kids {
		out = append(out, k.subexprs()...)
	}
	return out
}

// comparison builds "left op right" for a collection coll.
func (g *gen) comparison(coll string) *expr {
	// Client filters may not name @collection or @request (403, spec
	// §1.3): rare, only to check that answer is the same everywhere.
	var left path
	switch g.c.Intn(40) {
	case 0:
		left = g.collectionPath()
	case 1:
		left = g.authPath()
	default:
		left = g.genPath(coll, 3)
	}
	op := ops[g.c.Intn(len(ops))]
	var right string
	switch g.c.Intn(40) {
	case 0, 1, 2, 3:
		right = g.genPath(coll, 2).text
	case 4:
		right = g.authPath().text
	case 5:
		right = g.collectionPath().text
	default:
		right = g.literal(left.kind)
	}
	if g.c.Intn(8) == 0 {
		left, right = path{right, left.kind}, left.text
	}
	return &expr{text: left.text + " " + op + " " + right}
}

// filter builds a filter of up to depth logical levels.
func (g *gen) filter(coll string, depth int) *expr {
	if depth == 0 || g.c.Intn(2) == 0 {
		return g.comparison(coll)
	}
	n := 2 + g.c.Intn(2)
	e := &expr{op: oneOf(g.c, "&&", "||")}
	for i := 0; i < n; i++ {
		e.kids = append(e.kids, g.filter(coll, depth-1))
	}
	return e
}

// sortTerms builds 1–2 sort terms (field paths, some descending).
func (g *gen) sortTerms(coll string) []string {
	n := 1 + g.c.Intn(2)
	var out []string
	for i := 0; i < n; i++ {
		p := g.genPath(coll, 2)
		t := strings.TrimSuffix(strings.TrimSuffix(p.text, ":each"), ":lower")
		if g.c.Intn(12) == 0 {
			t = "@rowid" // hidden rows interleave, visible ones keep their order
		}
		if g.c.Intn(2) == 0 {
			t = "-" + t
		}
		out = append(out, t)
	}
	return out
}

// expandPaths builds 1–2 expand paths of up to 3 relations.
func (g *gen) expandPaths(coll string) []string {
	n := 1 + g.c.Intn(2)
	var out []string
	for i := 0; i < n; i++ {
		var segs []string
		c := coll
		for d := 0; d < 3; d++ {
			rels := []fieldDef{}
			for _, f := range schema[c] {
				if f.kind == kRel || f.kind == kRelMulti {
					rels = append(rels, f)
				}
			}
			brs := backRels[c]
			k := g.c.Intn(len(rels) + len(brs))
			if k < len(rels) {
				segs = append(segs, rels[k].name)
				c = rels[k].target
			} else {
				segs = append(segs, brs[k-len(rels)].name)
				c = brs[k-len(rels)].coll
			}
			if g.c.Intn(2) == 0 {
				break
			}
		}
		out = append(out, strings.Join(segs, "."))
	}
	return out
}

// fieldsList builds a `fields` value over the record and its expands.
func (g *gen) fieldsList(coll string, expand []string) []string {
	out := []string{oneOf(g.c, "*", "id", "id")}
	fs := schema[coll]
	for i := g.c.Intn(3); i > 0; i-- {
		f := fs[g.c.Intn(len(fs))].name
		if g.c.Intn(4) == 0 {
			f += ":excerpt(3)"
		}
		out = append(out, f)
	}
	for _, e := range expand {
		out = append(out, "expand."+e+oneOf(g.c, "", ".*", ".id", ".email", ".title", ".name", ".secret"))
	}
	return out
}

// readCase is one generated read request.
type readCase struct {
	caller string
	coll   string
	viewId string // set for a view request
	filter *expr
	sort   []string
	expand []string
	fields []string
	page   int // 0: one page holding everything
}

func (g *gen) readCase() readCase {
	rc := readCase{caller: oneOf(g.c, callers...), coll: oneOf(g.c, listable...)}
	if g.c.Intn(8) == 0 {
		ids := g.ids[rc.coll]
		rc.viewId = ids[g.c.Intn(len(ids))]
	} else {
		if g.c.Intn(6) > 0 {
			rc.filter = g.filter(rc.coll, 2)
		}
		if g.c.Intn(3) == 0 {
			rc.sort = g.sortTerms(rc.coll)
		}
		if g.c.Intn(5) == 0 {
			rc.page = 1 + g.c.Intn(2)
		}
	}
	if g.c.Intn(3) == 0 {
		rc.expand = g.expandPaths(rc.coll)
	}
	if g.c.Intn(4) == 0 {
		rc.fields = g.fieldsList(rc.coll, rc.expand)
	}
	return rc
}

// url renders the request. A list without sort is compared as a set
// (ids ordered); a sort gets "id" appended so ties cannot reorder it.
func (rc readCase) url() (string, bool) {
	q := []string{}
	add := func(k, v string) { q = append(q, k+"="+urlEscape(v)) }
	if rc.filter != nil {
		add("filter", rc.filter.String())
	}
	unordered := rc.viewId == "" && len(rc.sort) == 0 && rc.page == 0
	if len(rc.sort) > 0 || rc.page > 0 {
		add("sort", strings.Join(append(append([]string{}, rc.sort...), "id"), ","))
	}
	if rc.page > 0 {
		add("page", fmt.Sprint(rc.page))
		add("perPage", "2")
	} else if rc.viewId == "" {
		add("perPage", "500")
	}
	if len(rc.expand) > 0 {
		add("expand", strings.Join(rc.expand, ","))
	}
	if len(rc.fields) > 0 {
		add("fields", strings.Join(rc.fields, ","))
	}
	u := "/api/collections/" + rc.coll + "/records"
	if rc.viewId != "" {
		u += "/" + rc.viewId
	}
	if len(q) > 0 {
		u += "?" + strings.Join(q, "&")
	}
	return u, unordered
}

// mayBeRejected reports whether rc names something a non-superuser may
// be refused (hidden fields, the superuser-only notes, @request and
// @collection in client filters). Every other request the grammar writes
// is valid and must not answer 400.
func (rc readCase) mayBeRejected() bool {
	d := rc.describe()
	for _, s := range []string{"secret", "password", "tokenKey", "notes", "@"} {
		if strings.Contains(d, s) {
			return true
		}
	}
	return false
}

// describe is the readable form of a case for failure messages.
func (rc readCase) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "caller=%s GET %s", rc.caller, rc.coll)
	if rc.viewId != "" {
		fmt.Fprintf(&b, "/%s", shortId(rc.viewId))
	}
	if rc.filter != nil {
		fmt.Fprintf(&b, "\n  filter: %s", shorten(rc.filter.String()))
	}
	if len(rc.sort) > 0 {
		fmt.Fprintf(&b, "\n  sort:   %s", strings.Join(rc.sort, ","))
	}
	if rc.page > 0 {
		fmt.Fprintf(&b, "\n  page:   %d (perPage 2)", rc.page)
	}
	if len(rc.expand) > 0 {
		fmt.Fprintf(&b, "\n  expand: %s", strings.Join(rc.expand, ","))
	}
	if len(rc.fields) > 0 {
		fmt.Fprintf(&b, "\n  fields: %s", strings.Join(rc.fields, ","))
	}
	return b.String()
}

// shrinks lists smaller variants of rc, most reduced first.
func (rc readCase) shrinks() []readCase {
	var out []readCase
	if rc.filter != nil {
		for _, s := range rc.filter.subexprs() {
			v := rc
			v.filter = s
			out = append(out, v)
		}
		v := rc
		v.filter = nil
		out = append(out, v)
	}
	if len(rc.sort) > 0 {
		v := rc
		v.sort = nil
		out = append(out, v)
		if len(rc.sort) > 1 {
			for i := range rc.sort {
				v := rc
				v.sort = []string{rc.sort[i]}
				out = append(out, v)
			}
		}
	}
	if len(rc.expand) > 0 {
		v := rc
		v.expand, v.fields = nil, nil
		out = append(out, v)
		if len(rc.expand) > 1 {
			for i := range rc.expand {
				v := rc
				v.expand = []string{rc.expand[i]}
				out = append(out, v)
			}
		}
	}
	if len(rc.fields) > 0 {
		v := rc
		v.fields = nil
		out = append(out, v)
	}
	if rc.page > 0 {
		v := rc
		v.page = 0
		out = append(out, v)
	}
	return out
}
