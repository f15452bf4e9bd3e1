package server_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/server"
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
