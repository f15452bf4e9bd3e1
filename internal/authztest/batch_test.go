package authztest

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// batchReq is one generated sub-request of a batch.
type batchReq struct {
	Method string         `json:"method"`
	URL    string         `json:"url"`
	Body   map[string]any `json:"body,omitempty"`
}

// batchQuery adds generated expand and fields to a sub-request URL.
func (g *gen) batchQuery(coll string) string {
	var q []string
	var expand []string
	if g.c.Intn(3) > 0 {
		expand = g.expandPaths(coll)
		q = append(q, "expand="+urlEscape(strings.Join(expand, ",")))
	}
	if g.c.Intn(3) == 0 {
		q = append(q, "fields="+urlEscape(strings.Join(g.fieldsList(coll, expand), ",")))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + strings.Join(q, "&")
}

// batchCase generates 1–3 sub-requests: creates of posts pointing at
// visible and hidden records, updates of the caller's own post and of
// hidden posts, creates in a collection without a create rule. Record
// ids named are ones every world holds, so an answer can only differ
// through what the caller must not see.
func (g *gen) batchCase(n int) []batchReq {
	var out []batchReq
	for k := 1 + g.c.Intn(3); k > 0; k-- {
		switch oneOf(g.c, 0, 0, 0, 0, 2, 2, 2, 3, 4) {
		case 0:
			body := g.rtRecord("posts", rid(fmt.Sprintf("b%dz%d", n, k)))
			body["author"] = rid(oneOf(g.c, "ua", "ua", "ua", "ua", "ua", "ub"))
			body["published"] = g.c.Intn(2) == 0
			delete(body, "secret")
			out = append(out, batchReq{"POST", "/api/collections/posts/records" + g.batchQuery("posts"), body})
		case 2:
			out = append(out, batchReq{"PATCH", "/api/collections/posts/records/" + rid("p3") + g.batchQuery("posts"),
				map[string]any{"title": oneOf(g.c, "gamma", "delta"), "parent": oneOf(g.c, rid("p4"), rid("p1"), "")}})
		case 3:
			out = append(out, batchReq{"PATCH", "/api/collections/posts/records/" + rid(oneOf(g.c, "p4", "p2")) + g.batchQuery("posts"),
				map[string]any{"title": "x"}})
		case 4:
			out = append(out, batchReq{"POST", "/api/collections/comments/records" + g.batchQuery("comments"),
				map[string]any{"body": "b", "post": rid("p1"), "author": rid("ua")}})
		}
	}
	return out
}

// TestAuthzDiffBatch sends generated batches (creates and updates with
// expand and fields into hidden records) as a guest and as user A to
// every world and checks the answers are identical.
func TestAuthzDiffBatch(t *testing.T) {
	ws := newWorlds(t)
	seed := *seedFlag
	n := cases(150)
	t.Logf("seed %d, %d batches (rerun: -args -authz.seed=%d)", seed, n, seed)
	g := &gen{c: randChooser{rand.New(rand.NewSource(seed + 2000))}, ids: allIds()}
	statuses := map[int]int{}
	for i := 0; i < n; i++ {
		caller := callers[g.c.Intn(len(callers))]
		reqs := g.batchCase(i)
		body := map[string]any{"requests": reqs}
		var base answer
		for j, w := range ws {
			if !comparable(j, caller) {
				// not compared for this caller (no user A there): the
				// superuser replays a successful batch so the visible
				// data stays the others'
				if base.status == 200 {
					w.must(t, "POST", "/api/batch", body)
				}
				continue
			}
			st, raw := w.do(t, "POST", "/api/batch", w.tokens[caller], body)
			a := answer{st, normalize(raw, false)}
			if j == 0 {
				base = a
				statuses[st]++
				continue
			}
			if a != base {
				var b strings.Builder
				for _, r := range reqs {
					fmt.Fprintf(&b, "\n  %s %s %s", r.Method, shorten(r.URL), shorten(sortedMap(r.Body)))
				}
				t.Errorf("batch: answer depends on data the caller cannot see (seed %d, case %d)\ncaller=%s batch:%s\n%s: %d %s\n%s: %d %s",
					seed, i, caller, b.String(), ws[0].name, base.status, shorten(base.body), w.name, a.status, shorten(a.body))
				break
			}
		}
	}
	t.Logf("statuses of the base world: %v", statuses)
	if statuses[200] == 0 {
		t.Error("no batch succeeded: the generator only makes failing batches")
	}
}
