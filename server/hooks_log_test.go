package server_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/hook"
	"github.com/basalthq/basalt/server"
	"github.com/basalthq/basalt/tests"
)

// lockedBuffer is a log sink safe for the app's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAfterCommitHookErrorsNameTheHook: an after-commit handler's error
// cannot reach the caller (the save happened); it is logged naming the
// hook chain it came from.
func TestAfterCommitHookErrorsNameTheHook(t *testing.T) {
	logs := &lockedBuffer{}
	// The stock entry point, logging to logs (as the binary logs to stderr).
	b := server.New(server.Config{Stderr: logs})
	pf := b.RootCmd.PersistentFlags()
	if err := errors.Join(pf.Set("dir", t.TempDir()), pf.Set("automigrate", "false")); err != nil {
		t.Fatal(err)
	}
	app, err := b.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	app.OnModelAfterCreateSuccess("notes").BindFunc(func(e *core.ModelEvent) error { return errors.New("model create hook broke") })
	app.OnRecordAfterUpdateSuccess("notes").BindFunc(func(e *core.RecordEvent) error { return errors.New("record update hook broke") })
	app.OnCollectionAfterDeleteSuccess().BindFunc(func(e *core.CollectionEvent) error { return errors.New("collection delete hook broke") })
	t.Cleanup(func() { _ = app.Terminate() })
	ctx := context.Background()
	notes := core.NewBaseCollection("notes")
	notes.Fields.Add(&core.TextField{BaseField: core.BaseField{Name: "title"}})
	if err := app.SaveCollection(ctx, notes); err != nil {
		t.Fatal(err)
	}
	notes, _ = app.FindCollectionByNameOrId("notes")
	r := core.NewRecord(notes)
	if err := app.Save(ctx, r); err != nil {
		t.Fatalf("a failing after-commit hook must not fail the save: %v", err)
	}
	r.Set("title", "x")
	if err := app.Save(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := app.DeleteCollection(ctx, notes); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	for _, want := range []string{
		"OnRecordAfterCreateSuccess", "model create hook broke",
		"OnRecordAfterUpdateSuccess", "record update hook broke",
		"OnCollectionAfterDeleteSuccess", "collection delete hook broke",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// faultLine is the caller's line: where a test binds a handler.
func faultLine() int {
	_, _, line, _ := runtime.Caller(1)
	return line
}

// TestFaultyHooksAreLoggedByName: a request, model, settings or
// lifecycle hook handler that panics, returns an error or forgets
// e.Next() gets the documented result, and the log names the handler
// (its id, else the file:line that bound it) and its hook.
func TestFaultyHooksAreLoggedByName(t *testing.T) {
	lines := map[string]int{}
	app := tests.NewTestApp(t, tests.Options{
		Collections: []byte(`[{"name": "things", "type": "base", "listRule": "", "viewRule": "", "createRule": "",
			"fields": [{"name": "kind", "type": "text"}]}]`),
		OnOpen: func(app *core.App) error {
			app.OnRecordCreateRequest("things").BindFunc(func(e *core.RecordRequestEvent) error {
				if e.Record.GetString("kind") == "panic" {
					panic("request hook boom")
				}
				return e.Next()
			})
			lines["request panic"] = faultLine() - 6
			app.OnRecordCreate("things").Bind(&hook.Handler[*core.RecordEvent]{Id: "kindValidator", Func: func(e *core.RecordEvent) error {
				if e.Record.GetString("kind") == "error" {
					return errors.New("model hook said no")
				}
				return e.Next()
			}})
			app.OnRecordsListRequest("things").BindFunc(func(e *core.RecordsListRequestEvent) error {
				return nil // forgot e.Next(): nothing is answered
			})
			lines["forgot next"] = faultLine() - 3
			app.OnSettingsUpdateRequest().Bind(&hook.Handler[*core.SettingsUpdateRequestEvent]{Id: "settingsGuard",
				Func: func(*core.SettingsUpdateRequestEvent) error { panic("settings hook boom") }})
			app.OnCollectionCreateRequest().Bind(&hook.Handler[*core.CollectionRequestEvent]{Id: "noNewCollections",
				Func: func(*core.CollectionRequestEvent) error { return errors.New("collections are frozen") }})
			app.OnTerminate().BindFunc(func(*core.TerminateEvent) error { panic("terminate hook boom") })
			return nil
		},
	})
	su := app.CreateSuperuser("admin@example.com", "password123")
	js := map[string]string{"Content-Type": "application/json", "Authorization": su}
	cases := []struct {
		scenario tests.ApiScenario
		log      []string
	}{
		{tests.ApiScenario{Name: "request hook panics: 500", Method: "POST", URL: "/api/collections/things/records", Headers: js,
			Body: strings.NewReader(`{"kind":"panic"}`), ExpectedStatus: 500, ExpectedContent: []string{`"status":500`},
			NotExpectedContent: []string{"boom"}},
			[]string{"hook handler panicked", "hook=OnRecordCreateRequest", fmt.Sprintf("handler=server/hooks_log_test.go:%d", lines["request panic"]), "request hook boom"}},
		{tests.ApiScenario{Name: "model hook error: 400, nothing saved", Method: "POST", URL: "/api/collections/things/records", Headers: js,
			Body: strings.NewReader(`{"kind":"error"}`), ExpectedStatus: 400, NotExpectedContent: []string{"said no"},
			ExpectedEvents: map[string]int{"OnRecordAfterCreateSuccess": 0}},
			[]string{"hook handler returned an error", "hook=OnRecordCreate", "handler=kindValidator", "model hook said no"}},
		{tests.ApiScenario{Name: "list hook forgets e.Next(): empty answer", URL: "/api/collections/things/records", ExpectedStatus: 200,
			NotExpectedContent: []string{"items"}},
			[]string{"without calling e.Next()", "hook=OnRecordsListRequest", fmt.Sprintf("handler=server/hooks_log_test.go:%d", lines["forgot next"])}},
		{tests.ApiScenario{Name: "settings hook panics: 500", Method: "PATCH", URL: "/api/settings", Headers: js,
			Body: strings.NewReader(`{"meta":{"appName":"x"}}`), ExpectedStatus: 500},
			[]string{"hook handler panicked", "hook=OnSettingsUpdateRequest", "handler=settingsGuard", "settings hook boom"}},
		{tests.ApiScenario{Name: "collection request hook error: generic 400, nothing created", Method: "POST", URL: "/api/collections", Headers: js,
			Body: strings.NewReader(`{"name":"frozen","type":"base"}`), ExpectedStatus: 400, NotExpectedContent: []string{"frozen"},
			ExpectedEvents: map[string]int{"OnCollectionCreate": 0}},
			[]string{"hook handler returned an error", "hook=OnCollectionCreateRequest", "handler=noNewCollections", "collections are frozen"}},
	}
	for _, tc := range cases {
		t.Run(tc.scenario.Name, func(t *testing.T) {
			tc.scenario.Test(t, app)
			logLine := ""
			for _, l := range strings.Split(app.Logs(), "\n") {
				if strings.Contains(l, tc.log[0]) && strings.Contains(l, tc.log[1]) {
					logLine = l
				}
			}
			for _, want := range tc.log {
				if !strings.Contains(logLine, want) {
					t.Errorf("log line %.300q lacks %q", logLine, want)
				}
			}
		})
	}
	t.Run("terminate hook panics: Terminate reports it", func(t *testing.T) {
		err := app.App.Terminate()
		var pe *hook.PanicError
		if !errors.As(err, &pe) || !strings.Contains(app.Logs(), "hook=OnTerminate") {
			t.Fatalf("Terminate = %v; logs lack hook=OnTerminate", err)
		}
	})
}

// TestBootstrapHookPanicFailsOpen: a panicking OnBootstrap handler makes
// Open fail with an error naming it, instead of crashing the process.
func TestBootstrapHookPanicFailsOpen(t *testing.T) {
	logs := &lockedBuffer{}
	b := server.New(server.Config{Stderr: logs})
	b.OnOpen(func(app *core.App) error {
		app.OnBootstrap().Bind(&hook.Handler[*core.BootstrapEvent]{Id: "seed", Func: func(*core.BootstrapEvent) error { panic("no seed") }})
		return nil
	})
	pf := b.RootCmd.PersistentFlags()
	if err := errors.Join(pf.Set("dir", t.TempDir()), pf.Set("automigrate", "false")); err != nil {
		t.Fatal(err)
	}
	app, err := b.Open(context.Background())
	if err == nil {
		_ = app.Terminate()
		t.Fatal("Open succeeded")
	}
	if !strings.Contains(err.Error(), "handler seed panicked: no seed") || !strings.Contains(logs.String(), "hook=OnBootstrap handler=seed") {
		t.Fatalf("err %v; logs %s", err, logs.String())
	}
}
