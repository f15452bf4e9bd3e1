//go:build unix

package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/basalthq/basalt/core/filter"
	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/testenv"
)

// cpuTime is the process's user + system CPU time: server and client run
// in this process, and CPU time is far less noisy than wall time on a
// shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// checkLinear fails when the work for 4n costs 8× or more the work for n
// (the CPU time of each is the least of 5 runs). prepare builds the input
// outside the measurement and returns the work. A linear cost gives ~4×,
// a quadratic one 16×; absolute times are never compared.
func checkLinear(t *testing.T, n int, prepare func(n int) func()) {
	t.Helper()
	// The collector's work depends on the heap the rest of the package
	// left behind, not on the request: it is off while measuring.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	cost := func(n int) time.Duration {
		work := prepare(n)
		best := time.Duration(1<<63 - 1)
		for range 5 {
			runtime.GC()
			start := cpuTime()
			work()
			best = min(best, cpuTime()-start)
		}
		return best
	}
	small, large := cost(n), cost(4*n)
	if small <= 0 {
		small = time.Microsecond
	}
	t.Logf("n=%d: %v, 4n: %v (×%.1f)", n, small, large, float64(large)/float64(small))
	if large >= 8*small {
		t.Fatalf("cost grows superlinearly: n=%d took %v, 4n took %v (×%.1f, want < 8)", n, small, large, float64(large)/float64(small))
	}
}

// do sends a request and fails unless it answers want.
func doStatus(t testing.TB, s *testenv.Server, method, path, token, ct string, body []byte, want int) string {
	t.Helper()
	st, out := rawRequest(t, s, method, path, token, ct, body)
	if st != want {
		t.Fatalf("%s %.80s: status %d, want %d: %.300s", method, path, st, want, out)
	}
	return out
}

func jsonKeys(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"title":"keys"`)
	for i := range n {
		fmt.Fprintf(&b, `,"k%d":%d`, i, i)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func multipartParts(n int) ([]byte, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := range n {
		w.WriteField(fmt.Sprintf("k%d", i), strings.Repeat("v", 200))
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

func repeatJoin(n int, f func(i int) string, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = f(i)
	}
	return strings.Join(parts, sep)
}

// TestRequestSizesAreBounded sends each request-controlled size just over
// its bound: the answer is PocketBase's 400 shape (413 for bytes, 431 for
// headers, as net/http gives it), and the same request at the bound is
// served.
func TestRequestSizesAreBounded(t *testing.T) {
	s, su, _ := inputFixture(t)
	list := "/api/collections/notes/records?"
	comparisons := func(n int) string { return repeatJoin(n, func(int) string { return "title='x'" }, "||") }
	nested := func(d int) string { return strings.Repeat("(", d) + "title='x'" + strings.Repeat(")", d) }
	batch := func(n int) []byte {
		reqs := make([]map[string]any, n)
		for i := range reqs {
			reqs[i] = map[string]any{"method": "POST", "url": "/api/collections/notes/records", "body": map[string]any{"title": "b"}}
		}
		b, _ := json.Marshal(map[string]any{"requests": reqs})
		return b
	}
	parts := func(n int) ([]byte, string) { return multipartParts(n) }
	type req struct {
		method, path, ct string
		body             []byte
		hdr              string
	}
	get := func(q string) req { return req{method: "GET", path: list + q} }
	cases := []struct {
		name       string
		at, over   req
		overStatus int
		message    string
	}{
		{"filter length", get("filter=" + url.QueryEscape("title='"+strings.Repeat("x", filter.MaxLength-8)+"'")),
			get("filter=" + url.QueryEscape("title='"+strings.Repeat("x", filter.MaxLength-7)+"'")), 400, ""},
		{"filter comparisons", get("filter=" + url.QueryEscape(comparisons(filter.MaxComparisons))),
			get("filter=" + url.QueryEscape(comparisons(filter.MaxComparisons+1))), 400, ""},
		{"filter depth", get("filter=" + url.QueryEscape(nested(filter.MaxGroupDepth))),
			get("filter=" + url.QueryEscape(nested(filter.MaxGroupDepth+1))), 400, ""},
		{"sort terms", get("sort=" + repeatJoin(filter.MaxSortItems, func(int) string { return "title" }, ",")),
			get("sort=" + repeatJoin(filter.MaxSortItems+1, func(int) string { return "title" }, ",")), 400, ""},
		{"expand paths", get("expand=" + repeatJoin(100, func(i int) string { return fmt.Sprintf("r%d", i) }, ",")),
			get("expand=" + repeatJoin(101, func(i int) string { return fmt.Sprintf("r%d", i) }, ",")), 400, "Invalid expand parameter."},
		{"fields entries", get("fields=" + repeatJoin(1000, func(i int) string { return fmt.Sprintf("f%d", i) }, ",")),
			get("fields=" + repeatJoin(1001, func(i int) string { return fmt.Sprintf("f%d", i) }, ",")), 400, "Invalid fields parameter."},
		{"batch requests", req{method: "POST", path: "/api/batch", ct: "application/json", body: batch(50)},
			req{method: "POST", path: "/api/batch", ct: "application/json", body: batch(51)}, 400, "Invalid batch request data."},
		{"multipart parts", func() req {
			b, ct := parts(1000)
			return req{method: "POST", path: "/api/collections/notes/records", ct: ct, body: b}
		}(),
			func() req {
				b, ct := parts(1001)
				return req{method: "POST", path: "/api/collections/notes/records", ct: ct, body: b}
			}(), 400, ""},
		{"body bytes (and so body keys)", req{method: "POST", path: "/api/collections/notes/records", ct: "application/json", body: jsonKeys(1000)},
			req{method: "POST", path: "/api/collections", ct: "application/json", body: append(jsonKeys(0)[:1], append(bytes.Repeat([]byte(" "), 33<<20), jsonKeys(0)[1:]...)...)},
			413, "Request entity too large."},
		{"header bytes", req{method: "GET", path: "/api/health", hdr: strings.Repeat("x", api.MaxHeaderBytes/2)},
			req{method: "GET", path: "/api/health", hdr: strings.Repeat("x", api.MaxHeaderBytes+8<<10)}, 431, ""},
	}
	send := func(t *testing.T, r req) (int, string) {
		hr, err := http.NewRequest(r.method, s.URL+r.path, bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		if r.body == nil {
			hr.Body = http.NoBody
			hr.ContentLength = 0
		}
		if r.ct != "" {
			hr.Header.Set("Content-Type", r.ct)
		}
		if r.hdr != "" {
			hr.Header.Set("X-Big", r.hdr)
		}
		hr.Header.Set("Authorization", su)
		resp, err := s.Client.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if st, out := send(t, tc.at); st != 200 {
				t.Fatalf("at the bound: status %d, want 200: %.300s", st, out)
			}
			before := countNotes(t, s, "id != ''")
			st, out := send(t, tc.over)
			if st != tc.overStatus {
				t.Fatalf("over the bound: status %d, want %d: %.300s", st, tc.overStatus, out)
			}
			if st != 431 {
				var e struct {
					Status  int            `json:"status"`
					Message string         `json:"message"`
					Data    map[string]any `json:"data"`
				}
				if err := json.Unmarshal([]byte(out), &e); err != nil || e.Status != st || e.Message == "" || e.Data == nil {
					t.Fatalf("over the bound: not PocketBase's error shape: %.300s", out)
				}
				if tc.message != "" && e.Message != tc.message {
					t.Fatalf("message %q, want %q", e.Message, tc.message)
				}
			}
			if after := countNotes(t, s, "id != ''"); after != before {
				t.Fatalf("a refused request changed the data: %d records, then %d", before, after)
			}
		})
	}
}

// TestRequestCostIsLinear measures each request-controlled size at n and
// 4n and fails on superlinear growth (issue #22). Body keys were applied
// after an insertion sort of every key: 100k keys cost 11 s of CPU
// (defect 8).
func TestRequestCostIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("measures CPU time of large requests")
	}
	s, su, _ := inputFixture(t)
	cases := []struct {
		name    string
		n       int
		prepare func(n int) func()
	}{
		// Sizes stay small enough for maps to fit caches, which blur
		// the ratio by themselves; quadratic work still shows as ~16×.
		{"json body keys", 5000, func(n int) func() {
			body := jsonKeys(n)
			return func() {
				for range 4 {
					doStatus(t, s, "POST", "/api/collections/notes/records", "", "application/json", body, 200)
				}
			}
		}},
		// net/url parses at most 10,000 query parameters (Go's own bound).
		{"urlencoded body keys", 2000, func(n int) func() {
			body := []byte(repeatJoin(n, func(i int) string { return fmt.Sprintf("k%d=%d", i, i) }, "&"))
			return func() {
				doStatus(t, s, "POST", "/api/collections/notes/records", "", "application/x-www-form-urlencoded", body, 200)
			}
		}},
		{"multipart parts", 250, func(n int) func() {
			body, ct := multipartParts(n)
			return func() { doStatus(t, s, "POST", "/api/collections/notes/records", "", ct, body, 200) }
		}},
		{"multipart @jsonPayload keys", 5000, func(n int) func() {
			var buf bytes.Buffer
			w := multipart.NewWriter(&buf)
			w.WriteField("@jsonPayload", string(jsonKeys(n)))
			w.Close()
			return func() {
				for range 4 {
					doStatus(t, s, "POST", "/api/collections/notes/records", "", w.FormDataContentType(), buf.Bytes(), 200)
				}
			}
		}},
		{"expand entries", 25000, func(n int) func() {
			q := "expand=" + repeatJoin(n, func(i int) string { return fmt.Sprintf("r%d.x", i%50) }, ",")
			return func() { doStatus(t, s, "GET", "/api/collections/notes/records?"+q, "", "", nil, 200) }
		}},
		{"fields entries", 250, func(n int) func() {
			q := "perPage=200&fields=" + repeatJoin(n, func(i int) string { return fmt.Sprintf("f%d", i) }, ",")
			return func() { doStatus(t, s, "GET", "/api/collections/notes/records?"+q, "", "", nil, 200) }
		}},
		{"filter length", 800, func(n int) func() {
			q := "filter=" + url.QueryEscape("title!='"+strings.Repeat("x", n)+"'")
			return func() {
				for range 20 {
					doStatus(t, s, "GET", "/api/collections/notes/records?perPage=1&skipTotal=1&"+q, "", "", nil, 200)
				}
			}
		}},
		{"batch requests over the bound", 25000, func(n int) func() {
			reqs := make([]map[string]any, n)
			for i := range reqs {
				reqs[i] = map[string]any{"method": "POST", "url": "/api/collections/notes/records", "body": map[string]any{"title": "b"}}
			}
			body, _ := json.Marshal(map[string]any{"requests": reqs})
			return func() { doStatus(t, s, "POST", "/api/batch", su, "application/json", body, 400) }
		}},
		{"header bytes", 64 << 10, func(n int) func() {
			big := strings.Repeat("x", n)
			return func() {
				req, _ := http.NewRequest("GET", s.URL+"/api/health", nil)
				req.Header.Set("X-Big", big)
				resp, err := s.Client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLinear(t, tc.n, tc.prepare)
		})
	}
}
