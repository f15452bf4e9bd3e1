package api_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// TestModelHooks checks that the OnModel* hooks fire for records and
// collections at the same points as their own hooks, with expected
// counts, and that the documented abort/skip behaviours hold.
func TestModelHooks(t *testing.T) {
	hooks := &hookCounter{n: map[string]int{}}
	var order []string
	register := func(app *core.App) error {
		count := func(stage string) func(e *core.ModelEvent) error {
			return func(e *core.ModelEvent) error {
				kind := "record"
				if _, ok := e.Model.(*core.Collection); ok {
					kind = "collection"
				}
				hooks.inc(stage + ":" + kind)
				if c, ok := e.Model.(*core.Collection); ok && c.Name == "blocked" && stage == "create" {
					return errors.New("blocked by model hook")
				}
				if r, ok := e.Model.(*core.Record); ok && stage == "create" && r.GetString("title") == "skip" {
					return nil // no e.Next(): the save is skipped
				}
				return e.Next()
			}
		}
		app.OnModelValidate().BindFunc(count("validate"))
		app.OnModelCreate().BindFunc(count("create"))
		app.OnModelCreateExecute().BindFunc(count("createExecute"))
		app.OnModelAfterCreateSuccess().BindFunc(count("afterCreateSuccess"))
		app.OnModelAfterCreateError().BindFunc(count("afterCreateError"))
		app.OnModelUpdate().BindFunc(count("update"))
		app.OnModelUpdateExecute().BindFunc(count("updateExecute"))
		app.OnModelAfterUpdateSuccess().BindFunc(count("afterUpdateSuccess"))
		app.OnModelDelete().BindFunc(count("delete"))
		app.OnModelDeleteExecute().BindFunc(count("deleteExecute"))
		app.OnModelAfterDeleteSuccess().BindFunc(count("afterDeleteSuccess"))
		app.OnModelCreate("notes").BindFunc(func(e *core.ModelEvent) error {
			order = append(order, "model:"+e.Model.TableName())
			return e.Next()
		})
		app.OnRecordCreate("notes").BindFunc(func(e *core.RecordEvent) error {
			order = append(order, "record:"+e.Record.Collection().Name)
			return e.Next()
		})
		return nil
	}
	s := testenv.StartServer(t, register)
	ctx := context.Background()
	hooks.mu.Lock()
	hooks.n = map[string]int{} // bootstrap saves (superusers etc.) are not counted
	hooks.mu.Unlock()

	notes := core.NewBaseCollection("notes")
	notes.Fields.Add(&core.TextField{BaseField: core.BaseField{Name: "title"}})
	if err := s.App.SaveCollection(ctx, notes); err != nil {
		t.Fatal(err)
	}
	notes, _ = s.App.FindCollectionByNameOrId("notes")
	r := core.NewRecord(notes)
	r.Set("title", "a")
	if err := s.App.Save(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Set("title", "b")
	if err := s.App.Save(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.App.Delete(ctx, r); err != nil {
		t.Fatal(err)
	}

	// A handler without e.Next() skips the write; Save reports no error.
	skipped := core.NewRecord(notes)
	skipped.Set("title", "skip")
	if err := s.App.Save(ctx, skipped); err != nil {
		t.Fatal(err)
	}
	if got, err := s.App.FindRecordById(ctx, "notes", skipped.Id()); err == nil {
		t.Fatalf("skipped record was written: %v", got.Id())
	}
	// A handler error aborts the save with that error.
	blocked := core.NewBaseCollection("blocked")
	if err := s.App.SaveCollection(ctx, blocked); err == nil || err.Error() != "blocked by model hook" {
		t.Fatalf("want the hook error, got %v", err)
	}
	if _, err := s.App.FindCollectionByNameOrId("blocked"); err == nil {
		t.Fatal("blocked collection was created")
	}
	if err := s.App.DeleteCollection(ctx, notes); err != nil {
		t.Fatal(err)
	}

	want := map[string]int{
		"validate:collection": 1, "create:collection": 2, "createExecute:collection": 1, "afterCreateSuccess:collection": 1,
		"delete:collection": 1, "deleteExecute:collection": 1, "afterDeleteSuccess:collection": 1,
		"validate:record": 2, "create:record": 2, "createExecute:record": 1, "afterCreateSuccess:record": 1,
		"update:record": 1, "updateExecute:record": 1, "afterUpdateSuccess:record": 1,
		"delete:record": 1, "deleteExecute:record": 1, "afterDeleteSuccess:record": 1,
	}
	hooks.mu.Lock()
	got := hooks.n
	hooks.mu.Unlock()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s fired %d times, want %d", k, got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected %s fired %d times", k, n)
		}
	}
	if fmt.Sprint(order) != "[model:notes record:notes]" {
		t.Errorf("order = %v, want the model hook around the record hook", order)
	}
}
