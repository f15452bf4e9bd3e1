package api

import (
	"fmt"
	"strings"
	"testing"
)

func TestExpandPaths(t *testing.T) {
	t.Parallel()
	many := func(n int) string {
		p := make([]string, n)
		for i := range p {
			p[i] = fmt.Sprintf("r%d", i)
		}
		return strings.Join(p, ",")
	}
	cases := []struct {
		name  string
		param string
		want  string // paths joined by "," (segments by "."), or "!" when refused
	}{
		{"empty", "", ""},
		{"one", "author", "author"},
		{"spaces and dots", " .author . profile. ", "author.profile"},
		{"duplicates", "a,a,b,a", "a,b"},
		{"prefix merged", "a,a.b,a.b.c,x", "a.b.c,x"},
		{"prefix after the longer path", "a.b,a", "a.b"},
		{"not a segment prefix", "ab,a.b", "ab,a.b"},
		{"depth cut", "a.b.c.d.e.f.g.h", "a.b.c.d.e.f"},
		{"depth cut then merged", "a.b.c.d.e.f.g,a.b.c.d.e.f", "a.b.c.d.e.f"},
		{"empty entries", ",,a,,", "a"},
		{"at the bound", many(maxExpandPaths), many(maxExpandPaths)},
		{"duplicates do not count", many(maxExpandPaths) + "," + many(maxExpandPaths), many(maxExpandPaths)},
		{"over the bound", many(maxExpandPaths + 1), "!"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			paths, ok := expandPaths(tc.param)
			got := "!"
			if ok {
				s := make([]string, len(paths))
				for i, p := range paths {
					s[i] = strings.Join(p, ".")
				}
				got = strings.Join(s, ",")
			}
			if got != tc.want {
				t.Fatalf("expandPaths(%q) = %q, want %q", tc.param, got, tc.want)
			}
		})
	}
}
