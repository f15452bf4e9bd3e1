package tests_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/tests"
)

const postsJSON = `[{"name": "posts", "type": "base", "listRule": "", "viewRule": "",
	"createRule": "@request.auth.id != ''",
	"fields": [{"name": "title", "type": "text", "required": true}]}]`

// recorder is a testing.TB that keeps the failures a scenario reports,
// so the harness's own checks are shown to fail when they should.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, "error: "+strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.msgs = append(r.msgs, "fatal: "+strings.TrimSpace(fmt.Sprintf(format, args...)))
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

// failures runs s on app with a recorder and returns what it reported.
func failures(t *testing.T, s tests.ApiScenario, app *tests.TestApp) string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Test(r, app)
	}()
	<-done
	return strings.Join(r.msgs, "\n")
}

func newApp(t testing.TB) *tests.TestApp {
	return tests.NewTestApp(t, tests.Options{Collections: []byte(postsJSON), OnOpen: func(app *core.App) error {
		app.OnServe().BindFunc(func(se *core.ServeEvent) error {
			se.Router.GET("/slow", func(e *core.RequestEvent) error {
				<-e.Request.Context().Done() // until the client gives up
				return nil
			})
			return se.Next()
		})
		return nil
	}})
}

// TestHarnessScenarios: fixtures, tokens, hook counts, before/after
// functions and per-scenario apps, each passing when it should.
func TestHarnessScenarios(t *testing.T) {
	app := newApp(t)
	su := app.CreateSuperuser("admin@example.com", "password123")
	_, user := app.CreateAuthRecord("users", "u@example.com", "password123")
	post := app.CreateRecord("posts", map[string]any{"title": "seeded"})
	js := func(token string) map[string]string {
		return map[string]string{"Content-Type": "application/json", "Authorization": token}
	}
	afterRan := false
	tests.RunScenarios(t, app, []tests.ApiScenario{
		{Name: "imported collection with a seeded record", URL: "/api/collections/posts/records/" + post.Id(),
			ExpectedStatus: 200, ExpectedContent: []string{`"title":"seeded"`},
			ExpectedEvents: map[string]int{"OnRecordViewRequest": 1, "OnRecordEnrich": 1, tests.AnyOtherEvent: 0}},
		{Name: "guest cannot create", Method: "POST", URL: "/api/collections/posts/records",
			Headers: map[string]string{"Content-Type": "application/json"}, Body: strings.NewReader(`{"title":"x"}`),
			ExpectedStatus: 400, ExpectedEvents: map[string]int{"OnRecordCreate": 0}},
		{Name: "user token from CreateAuthRecord", Method: "POST", URL: "/api/collections/posts/records",
			Headers: js(user), Body: strings.NewReader(`{"title":"by user"}`), ExpectedStatus: 200,
			ExpectedContent: []string{`"title":"by user"`},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 1, "OnRecordAfterCreateSuccess": 1, "OnModelCreate": 1}},
		{Name: "superuser token from CreateSuperuser", URL: "/api/collections", Headers: js(su), ExpectedStatus: 200,
			ExpectedContent: []string{`"name":"posts"`}, NotExpectedContent: []string{`"name":"nope"`}},
		{Name: "before and after functions", URL: "/api/collections/posts/records?filter=title='from-before'",
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp) {
				app.CreateRecord("posts", map[string]any{"title": "from-before"}) // not counted below
			},
			ExpectedStatus: 200, ExpectedContent: []string{`"totalItems":1`},
			ExpectedEvents: map[string]int{"OnRecordCreate": 0, "OnRecordsListRequest": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *tests.Response) {
				afterRan = res.Status == 200 && res.Header.Get("Content-Type") == "application/json"
			}},
		{Name: "own app from a factory", URL: "/api/collections/posts/records",
			TestAppFactory: func(t testing.TB) *tests.TestApp { return newApp(t) },
			ExpectedStatus: 200, ExpectedContent: []string{`"totalItems":0`}},
	})
	if !afterRan {
		t.Error("AfterTestFunc did not run with the response")
	}
}

// TestHarnessReportsMismatches: every kind of expectation fails the test
// when the answer differs, naming what differed.
func TestHarnessReportsMismatches(t *testing.T) {
	app := newApp(t)
	cases := []struct {
		name string
		s    tests.ApiScenario
		want []string
	}{
		{"status", tests.ApiScenario{URL: "/api/health", ExpectedStatus: 201}, []string{"status 200, want 201"}},
		{"missing content", tests.ApiScenario{URL: "/api/health", ExpectedStatus: 200, ExpectedContent: []string{"nope"}}, []string{`body lacks "nope"`}},
		{"unwanted content", tests.ApiScenario{URL: "/api/health", ExpectedStatus: 200, NotExpectedContent: []string{`"code":200`}},
			[]string{`body contains "\"code\":200"`}},
		{"header", tests.ApiScenario{URL: "/api/health", ExpectedStatus: 200, ExpectedHeaders: map[string]string{"Content-Type": "text/plain"}},
			[]string{"header Content-Type"}},
		{"event count", tests.ApiScenario{URL: "/api/collections/posts/records", ExpectedStatus: 200,
			ExpectedEvents: map[string]int{"OnRecordsListRequest": 2}}, []string{"hook OnRecordsListRequest fired 1 times, want 2"}},
		{"unexpected event", tests.ApiScenario{URL: "/api/collections/posts/records", ExpectedStatus: 200,
			ExpectedEvents: map[string]int{tests.AnyOtherEvent: 0}}, []string{"hook OnRecordsListRequest fired 1 times; not expected"}},
		{"timeout", tests.ApiScenario{URL: "/slow", Timeout: 50 * time.Millisecond, ExpectedStatus: 200},
			[]string{"fatal:", "context deadline exceeded"}},
		{"no app", tests.ApiScenario{URL: "/api/health"}, []string{"fatal:", "no app"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target := app
			if tc.name == "no app" {
				target = nil
			}
			got := failures(t, tc.s, target)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("reported %q, want it to mention %q", got, w)
				}
			}
		})
	}
	// And a matching scenario reports nothing.
	if got := failures(t, tests.ApiScenario{URL: "/api/health", ExpectedStatus: 200, ExpectedContent: []string{`"code":200`},
		ExpectedHeaders: map[string]string{"X-Nope": ""}}, app); got != "" {
		t.Errorf("a matching scenario reported %q", got)
	}
}
