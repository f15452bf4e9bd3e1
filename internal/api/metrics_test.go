package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// scrape reads /api/metrics with the given Authorization and parses it
// with Prometheus' own text parser.
func scrape(t *testing.T, s *testenv.Server, authz string) (int, map[string]*dto.MetricFamily) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/api/metrics", nil)
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	return resp.StatusCode, fams
}

// series returns the metric of family name whose labels include want.
func series(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		for k, v := range want {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		return m
	}
	return nil
}

func histCount(fams map[string]*dto.MetricFamily, name string, labels map[string]string) uint64 {
	m := series(fams, name, labels)
	if m == nil || m.GetHistogram() == nil {
		return 0
	}
	return m.GetHistogram().GetSampleCount()
}

func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	m := series(fams, name, labels)
	switch {
	case m == nil:
		return -1
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	}
	return -1
}

func postsCollection(t *testing.T, s *testenv.Server, su string, createRule string) {
	t.Helper()
	st, body := s.Do("POST", "/api/collections", su, map[string]any{"name": "posts", "listRule": "", "viewRule": "", "createRule": createRule,
		"fields": []any{map[string]any{"name": "title", "type": "text"}}})
	if st != 200 {
		t.Fatalf("collection: %d %v", st, body)
	}
}

// TestMetricsScrape runs a known sequence of requests and finds each
// counted under its route template, method and status, next to the
// store, cache, realtime, mail and runtime metrics.
func TestMetricsScrape(t *testing.T) {
	s, capture := testenv.StartServerWithMail(t)
	su := s.Superuser("admin@example.com", "password123")
	postsCollection(t, s, su, "")
	var ids []string
	for i := 0; i < 3; i++ {
		st, r := s.Do("POST", "/api/collections/posts/records", "", map[string]any{"title": fmt.Sprint("p", i)})
		if st != 200 {
			t.Fatalf("create: %d %v", st, r)
		}
		ids = append(ids, r["id"].(string))
	}
	for _, id := range ids[:2] {
		if st, _ := s.Do("GET", "/api/collections/posts/records/"+id, "", nil); st != 200 {
			t.Fatalf("view: %d", st)
		}
	}
	if st, _ := s.Do("GET", "/api/collections/posts/records/nosuchrecord123", "", nil); st != 404 {
		t.Fatalf("missing view: %d", st)
	}
	for _, p := range []string{"/api/no/such/route", "/api/another/" + ids[0]} {
		if st, _ := s.Do("GET", p, "", nil); st != 404 {
			t.Fatalf("%s: %d", p, st)
		}
	}
	if err := s.App.SendMail(context.Background(), &core.MailMessage{To: []core.MailAddress{{Email: "x@example.com"}}, Subject: "s", HTML: "h"}); err != nil {
		t.Fatal(err)
	}
	testenv.WaitMail(t, capture, 1)
	if _, err := s.App.CreateBackup(context.Background(), ""); err != nil {
		t.Fatal(err)
	}

	st, fams := scrape(t, s, su)
	if st != 200 {
		t.Fatalf("scrape: %d", st)
	}
	const reqs = "basalt_http_request_duration_seconds"
	records := "/api/collections/:collection/records"
	counts := []struct {
		name   string
		labels map[string]string
		want   uint64
	}{
		{"creates", map[string]string{"route": records, "method": "POST", "status": "200"}, 3},
		{"views", map[string]string{"route": records + "/:id", "method": "GET", "status": "200"}, 2},
		{"missing record", map[string]string{"route": records + "/:id", "method": "GET", "status": "404"}, 1},
		{"unmatched routes collapse", map[string]string{"route": "unmatched", "method": "GET", "status": "404"}, 2},
		{"collection create", map[string]string{"route": "/api/collections", "method": "POST", "status": "200"}, 1},
	}
	for _, c := range counts {
		if got := histCount(fams, reqs, c.labels); got != c.want {
			t.Errorf("%s: %s%v count = %d, want %d", c.name, reqs, c.labels, got, c.want)
		}
	}
	for _, m := range fams[reqs].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" && strings.Contains(l.GetValue(), ids[0]) {
				t.Errorf("a record id became a route label: %q", l.GetValue())
			}
		}
	}
	// The store committed at least the three creates and the superuser.
	if n := histCount(fams, "basalt_db_write_group_size", map[string]string{"db": "data"}); n < 4 {
		t.Errorf("data commits = %d, want ≥ 4", n)
	}
	if n := histCount(fams, "basalt_db_commit_duration_seconds", map[string]string{"db": "data"}); n < 4 {
		t.Errorf("commit durations = %d, want ≥ 4", n)
	}
	if v := value(fams, "basalt_mail_messages_total", map[string]string{"outcome": "sent"}); v != 1 {
		t.Errorf("mails sent = %v, want 1", v)
	}
	if v := value(fams, "basalt_backup_operations_total", map[string]string{"operation": "create", "outcome": "ok"}); v != 1 {
		t.Errorf("backups created = %v, want 1", v)
	}
	present := []string{"basalt_db_write_queue_depth", "basalt_stmt_cache_hits_total", "basalt_stmt_cache_misses_total",
		"basalt_record_cache_hits_total", "basalt_record_cache_misses_total", "basalt_realtime_clients",
		"basalt_realtime_subscriptions", "basalt_realtime_events_delivered_total", "basalt_realtime_events_dropped_total",
		"go_goroutines", "go_memstats_alloc_bytes"}
	for _, name := range present {
		if fams[name] == nil {
			t.Errorf("metric %s missing", name)
		}
	}
	if v := value(fams, "basalt_stmt_cache_hits_total", map[string]string{"db": "data"}); v <= 0 {
		t.Errorf("statement cache hits = %v, want > 0 after repeated views", v)
	}
}

// TestMetricsAccess: superusers and the scraper token read the metrics;
// guests, other users and a wrong token do not, and the token never
// comes back from the settings API.
func TestMetricsAccess(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	if st, r := s.Do("POST", "/api/collections/users/records", "", map[string]any{"email": "u@example.com", "password": "password123", "passwordConfirm": "password123"}); st != 200 {
		t.Fatalf("user: %d %v", st, r)
	}
	_, ar := s.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{"identity": "u@example.com", "password": "password123"})
	user := ar["token"].(string)

	if st, _ := s.Do("PATCH", "/api/settings", su, map[string]any{"metrics": map[string]any{"token": "short"}}); st != 400 {
		t.Errorf("short token: %d, want 400", st)
	}
	const token = "scrape-token-0123456789abcdef"
	if st, r := s.Do("PATCH", "/api/settings", su, map[string]any{"metrics": map[string]any{"token": token}}); st != 200 {
		t.Fatalf("set token: %d %v", st, r)
	} else if _, ok := r["metrics"]; ok || strings.Contains(toJSON(r), token) {
		// write-only: the group is omitted from reads (PocketBase's shape)
		t.Errorf("PATCH answer shows the metrics group: %v", r["metrics"])
	}
	if _, r := s.Do("GET", "/api/settings", su, nil); r["metrics"] != nil || strings.Contains(toJSON(r), token) {
		t.Errorf("GET /api/settings shows the token: %v", r["metrics"])
	}
	// A later PATCH that does not send the token keeps it.
	if st, _ := s.Do("PATCH", "/api/settings", su, map[string]any{"meta": map[string]any{"appName": "x"}}); st != 200 {
		t.Fatal("patch")
	}
	cases := []struct {
		name  string
		authz string
		want  int
	}{
		{"guest", "", 401},
		{"user", user, 403},
		{"superuser", su, 200},
		{"scraper token", "Bearer " + token, 200},
		{"scraper token, lower-case scheme", "bearer " + token, 200},
		{"wrong token", "Bearer " + token + "x", 401},
		{"token prefix", "Bearer " + token[:10], 401},
		{"token without scheme", token, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if st, _ := scrape(t, s, c.authz); st != c.want {
				t.Errorf("status %d, want %d", st, c.want)
			}
		})
	}
}

// TestMetricsCardinality: a thousand distinct record ids add no series:
// routes are templates, never URLs.
func TestMetricsCardinality(t *testing.T) {
	s := testenv.StartServer(t)
	su := s.Superuser("admin@example.com", "password123")
	postsCollection(t, s, su, "")
	count := func() int {
		_, fams := scrape(t, s, su)
		return len(fams["basalt_http_request_duration_seconds"].GetMetric())
	}
	for i := 0; i < 5; i++ {
		s.Do("GET", fmt.Sprintf("/api/collections/posts/records/warmup%010d", i), "", nil)
		s.Do("GET", fmt.Sprintf("/api/nothing/warmup%d", i), "", nil)
	}
	count() // the scrape's own series exists from now on
	before := count()
	for i := 0; i < 1000; i++ {
		s.Do("GET", fmt.Sprintf("/api/collections/posts/records/r%014d", i), "", nil)
		s.Do("GET", fmt.Sprintf("/api/nothing/%d", i), "", nil)
	}
	if after := count(); after != before {
		t.Errorf("series after 1000 distinct ids: %d, before: %d", after, before)
	}
}
