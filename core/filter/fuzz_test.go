package filter

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that its errors are
// *SyntaxErrors pointing inside the input, and that the canonical String()
// of a parsed expression parses back to the same String() and tree shape.
// The seed corpus in testdata/fuzz/FuzzParse holds realistic filters and
// rules from spec §3 and §4.
func FuzzParse(f *testing.F) {
	f.Add(`a = 1 && (b = 2 || c = 3)`)
	f.Add(`strftime('%Y', strftime('%s', strftime('%Y'))) = 1`)
	f.Add("-created,+title,@random")
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			checkSyntaxError(t, src, err)
		} else {
			printed := e.String()
			again, err := Parse(printed)
			if err != nil {
				t.Fatalf("canonical form %q of %q does not parse: %v", printed, src, err)
			}
			if got := again.String(); got != printed {
				t.Fatalf("String() not stable for %q:\n first  %q\n second %q", src, printed, got)
			}
			if tree(again) != tree(e) {
				t.Fatalf("tree changed after re-parse of %q:\n first  %s\n second %s", src, tree(e), tree(again))
			}
			if CountComparisons(e) < 1 {
				t.Fatalf("parsed %q has no comparisons", src)
			}
			Walk(e, func(n Node) bool {
				if p := n.Pos(); p < 0 || p >= len(src) {
					t.Fatalf("node %q at position %d outside input of length %d", n, p, len(src))
				}
				return true
			})
		}

		// The sort and identifier parsers share the input: they must not
		// panic either.
		if items, err := ParseSort(src); err != nil {
			checkSyntaxError(t, src, err)
		} else {
			for _, it := range items {
				if it.Ident == nil || it.Ident.Raw == "" {
					t.Fatalf("ParseSort(%q) returned an empty item", src)
				}
			}
		}
		if _, err := ParseIdentifier(src); err != nil {
			checkSyntaxError(t, src, err)
		}
	})
}

func checkSyntaxError(t *testing.T, src string, err error) {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error for %q is %T, want *SyntaxError: %v", src, err, err)
	}
	if se.Pos < 0 || se.Pos > len(src) {
		t.Fatalf("error position %d outside input of length %d: %v", se.Pos, len(src), err)
	}
	if se.Msg == "" {
		t.Fatalf("empty error message for %q", src)
	}
}

// paramTemplates are filter shapes with {:v} placeholders; n is how many.
var paramTemplates = []struct {
	src   string
	n     int
	comps int
}{
	{`title = {:v}`, 1, 1},
	{`title = {:v} && owner = {:w}`, 1, 2},
	{`(a ~ {:v} || b !~ {:v}) && c ?= {:w}`, 2, 3},
	{`strftime('%Y', {:v}) = {:v}`, 2, 1},
}

// FuzzParseParams checks that a value bound to a {:name} placeholder is
// data, never syntax (issue #22, defect 3): in fixed shapes every
// placeholder becomes one *Text holding exactly the value and the shape is
// unchanged; in arbitrary sources the value cannot change whether the
// source parses nor the tree's node kinds and positions. The seed corpus
// in testdata/fuzz/FuzzParseParams holds values with quotes, backslashes,
// braces, newlines, NUL and non-UTF-8 bytes.
func FuzzParseParams(f *testing.F) {
	for _, v := range hostileValues {
		f.Add(v, `title = {:v}`)
	}
	f.Fuzz(func(t *testing.T, v, src string) {
		for _, tmpl := range paramTemplates {
			e, err := ParseParams(tmpl.src, map[string]any{"v": v, "w": "w"})
			if err != nil {
				t.Fatalf("ParseParams(%q) with %q: %v", tmpl.src, v, err)
			}
			if got := CountComparisons(e); got != tmpl.comps {
				t.Fatalf("%q with %q: %d comparisons, want %d", tmpl.src, v, got, tmpl.comps)
			}
			n := 0
			Walk(e, func(node Node) bool {
				txt, ok := node.(*Text)
				if !ok || !strings.HasPrefix(tmpl.src[txt.Offset:], "{:v}") {
					return true
				}
				if txt.Value != v {
					t.Fatalf("%q: placeholder holds %q, want %q", tmpl.src, txt.Value, v)
				}
				n++
				return true
			})
			if n != tmpl.n {
				t.Fatalf("%q with %q: %d literals holding the value, want %d: %s", tmpl.src, v, n, tmpl.n, tree(e))
			}
		}

		got, gotErr := ParseParams(src, map[string]any{"v": v})
		want, wantErr := ParseParams(src, map[string]any{"v": "x"})
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%q: value %q changed the outcome: %v vs %v", src, v, gotErr, wantErr)
		}
		if gotErr != nil {
			checkSyntaxError(t, src, gotErr)
			return
		}
		if a, b := shape(got), shape(want); a != b {
			t.Fatalf("%q: value %q changed the tree:\n %s\n %s", src, v, a, b)
		}
	})
}

// shape lists the kinds and positions of a tree's nodes, not their values.
func shape(n Node) string {
	var b strings.Builder
	Walk(n, func(n Node) bool {
		fmt.Fprintf(&b, "%T@%d ", n, n.Pos())
		return true
	})
	return b.String()
}
