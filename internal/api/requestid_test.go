package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/telemetry"
	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/testenv"
)

// TestRequestIdHeader: a valid incoming X-Request-Id is answered back,
// anything else (missing, too long, odd characters) is replaced by a
// generated one, on matched and unmatched routes alike.
func TestRequestIdHeader(t *testing.T) {
	s := testenv.StartServer(t)
	generated := regexp.MustCompile(`^[0-9a-f]{32}$`)
	long := strings.Repeat("a", 128)
	cases := []struct {
		name, path, in string
		keep           bool
	}{
		{"none", "/api/health", "", false},
		{"uuid kept", "/api/health", "0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"token chars kept", "/api/health", "req_42.a:b/c+d=", true},
		{"128 chars kept", "/api/health", long, true},
		{"129 chars replaced", "/api/health", long + "a", false},
		{"space replaced", "/api/health", "a b", false},
		{"markup replaced", "/api/health", `"><script>`, false},
		{"non-ascii replaced", "/api/health", "héllo", false},
		{"unmatched route", "/api/no/such/route", "trace-me-1", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.URL+c.path, nil)
			if c.in != "" {
				req.Header.Set("X-Request-Id", c.in)
			}
			resp, err := s.Client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("X-Request-Id")
			if c.keep && got != c.in {
				t.Errorf("X-Request-Id %q, want the caller's %q", got, c.in)
			}
			if !c.keep && !generated.MatchString(got) {
				t.Errorf("X-Request-Id %q, want a generated one", got)
			}
		})
	}
}

// lockedBuffer is a log sink the server goroutines and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) lines(t *testing.T) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// TestRequestLogLines: with JSON logs every line a request writes carries
// its request id (the request line and a handler's own error line), the
// request line has the fields of its _logs row, and the row carries the
// request id too.
func TestRequestLogLines(t *testing.T) {
	s := testenv.StartServer(t, func(app *core.App) error {
		app.OnServe().BindFunc(func(se *core.ServeEvent) error {
			se.Router.GET("/api/boom", func(e *core.RequestEvent) error { panic("boom") })
			return se.Next()
		})
		return nil
	})
	var sink lockedBuffer
	logger := slog.New(telemetry.LogHandler(slog.NewJSONHandler(&sink, &slog.HandlerOptions{Level: slog.LevelDebug})))
	h, err := api.New(s.App, api.Config{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()

	do := func(path, id string) {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("X-Request-Id", id)
		req.Header.Set("User-Agent", "metrics-test")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	do("/api/collections/users/records", "list-1")
	do("/api/boom", "boom-1")

	byId := map[string][]map[string]any{}
	for _, l := range sink.lines(t) {
		if id, ok := l["requestId"].(string); ok {
			byId[id] = append(byId[id], l)
		}
	}
	var panicLine, boomRequest, listRequest map[string]any
	for _, l := range byId["boom-1"] {
		switch l["msg"] {
		case "handler panic", "custom route panicked":
			panicLine = l
		case "GET /api/boom":
			boomRequest = l
		}
	}
	for _, l := range byId["list-1"] {
		if l["msg"] == "GET /api/collections/users/records" {
			listRequest = l
		}
	}
	if panicLine == nil || boomRequest == nil || listRequest == nil {
		t.Fatalf("missing lines: panic %v, boom request %v, list request %v; all: %v", panicLine, boomRequest, listRequest, byId)
	}
	if boomRequest["level"] != "ERROR" || boomRequest["status"] != float64(500) {
		t.Errorf("failed request line: %v", boomRequest)
	}

	// The _logs rows of both requests carry the same fields as the lines.
	s.App.FlushLogs()
	ls := s.App.Store().(core.LogStore)
	res, err := ls.QueryLogs(context.Background(), &core.RecordQuery{Collection: core.LogsCollection(), Superuser: true})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]map[string]any{}
	for _, r := range res.Records {
		data, _ := r.Get("data").(map[string]any)
		if data == nil {
			raw, _ := json.Marshal(r.Get("data"))
			_ = json.Unmarshal(raw, &data)
		}
		if id, ok := data["requestId"].(string); ok {
			rows[id] = data
		}
	}
	for id, line := range map[string]map[string]any{"list-1": listRequest, "boom-1": boomRequest} {
		row := rows[id]
		if row == nil {
			t.Errorf("no _logs row with requestId %s (rows: %v)", id, rows)
			continue
		}
		for k, v := range row {
			if k == "execTime" {
				continue // measured once, written twice: same value, float formatting aside
			}
			if lv, ok := line[k]; !ok || !jsonEqual(lv, v) {
				t.Errorf("%s: _logs data.%s = %v, log line has %v", id, k, v, lv)
			}
		}
	}
}

func jsonEqual(a, b any) bool {
	ra, _ := json.Marshal(a)
	rb, _ := json.Marshal(b)
	return bytes.Equal(ra, rb)
}
