package filter

import (
	"errors"
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
