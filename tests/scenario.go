package tests

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// DefaultTimeout bounds a scenario's request when it sets no Timeout.
const DefaultTimeout = 30 * time.Second

// AnyOtherEvent, as a key of ApiScenario.ExpectedEvents with the count
// 0, requires that no hook outside the listed ones fired.
const AnyOtherEvent = "*"

// ApiScenario is one request to a TestApp and what its answer must be.
type ApiScenario struct {
	// Name names the subtest.
	Name string
	// Method is the HTTP method (default GET).
	Method string
	// URL is the path and query below the server ("/api/health"), or an
	// absolute URL.
	URL string
	// Headers are set on the request (e.g. Authorization, Content-Type).
	Headers map[string]string
	// Body is the request body (nil for none). A reader of unknown length
	// is sent chunked, without Content-Length.
	Body io.Reader
	// Timeout bounds the request (default DefaultTimeout).
	Timeout time.Duration

	// ExpectedStatus is the status the answer must have.
	ExpectedStatus int
	// ExpectedContent lists fragments the body must contain.
	ExpectedContent []string
	// NotExpectedContent lists fragments the body must not contain.
	NotExpectedContent []string
	// ExpectedHeaders maps a header to its expected value, its values
	// joined with ","; "" means the header must be absent.
	ExpectedHeaders map[string]string
	// ExpectedEvents maps a hook (a method name of core.App, e.g.
	// "OnRecordCreateRequest") to how many times it must have fired
	// during the request; 0 means it must not have fired. With
	// AnyOtherEvent: 0, no unlisted hook may have fired either.
	ExpectedEvents map[string]int

	// TestAppFactory, when set, makes a fresh app for this scenario
	// instead of the shared one.
	TestAppFactory func(t testing.TB) *TestApp
	// BeforeTestFunc runs before the request (fixtures, extra hooks);
	// hooks it fires are not counted.
	BeforeTestFunc func(t testing.TB, app *TestApp)
	// AfterTestFunc runs after the checks, with the answer, for
	// assertions the fields above cannot express.
	AfterTestFunc func(t testing.TB, app *TestApp, res *Response)
}

// Response is a scenario's answer, its body read in full.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header holds the response headers.
	Header http.Header
	// Body is the response body as sent (not decompressed).
	Body []byte
}

// RunScenarios runs each scenario as a subtest of t against app (or the
// scenario's own app, see TestAppFactory).
func RunScenarios(t *testing.T, app *TestApp, scenarios []ApiScenario) {
	t.Helper()
	for i := range scenarios {
		t.Run(scenarios[i].Name, func(t *testing.T) { scenarios[i].Test(t, app) })
	}
}

// Test runs the scenario against app (nil when TestAppFactory is set)
// and reports every mismatch on t.
func (s *ApiScenario) Test(t testing.TB, app *TestApp) {
	t.Helper()
	if s.TestAppFactory != nil {
		app = s.TestAppFactory(t)
	}
	if app == nil {
		t.Fatal("tests: no app: pass one or set TestAppFactory")
	}
	if s.BeforeTestFunc != nil {
		s.BeforeTestFunc(t, app)
	}
	res := s.Send(t, app)
	if res.Status != s.ExpectedStatus {
		t.Errorf("status %d, want %d; body %s", res.Status, s.ExpectedStatus, res.Body)
	}
	body := string(res.Body)
	for _, want := range s.ExpectedContent {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q; body %s", want, body)
		}
	}
	for _, unwanted := range s.NotExpectedContent {
		if strings.Contains(body, unwanted) {
			t.Errorf("body contains %q; body %s", unwanted, body)
		}
	}
	for k, want := range s.ExpectedHeaders {
		if got := strings.Join(res.Header.Values(k), ","); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	s.checkEvents(t, app.EventCounts())
	if s.AfterTestFunc != nil {
		s.AfterTestFunc(t, app, res)
	}
}

// Send sends the scenario's request to app and returns the answer
// without checking it (the hook counts are reset first): for fixtures
// built through the API and for requests a test inspects itself.
func (s *ApiScenario) Send(t testing.TB, app *TestApp) *Response {
	t.Helper()
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	method := s.Method
	if method == "" {
		method = http.MethodGet
	}
	url := s.URL
	if !strings.Contains(url, "://") {
		url = app.URL + url
	}
	req, err := http.NewRequestWithContext(ctx, method, url, s.Body)
	if err != nil {
		t.Fatalf("tests: request: %v", err)
	}
	for k, v := range s.Headers {
		req.Header.Set(k, v)
	}
	app.ResetEventCounts()
	resp, err := app.Client.Do(req)
	if err != nil {
		t.Fatalf("tests: %s %s: %v", method, s.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("tests: read body: %v", err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

func (s *ApiScenario) checkEvents(t testing.TB, got map[string]int) {
	t.Helper()
	if s.ExpectedEvents == nil {
		return
	}
	for name, want := range s.ExpectedEvents {
		if name == AnyOtherEvent {
			continue
		}
		if got[name] != want {
			t.Errorf("hook %s fired %d times, want %d (fired: %v)", name, got[name], want, sortedEvents(got))
		}
	}
	if n, ok := s.ExpectedEvents[AnyOtherEvent]; ok && n == 0 {
		for name, count := range got {
			if _, listed := s.ExpectedEvents[name]; !listed && count > 0 {
				t.Errorf("hook %s fired %d times; not expected", name, count)
			}
		}
	}
}

func sortedEvents(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+strconv.Itoa(v))
	}
	slices.Sort(out)
	return out
}
