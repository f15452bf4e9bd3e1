package authztest

import (
	"testing"
)

// FuzzAuthzRead drives the request generator with the fuzzer's bytes
// (each byte is one grammar choice), so coverage guidance explores
// filters, sorts, expands and fields over every relation shape. The
// property is TestAuthzDiffRead's: every world answers the same. Long
// runs: go test -fuzz FuzzAuthzRead ./internal/authztest
func FuzzAuthzRead(f *testing.F) {
	for _, seed := range [][]byte{
		{}, {1, 2, 3, 4, 5, 6, 7, 8}, []byte("posts-filter-back-relation"), []byte("\x00\x01\x02\x03\x10\x20\x30\x40\x50\x60\x70\x80\x90"),
	} {
		f.Add(seed)
	}
	ws := newWorlds(f)
	ids := allIds()
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &gen{c: &byteChooser{b: data}, ids: ids}
		rc := g.readCase()
		if i, _, _ := differs(t, ws, rc); i >= 0 {
			var rep failureReport
			rep.add(t, ws, "fuzz read", 0, 0, rc)
		}
	})
}

// FuzzAuthzFilterText sends the fuzzer's text as a filter (or a sort) as
// a guest or as user A, so it reaches syntax the grammar never writes.
func FuzzAuthzFilterText(f *testing.F) {
	f.Add("tags_via_owner.weight != 4", uint8(3), false, false)
	f.Add("posts_via_parent.views", uint8(0), false, true)
	f.Add("author.email ~ 'zz'", uint8(0), true, false)
	f.Add("comments_via_post.body:each !~ 'x%'", uint8(0), true, false)
	f.Add("tags.title ?!~ 'a' && parent.title != 'delta'", uint8(0), true, false)
	ws := newWorlds(f)
	colls := []string{"posts", "comments", "tags", "users", "notes"}
	f.Fuzz(func(t *testing.T, text string, coll uint8, asUser, asSort bool) {
		if len(text) > 500 {
			return
		}
		caller := "guest"
		if asUser {
			caller = "userA"
		}
		c := colls[int(coll)%len(colls)]
		u := "/api/collections/" + c + "/records?perPage=500&"
		if asSort {
			u += "sort=" + urlEscape(text+",id")
		} else {
			u += "filter=" + urlEscape(text)
		}
		var base answer
		for i, w := range ws {
			if !comparable(i, caller) {
				continue
			}
			st, raw := w.do(t, "GET", u, w.tokens[caller], nil)
			a := answer{st, normalize(raw, !asSort)}
			if i == 0 {
				base = a
				continue
			}
			if a != base {
				t.Errorf("answer depends on data the caller cannot see\ncaller=%s GET %s %s=%q\n%s: %d %s\n%s: %d %s",
					caller, c, map[bool]string{true: "sort", false: "filter"}[asSort], text,
					ws[0].name, base.status, shorten(base.body), w.name, a.status, shorten(a.body))
				return
			}
		}
	})
}
