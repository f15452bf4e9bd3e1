package authztest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var (
	seedFlag    = flag.Int64("authz.seed", 1, "seed of the generated authorization cases (go test ./internal/authztest -args -authz.seed=N)")
	corpusFlag  = flag.Bool("authz.corpus", false, "save each failing read case as a FuzzAuthzRead corpus entry under testdata/fuzz")
	compactFlag = flag.Bool("authz.compact", false, "report each failing minimal case on one line")
	scaleFlag   = flag.Float64("authz.scale", 1, "multiplies the number of generated cases")
)

func urlEscape(s string) string { return url.QueryEscape(s) }

// cases scales a default case count by -authz.scale.
func cases(n int) int {
	if testing.Short() {
		n /= 4
	}
	return max(1, int(float64(n)**scaleFlag))
}

// answer is one world's response to a request.
type answer struct {
	status int
	body   string
}

// ask sends rc to w as its caller.
func ask(t testing.TB, w *world, rc readCase) answer {
	t.Helper()
	u, unordered := rc.url()
	st, raw := w.do(t, "GET", u, w.tokens[rc.caller], nil)
	return answer{st, normalize(raw, unordered)}
}

// differs returns the first world whose answer to rc differs from the
// base world's, with both answers (-1 when all agree).
func differs(t testing.TB, ws []*world, rc readCase) (int, answer, answer) {
	t.Helper()
	base := ask(t, ws[0], rc)
	for i := 1; i < len(ws); i++ {
		if !comparable(i, rc.caller) {
			continue
		}
		if a := ask(t, ws[i], rc); a != base {
			return i, base, a
		}
	}
	return -1, base, base
}

// shrink reduces a failing case greedily to one none of whose smaller
// variants still fails.
func shrink(t testing.TB, ws []*world, rc readCase) readCase {
	t.Helper()
	for steps := 0; steps < 50; steps++ {
		progressed := false
		for _, v := range rc.shrinks() {
			if i, _, _ := differs(t, ws, v); i >= 0 {
				rc, progressed = v, true
				break
			}
		}
		if !progressed {
			break
		}
	}
	return rc
}

// failureReport collects failures, deduplicated by their minimal case,
// and prints each once with both answers.
type failureReport struct {
	seen  map[string]bool
	count int
}

func (f *failureReport) add(t testing.TB, ws []*world, label string, seed int64, n int, orig readCase) {
	t.Helper()
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	f.count++
	if len(f.seen) >= 25 && !*compactFlag {
		return // enough reported: count the rest without shrinking them
	}
	min := shrink(t, ws, orig)
	key := min.describe()
	if f.seen[key] {
		return
	}
	f.seen[key] = true
	if *compactFlag {
		t.Errorf("%s FAIL %s", label, strings.ReplaceAll(key, "\n", " |"))
		return
	}
	i, a, b := differs(t, ws, min)
	if i < 0 {
		i = 1 // flaky shrink: report the original
		min = orig
		_, a, b = differs(t, ws, orig)
	}
	u, _ := min.url()
	t.Errorf("%s: answer depends on data the caller cannot see (seed %d, case %d)\nminimal case: %s\n  url: %s\nids: %s %s, %s %s\n%s: %d %s\n%s: %d %s\n(original case: %s)",
		label, seed, n, key, shorten(u), ws[0].name, idsOf(a.body), ws[i].name, idsOf(b.body),
		ws[0].name, a.status, shorten(a.body), ws[i].name, b.status, shorten(b.body),
		strings.ReplaceAll(orig.describe(), "\n", "\n  "))
}

func (f *failureReport) summary(t testing.TB, total int) {
	t.Helper()
	if f.count > 0 {
		t.Logf("%d of %d generated cases failed (%d distinct minimal cases reported)", f.count, total, len(f.seen))
	}
}

// TestAuthzDiffRead generates list and view requests (filters over every
// relation shape and operator, sorts, fields, expands) from guests and
// user A, and checks each world answers the same: status, ids and bodies.
func TestAuthzDiffRead(t *testing.T) {
	ws := newWorlds(t)
	seed := *seedFlag
	n := cases(3000)
	t.Logf("seed %d, %d cases (rerun: go test ./internal/authztest -run TestAuthzDiffRead -args -authz.seed=%d)", seed, n, seed)
	rec := &recChooser{r: rand.New(rand.NewSource(seed))}
	g := &gen{c: rec, ids: allIds()}
	var rep failureReport
	statuses := map[int]int{}
	rejected := 0
	for i := 0; i < n; i++ {
		rec.log = rec.log[:0]
		rc := g.readCase()
		j, a, _ := differs(t, ws, rc)
		statuses[a.status]++
		if a.status == 400 && !rc.mayBeRejected() {
			if rejected++; rejected <= 10 {
				t.Errorf("read: a valid request answered 400 (seed %d, case %d)\n%s\n%s", seed, i, rc.describe(), a.body)
			}
		}
		if j >= 0 {
			rep.add(t, ws, "read", seed, i, rc)
			if *corpusFlag {
				saveCorpus(t, "FuzzAuthzRead", fmt.Sprintf("[]byte(%q)", rec.log))
			}
		}
	}
	t.Logf("statuses of the base world: %v", statuses)
	rep.summary(t, n)
	if statuses[200] < n/3 {
		t.Errorf("only %d of %d cases answered 200: the generator mostly makes invalid requests", statuses[200], n)
	}
}

// idsOf summarises an answer by the ids it lists, in order.
func idsOf(body string) string {
	var v struct {
		Id    string `json:"id"`
		Items []struct {
			Id string `json:"id"`
		} `json:"items"`
	}
	if json.Unmarshal([]byte(body), &v) != nil {
		return "?"
	}
	if v.Items == nil {
		return "[" + shortId(v.Id) + "]"
	}
	ids := make([]string, len(v.Items))
	for i, it := range v.Items {
		ids[i] = shortId(it.Id)
	}
	return "[" + strings.Join(ids, " ") + "]"
}

// saveCorpus writes one fuzz corpus entry (Go's "go test fuzz v1"
// format) named after its content.
func saveCorpus(t testing.TB, target, value string) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(value))
	name := filepath.Join(dir, hex.EncodeToString(sum[:8]))
	if err := os.WriteFile(name, []byte("go test fuzz v1\n"+value+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAuthzWorldsDiffer checks the harness can fail: a superuser (who
// sees everything) gets different answers from the worlds, so the hidden
// data really differs, while a guest's plain lists are identical.
func TestAuthzWorldsDiffer(t *testing.T) {
	ws := newWorlds(t)
	for _, coll := range []string{"users", "tags", "posts", "comments", "notes"} {
		u := "/api/collections/" + coll + "/records?perPage=500&sort=id"
		_, base := ws[0].do(t, "GET", u, ws[0].su, nil)
		for i, w := range ws[1:] {
			if i+1 == guestWorld && coll == "notes" {
				continue // w3 changes only user A's data
			}
			if _, raw := w.do(t, "GET", u, w.su, nil); normalize(raw, false) == normalize(base, false) {
				t.Errorf("superuser list of %s is the same in %s and %s: the worlds do not differ there", coll, ws[0].name, w.name)
			}
		}
		for _, caller := range callers {
			_, base := ws[0].do(t, "GET", u, ws[0].tokens[caller], nil)
			for i, w := range ws[1:] {
				if !comparable(i+1, caller) {
					continue
				}
				if _, raw := w.do(t, "GET", u, w.tokens[caller], nil); normalize(raw, false) != normalize(base, false) {
					t.Errorf("%s's plain list of %s differs between %s and %s: the visible data is not identical\n%s\n%s",
						caller, coll, ws[0].name, w.name, shorten(normalize(base, false)), shorten(normalize(raw, false)))
				}
			}
		}
	}
}
