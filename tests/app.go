// Package tests is Basalt's public test harness for Go code that extends
// Basalt (hooks, custom routes, middlewares) and for Basalt's own API
// tests: NewTestApp opens a real app on a temporary data dir and serves
// the real HTTP handler on 127.0.0.1:0; fixtures import collections, seed
// records and mint superuser and user tokens; ApiScenario tables send
// requests and check the status, body fragments, headers and the hooks
// that fired.
//
//	app := tests.NewTestApp(t, tests.Options{OnOpen: myhooks.Register})
//	token := app.CreateSuperuser("admin@example.com", "password123")
//	tests.RunScenarios(t, app, []tests.ApiScenario{{
//		Name: "list as superuser", Method: "GET", URL: "/api/collections/posts/records",
//		Headers: map[string]string{"Authorization": token},
//		ExpectedStatus: 200, ExpectedContent: []string{`"totalItems":0`},
//		ExpectedEvents: map[string]int{"OnRecordsListRequest": 1},
//	}})
//
// It differs from PocketBase's package of the same name (see PORTING.md):
// the app is not a copy of a prebuilt data dir but a fresh one per
// NewTestApp, filled by Options.Collections and the Create* helpers, and
// scenarios share one app unless they bring their own (TestAppFactory),
// which keeps a table of fifty requests to one app start.
package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/server"
)

// Options configures NewTestApp. The zero value is a stock app with the
// system collections only.
type Options struct {
	// OnOpen binds the code under test (hooks, routes, crons) to the app
	// before it bootstraps, as server.Basalt.OnOpen does in a program.
	OnOpen func(app *core.App) error
	// Collections is a collections JSON document (an array, as exported
	// by the dashboard or `GET /api/collections`) imported before the
	// server starts; existing collections with the same id or name are
	// updated, others are kept.
	Collections []byte
	// PublicDir, when set, is served at / like `serve --publicDir`.
	PublicDir string
	// Dev turns on debug logging (see TestApp.Logs).
	Dev bool
}

// TestApp is a Basalt app under test: a fresh data dir, the app opened
// through the stock entry point (server.New) with the pending Go
// migrations applied (as serve applies them), and the real HTTP handler
// served on a loopback port. Everything is closed when the test ends.
type TestApp struct {
	// App is the app under test, for direct Go calls (Save, queries).
	App *core.App
	// URL is the server's base URL ("http://127.0.0.1:PORT").
	URL string
	// Dir is the data dir (pb_data).
	Dir string
	// Client talks to the server. It does not decompress responses, so
	// a scenario sees what the server sent (Content-Encoding included).
	Client *http.Client

	t      testing.TB
	logs   *logBuffer
	events *eventCounter
}

// NewTestApp opens and serves a fresh app for t; it fails t on any
// error.
func NewTestApp(t testing.TB, opts Options) *TestApp {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pb_data")
	logs := &logBuffer{}
	b := server.New(server.Config{Stdout: io.Discard, Stderr: logs})
	if opts.OnOpen != nil {
		b.OnOpen(opts.OnOpen)
	}
	events := &eventCounter{}
	b.OnOpen(func(app *core.App) error { return events.bindAll(app) })
	// Flags, not defaults: a BASALT_* variable in the environment must
	// not move a test's data dir or turn automigrate on.
	pf := b.RootCmd.PersistentFlags()
	if err := errors.Join(pf.Set("dir", dir), pf.Set("automigrate", "false"),
		pf.Set("dev", fmt.Sprint(opts.Dev))); err != nil {
		t.Fatalf("tests: %v", err)
	}
	app, err := b.Open(context.Background())
	if err != nil {
		t.Fatalf("tests: open app: %v", err)
	}
	ta := &TestApp{App: app, Dir: dir, t: t, logs: logs, events: events}
	// As serve does: the Go migrations of the program under test
	// (core.AppMigrations) are applied before the server starts.
	if _, err := app.MigrateUp(context.Background(), &core.AppMigrations); err != nil {
		_ = app.Terminate()
		t.Fatalf("tests: apply migrations: %v", err)
	}
	if len(opts.Collections) > 0 {
		if err := ta.ImportCollections(opts.Collections); err != nil {
			_ = app.Terminate()
			t.Fatalf("tests: import collections: %v", err)
		}
	}
	h, err := api.New(app, api.Config{PublicDir: opts.PublicDir})
	if err != nil {
		_ = app.Terminate()
		t.Fatalf("tests: api: %v", err)
	}
	ts := httptest.NewUnstartedServer(h)
	ts.Config.MaxHeaderBytes = api.MaxHeaderBytes // as the serve command sets it
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		_ = app.Terminate()
	})
	ta.URL = ts.URL
	ta.Client = &http.Client{Transport: &http.Transport{DisableCompression: true}}
	t.Cleanup(ta.Client.CloseIdleConnections)
	events.reset()
	return ta
}

// ImportCollections imports a collections JSON array (see
// Options.Collections) into the running app.
func (ta *TestApp) ImportCollections(collectionsJSON []byte) error {
	var docs []json.RawMessage
	if err := json.Unmarshal(collectionsJSON, &docs); err != nil {
		return fmt.Errorf("collections JSON must be an array of collections: %w", err)
	}
	return ta.App.ImportCollections(context.Background(), docs, false)
}

// CreateRecord saves a record of collection with data (field → value,
// validated as a Go save is) and returns it; it fails the test on error.
func (ta *TestApp) CreateRecord(collection string, data map[string]any) *core.Record {
	ta.t.Helper()
	col, err := ta.App.FindCollectionByNameOrId(collection)
	if err != nil {
		ta.t.Fatalf("tests: collection %q: %v", collection, err)
	}
	rec := core.NewRecord(col)
	for k, v := range data {
		rec.Set(k, v)
	}
	if err := ta.App.Save(context.Background(), rec); err != nil {
		ta.t.Fatalf("tests: save %s record: %v", collection, err)
	}
	return rec
}

// CreateAuthRecord saves a verified record of the auth collection with
// email and password and returns it with a fresh auth token (the value
// of an Authorization header).
func (ta *TestApp) CreateAuthRecord(collection, email, password string) (*core.Record, string) {
	ta.t.Helper()
	rec := ta.CreateRecord(collection, map[string]any{
		core.FieldEmail: email, core.FieldPassword: password, core.FieldVerified: true,
	})
	return rec, ta.AuthToken(rec)
}

// CreateSuperuser saves a superuser and returns its auth token.
func (ta *TestApp) CreateSuperuser(email, password string) string {
	ta.t.Helper()
	_, token := ta.CreateAuthRecord(core.SuperusersCollectionName, email, password)
	return token
}

// AuthToken returns a fresh auth token of an auth record, accepted by
// the server like one from auth-with-password.
func (ta *TestApp) AuthToken(rec *core.Record) string {
	ta.t.Helper()
	token, err := rec.NewAuthToken()
	if err != nil {
		ta.t.Fatalf("tests: auth token: %v", err)
	}
	return token
}

// Logs returns what the app logged so far (text format; debug lines
// only with Options.Dev).
func (ta *TestApp) Logs() string { return ta.logs.String() }

// EventCounts returns how many times each hook fired since the last
// reset (a scenario resets before its request), by method name of
// core.App ("OnRecordCreateRequest").
func (ta *TestApp) EventCounts() map[string]int { return ta.events.snapshot() }

// ResetEventCounts forgets the hooks fired so far.
func (ta *TestApp) ResetEventCounts() { ta.events.reset() }

// logBuffer is a log sink safe for the app's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
