package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// rawDo sends a raw body and returns the status and the body text.
func rawDo(t testing.TB, s *testenv.Server, method, path, token, contentType string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func batchBody(reqs ...map[string]any) map[string]any { return map[string]any{"requests": reqs} }

func breq(method, url string, body map[string]any) map[string]any {
	m := map[string]any{"method": method, "url": url}
	if body != nil {
		m["body"] = body
	}
	return m
}

type batchFixture struct {
	s  *testenv.Server
	su string
}

func newBatchFixture(t testing.TB, register ...func(*core.App) error) *batchFixture {
	t.Helper()
	var reg func(*core.App) error
	if len(register) > 0 {
		reg = register[0]
	}
	s := testenv.StartServer(t, reg)
	f := &batchFixture{s: s, su: s.Superuser("admin@example.com", "password123")}
	for _, col := range []map[string]any{
		{"name": "cats", "listRule": "", "viewRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
			"fields": []any{map[string]any{"name": "name", "type": "text", "required": true},
				map[string]any{"name": "doc", "type": "file", "maxSelect": 2, "maxSize": 1 << 20}}},
		{"name": "locked", "listRule": "", "viewRule": "", "createRule": nil,
			"fields": []any{map[string]any{"name": "name", "type": "text"}}},
		{"name": "batchonly", "listRule": "", "createRule": `@request.context = "batch"`,
			"fields": []any{map[string]any{"name": "name", "type": "text"}}},
	} {
		if st, body := s.Do("POST", "/api/collections", f.su, col); st != 200 {
			t.Fatalf("collection %v: %d %v", col["name"], st, body)
		}
	}
	return f
}

func (f *batchFixture) enable(t testing.TB, batch map[string]any) {
	t.Helper()
	if st, body := f.s.Do("PATCH", "/api/settings", f.su, map[string]any{"batch": batch}); st != 200 {
		t.Fatalf("settings: %d %v", st, body)
	}
}

func (f *batchFixture) count(t testing.TB, col string) int {
	t.Helper()
	st, body := f.s.Do("GET", "/api/collections/"+col+"/records", f.su, nil)
	if st != 200 {
		t.Fatalf("list %s: %d", col, st)
	}
	return int(body["totalItems"].(float64))
}

func TestBatchDisabled(t *testing.T) {
	f := newBatchFixture(t)
	st, raw := rawDo(t, f.s, "POST", "/api/batch", "", "application/json",
		strings.NewReader(toJSON(batchBody(breq("POST", "/api/collections/cats/records", map[string]any{"name": "a"})))))
	if st != 403 || !strings.Contains(raw, "Batch requests are not allowed.") {
		t.Fatalf("got %d %s", st, raw)
	}
	if f.count(t, "cats") != 0 {
		t.Fatal("disabled batch changed state")
	}
}

func TestBatchSuccess(t *testing.T) {
	var createHooks atomic.Int32
	f := newBatchFixture(t, func(app *core.App) error {
		app.OnRecordCreateRequest("cats").BindFunc(func(e *core.RecordRequestEvent) error {
			createHooks.Add(1)
			return e.Next()
		})
		return nil
	})
	f.enable(t, map[string]any{"enabled": true, "maxRequests": 10, "timeout": 3})
	c := openSSE(t, f.s)
	subscribe(f.s, c.ClientId, "", "cats/*")
	reqs := batchBody(
		breq("POST", "/api/collections/cats/records", map[string]any{"name": "B1"}),
		breq("PUT", "/api/collections/cats/records?fields=id,name", map[string]any{"id": "batchcat0000001", "name": "B2"}),
		breq("PATCH", "/api/collections/cats/records/batchcat0000001", map[string]any{"name": "B2x"}),
		breq("PUT", "/api/collections/cats/records", map[string]any{"id": "batchcat0000001", "name": "B2y"}),
		breq("DELETE", "/api/collections/cats/records/batchcat0000001", nil),
		breq("POST", "/api/collections/batchonly/records", map[string]any{"name": "ctx"}),
	)
	st, raw := rawDo(t, f.s, "POST", "/api/batch", "", "application/json", strings.NewReader(toJSON(reqs)))
	if st != 200 {
		t.Fatalf("batch: %d %s", st, raw)
	}
	var res []struct {
		Status int            `json:"status"`
		Body   map[string]any `json:"body"`
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatal(err)
	}
	wantStatus := []int{200, 200, 200, 200, 204, 200}
	for i, w := range wantStatus {
		if res[i].Status != w {
			t.Fatalf("item %d status %d, want %d (%s)", i, res[i].Status, w, raw)
		}
	}
	if len(res[1].Body) != 2 || res[1].Body["name"] != "B2" {
		t.Fatalf("upsert create with fields: %v", res[1].Body)
	}
	if res[3].Body["name"] != "B2y" || res[3].Body["id"] != "batchcat0000001" {
		t.Fatalf("upsert update: %v", res[3].Body)
	}
	if !strings.Contains(raw, `{"status":204,"body":null}`) {
		t.Fatalf("delete body: %s", raw)
	}
	if f.count(t, "cats") != 1 || f.count(t, "batchonly") != 1 {
		t.Fatal("batch results not persisted")
	}
	if createHooks.Load() != 2 {
		t.Fatalf("create request hooks fired %d times, want 2", createHooks.Load())
	}
	// The batch context is only "batch" inside /api/batch.
	if st, _ := f.s.Do("POST", "/api/collections/batchonly/records", "", map[string]any{"name": "x"}); st != 400 {
		t.Fatalf("standalone create with batch-only rule: %d", st)
	}
	// Realtime: every committed change was announced.
	var actions []string
	for i := 0; i < 5; i++ {
		ev, ok := c.Next(5 * time.Second)
		if !ok {
			t.Fatalf("got %d realtime events, want 5 (%v)", i, actions)
		}
		var e rtEvent
		_ = json.Unmarshal([]byte(ev.Data), &e)
		actions = append(actions, e.Action)
	}
	// Ordering across different records is best-effort (spec §7.4): the
	// broker keeps each record's events in order, so compare the multiset.
	sort.Strings(actions)
	if strings.Join(actions, ",") != "create,create,delete,update,update" {
		t.Fatalf("realtime actions %v", actions)
	}
}

func TestBatchRollback(t *testing.T) {
	f := newBatchFixture(t)
	f.enable(t, map[string]any{"enabled": true, "maxRequests": 5, "timeout": 3})
	c := openSSE(t, f.s)
	subscribe(f.s, c.ClientId, "", "cats/*")
	cases := []struct {
		name   string
		reqs   map[string]any
		wantIn []string
	}{
		{"forbidden sub-request", batchBody(
			breq("POST", "/api/collections/cats/records", map[string]any{"name": "a"}),
			breq("POST", "/api/collections/locked/records", map[string]any{"name": "b"}),
		), []string{`"1":{"code":"batch_request_failed","message":"Batch request failed.","response":{"data":{},"message":"Only superusers can perform this action.","status":403}}`}},
		{"validation failure", batchBody(
			breq("POST", "/api/collections/cats/records", map[string]any{"name": "a"}),
			breq("POST", "/api/collections/cats/records", map[string]any{}),
		), []string{`"1":{"code":"batch_request_failed"`, `validation_required`}},
		{"unknown action", batchBody(
			breq("POST", "/api/collections/cats/records", map[string]any{"name": "a"}),
			breq("GET", "/api/collections/cats/records", nil),
		), []string{`"1":{"code":"batch_request_failed"`, `"status":400`}},
		{"missing record", batchBody(
			breq("POST", "/api/collections/cats/records", map[string]any{"name": "a"}),
			breq("PATCH", "/api/collections/cats/records/nope", map[string]any{"name": "x"}),
		), []string{`"1":{"code":"batch_request_failed"`, `"status":404`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, raw := rawDo(t, f.s, "POST", "/api/batch", "", "application/json", strings.NewReader(toJSON(tc.reqs)))
			if st != 400 || !strings.Contains(raw, `"message":"Batch transaction failed."`) {
				t.Fatalf("got %d %s", st, raw)
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(raw, w) {
					t.Fatalf("%s does not contain %s", raw, w)
				}
			}
			if n := f.count(t, "cats"); n != 0 {
				t.Fatalf("rolled back batch left %d records", n)
			}
		})
	}
	// No realtime event escaped a rolled-back transaction; positive control.
	f.s.Do("POST", "/api/collections/cats/records", "", map[string]any{"name": "control"})
	ev := c.expect("cats/*", "create")
	if ev.Record["name"] != "control" {
		t.Fatalf("first event after rollbacks is %v", ev.Record)
	}
}

func TestBatchLimitsAndBadInput(t *testing.T) {
	f := newBatchFixture(t)
	f.enable(t, map[string]any{"enabled": true, "maxRequests": 2, "timeout": 3, "maxBodySize": 2000})
	three := batchBody(breq("POST", "/api/collections/cats/records", map[string]any{"name": "a"}),
		breq("POST", "/api/collections/cats/records", map[string]any{"name": "b"}),
		breq("POST", "/api/collections/cats/records", map[string]any{"name": "c"}))
	cases := []struct {
		name   string
		ct     string
		body   string
		status int
		wantIn string
	}{
		{"malformed", "application/json", `{"requests":`, 400, "Failed to read the submitted batch data."},
		{"empty", "application/json", `{"requests":[]}`, 400, `"requests":{"code":"validation_required"`},
		{"too many", "application/json", toJSON(three), 400, `{"requests":{"code":"validation_length_too_long","message":"The length must be no more than 2.","params":{"max":2,"min":0}}}`},
		{"bad method", "application/json", `{"requests":[{"method":"TRACE","url":"/x"}]}`, 400, `"0":{"method":{"code":"validation_in_invalid"`},
		{"missing url", "application/json", `{"requests":[{"method":"POST"}]}`, 400, `"url":{"code":"validation_required"`},
		{"body too large", "application/json", `{"requests":[{"method":"POST","url":"/api/collections/cats/records","body":{"name":"` + strings.Repeat("x", 3000) + `"}}]}`, 413, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, raw := rawDo(t, f.s, "POST", "/api/batch", "", tc.ct, strings.NewReader(tc.body))
			if st != tc.status || !strings.Contains(raw, tc.wantIn) {
				t.Fatalf("got %d %s, want %d with %s", st, raw, tc.status, tc.wantIn)
			}
		})
	}
	if n := f.count(t, "cats"); n != 0 {
		t.Fatalf("bad batches left %d records", n)
	}
}

func TestBatchMultipartFiles(t *testing.T) {
	f := newBatchFixture(t)
	f.enable(t, map[string]any{"enabled": true, "maxRequests": 5, "timeout": 3})
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("@jsonPayload", toJSON(batchBody(
		breq("POST", "/api/collections/cats/records", map[string]any{"name": "with file"}),
		breq("POST", "/api/collections/cats/records", map[string]any{"name": "two files"}),
	)))
	for _, key := range []string{"requests.0.doc", "requests[1].doc", "requests[1].doc"} {
		part, _ := w.CreateFormFile(key, "hello.txt")
		_, _ = part.Write([]byte("hello world"))
	}
	_ = w.Close()
	st, raw := rawDo(t, f.s, "POST", "/api/batch", "", w.FormDataContentType(), &buf)
	if st != 200 {
		t.Fatalf("multipart batch: %d %s", st, raw)
	}
	var res []struct {
		Body map[string]any `json:"body"`
	}
	_ = json.Unmarshal([]byte(raw), &res)
	if len(res) != 2 {
		t.Fatalf("results %s", raw)
	}
	if d, _ := res[0].Body["doc"].([]any); len(d) != 1 {
		t.Fatalf("first record files: %v", res[0].Body["doc"])
	}
	if d, _ := res[1].Body["doc"].([]any); len(d) != 2 {
		t.Fatalf("second record files: %v", res[1].Body["doc"])
	}
	// A file for a request index that does not exist is refused.
	buf.Reset()
	w = multipart.NewWriter(&buf)
	_ = w.WriteField("@jsonPayload", toJSON(batchBody(breq("POST", "/api/collections/cats/records", map[string]any{"name": "x"}))))
	part, _ := w.CreateFormFile("requests.7.doc", "a.txt")
	_, _ = part.Write([]byte("x"))
	_ = w.Close()
	st, raw = rawDo(t, f.s, "POST", "/api/batch", "", w.FormDataContentType(), &buf)
	if st != 400 || !strings.Contains(raw, "Failed to read the submitted batch files data.") {
		t.Fatalf("bad file key: %d %s", st, raw)
	}
	if n := f.count(t, "cats"); n != 2 {
		t.Fatalf("records = %d, want 2", n)
	}
}

func TestBatchTimeoutRollsBack(t *testing.T) {
	f := newBatchFixture(t, func(app *core.App) error {
		app.OnRecordCreateRequest("cats").BindFunc(func(e *core.RecordRequestEvent) error {
			if e.Record.GetString("name") == "slow" {
				select {
				case <-time.After(1500 * time.Millisecond):
				case <-e.Context().Done():
				}
			}
			return e.Next()
		})
		return nil
	})
	f.enable(t, map[string]any{"enabled": true, "maxRequests": 5, "timeout": 1})
	reqs := batchBody(breq("POST", "/api/collections/cats/records", map[string]any{"name": "fast"}),
		breq("POST", "/api/collections/cats/records", map[string]any{"name": "slow"}))
	start := time.Now()
	st, raw := rawDo(t, f.s, "POST", "/api/batch", "", "application/json", strings.NewReader(toJSON(reqs)))
	if st != 400 || !strings.Contains(raw, `{"data":{},"message":"Batch transaction failed.","status":400}`) {
		t.Fatalf("got %d %s", st, raw)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("timeout took %v", d)
	}
	if n := f.count(t, "cats"); n != 0 {
		t.Fatalf("timed-out batch left %d records", n)
	}
}
