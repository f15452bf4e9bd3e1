package api_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

type hookCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (h *hookCounter) inc(name string) {
	h.mu.Lock()
	h.n[name]++
	h.mu.Unlock()
}

func (h *hookCounter) get(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n[name]
}

func TestRecordHooksFire(t *testing.T) {
	hc := &hookCounter{n: map[string]int{}}
	register := func(app *core.App) error {
		bind := func(name string, h interface {
			BindFunc(func(e *core.RecordEvent) error) string
		}) {
			h.BindFunc(func(e *core.RecordEvent) error { hc.inc(name); return e.Next() })
		}
		bind("validate", app.OnRecordValidate("notes"))
		bind("create", app.OnRecordCreate("notes"))
		bind("createExecute", app.OnRecordCreateExecute("notes"))
		bind("afterCreateSuccess", app.OnRecordAfterCreateSuccess("notes"))
		bind("afterCreateError", app.OnRecordAfterCreateError("notes"))
		bind("update", app.OnRecordUpdate("notes"))
		bind("afterUpdateSuccess", app.OnRecordAfterUpdateSuccess("notes"))
		bind("afterUpdateError", app.OnRecordAfterUpdateError("notes"))
		bind("delete", app.OnRecordDelete("notes"))
		bind("afterDeleteSuccess", app.OnRecordAfterDeleteSuccess("notes"))
		bind("afterDeleteError", app.OnRecordAfterDeleteError("notes"))
		// A model hook that refuses to delete a kept record: the refusal
		// is a failed delete and reports AfterDeleteError.
		app.OnRecordDelete("notes").BindFunc(func(e *core.RecordEvent) error {
			if e.Record.GetString("title") == "keep" {
				return core.NewBadRequestError("Kept.", nil)
			}
			return e.Next()
		})
		// A request hook that refuses a title and one that rewrites the list.
		app.OnRecordCreateRequest("notes").BindFunc(func(e *core.RecordRequestEvent) error {
			if e.Record.GetString("title") == "forbidden" {
				return core.NewBadRequestError("Forbidden title.", nil)
			}
			return e.Next()
		})
		app.OnRecordsListRequest("notes").BindFunc(func(e *core.RecordsListRequestEvent) error {
			e.Result.PerPage = 7
			return e.Next()
		})
		return nil
	}
	s := testenv.StartServer(t, register)
	su := s.Superuser("admin@example.com", "password123")
	if st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "notes", "listRule": "", "createRule": "", "updateRule": "", "deleteRule": "",
		"fields": []any{map[string]any{"name": "title", "type": "text", "required": true}}}); st != 200 {
		t.Fatalf("collection: %d %v", st, b)
	}

	st, b := s.Do("POST", "/api/collections/notes/records", "", map[string]any{"title": "a"})
	if st != 200 {
		t.Fatalf("create: %d %v", st, b)
	}
	id := b["id"].(string)
	if st, _ := s.Do("POST", "/api/collections/notes/records", "", map[string]any{}); st != 400 {
		t.Fatalf("invalid create: %d", st)
	}
	if st, b := s.Do("POST", "/api/collections/notes/records", "", map[string]any{"title": "forbidden"}); st != 400 || b["message"] != "Forbidden title." {
		t.Fatalf("request hook: %d %v", st, b)
	}
	if st, _ := s.Do("PATCH", "/api/collections/notes/records/"+id, "", map[string]any{"title": "b"}); st != 200 {
		t.Fatalf("update: %d", st)
	}
	// an update refused by validation reports AfterUpdateError
	if st, _ := s.Do("PATCH", "/api/collections/notes/records/"+id, "", map[string]any{"title": ""}); st != 400 {
		t.Fatalf("invalid update: %d", st)
	}
	if st, b := s.Do("GET", "/api/collections/notes/records", "", nil); st != 200 || b["perPage"].(float64) != 7 {
		t.Fatalf("list hook: %d %v", st, b)
	}
	// Saves from Go fire the same model hooks.
	col, _ := s.App.FindCollectionByNameOrId("notes")
	rec := core.NewRecord(col)
	rec.Set("title", "from go")
	if err := s.App.Save(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	// A failing transaction reports AfterCreateError.
	txErr := errors.New("rollback")
	err := s.App.RunInTransaction(context.Background(), func(ctx context.Context) error {
		r := core.NewRecord(col)
		r.Set("title", "rolled back")
		if err := s.App.Save(ctx, r); err != nil {
			return err
		}
		return txErr
	})
	if !errors.Is(err, txErr) {
		t.Fatalf("tx err = %v", err)
	}
	if st, _ := s.Do("DELETE", "/api/collections/notes/records/"+id, "", nil); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	kept := core.NewRecord(col)
	kept.Set("title", "keep")
	if err := s.App.Save(context.Background(), kept); err != nil {
		t.Fatal(err)
	}
	if st, b := s.Do("DELETE", "/api/collections/notes/records/"+kept.Id(), "", nil); st != 400 || b["message"] != "Kept." {
		t.Fatalf("refused delete: %d %v", st, b)
	}

	want := map[string]int{
		// API create a, invalid create, forbidden (no model hooks: stopped
		// at the request hook), Go save, rolled-back save, the kept record.
		"create":             5,
		"validate":           7, // 5 creates + 2 updates
		"createExecute":      4,
		"afterCreateSuccess": 3,
		// as PocketBase: every failed save reports after-error, a refused
		// validation as much as a rolled-back transaction
		"afterCreateError":   2,
		"update":             2,
		"afterUpdateSuccess": 1,
		"afterUpdateError":   1,
		"delete":             2,
		"afterDeleteSuccess": 1,
		"afterDeleteError":   1,
	}
	for name, n := range want {
		if got := hc.get(name); got != n {
			t.Errorf("%s fired %d times, want %d", name, got, n)
		}
	}
}

func TestCollectionHooksFire(t *testing.T) {
	hc := &hookCounter{n: map[string]int{}}
	register := func(app *core.App) error {
		bind := func(name string, h interface {
			BindFunc(func(e *core.CollectionEvent) error) string
		}) {
			h.BindFunc(func(e *core.CollectionEvent) error { hc.inc(name); return e.Next() })
		}
		bind("validate", app.OnCollectionValidate())
		bind("create", app.OnCollectionCreate())
		bind("createExecute", app.OnCollectionCreateExecute())
		bind("afterCreateSuccess", app.OnCollectionAfterCreateSuccess())
		bind("afterCreateError", app.OnCollectionAfterCreateError())
		bind("update", app.OnCollectionUpdate("things"))
		bind("updateExecute", app.OnCollectionUpdateExecute("things"))
		bind("afterUpdateSuccess", app.OnCollectionAfterUpdateSuccess("things"))
		bind("delete", app.OnCollectionDelete())
		bind("deleteExecute", app.OnCollectionDeleteExecute())
		bind("afterDeleteSuccess", app.OnCollectionAfterDeleteSuccess())
		// A validate hook may refuse a change with a field error.
		app.OnCollectionValidate().BindFunc(func(e *core.CollectionEvent) error {
			if e.Collection.Name == "forbidden" {
				return core.ValidationErrors{"name": core.NewFieldError("validation_custom", "Not this name.", nil)}
			}
			return e.Next()
		})
		return nil
	}
	s := testenv.StartServer(t, register)
	base := map[string]int{}
	for k, v := range hc.n {
		base[k] = v // system migrations save without validation
	}
	su := s.Superuser("admin@example.com", "password123")
	if st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "things"}); st != 200 {
		t.Fatalf("create: %d %v", st, b)
	}
	if st, b := s.Do("POST", "/api/collections", su, map[string]any{"name": "forbidden"}); st != 400 || !strings.Contains(toJSON(b), "validation_custom") {
		t.Fatalf("hook refusal: %d %v", st, b)
	}
	if st, b := s.Do("PATCH", "/api/collections/things", su, map[string]any{"listRule": ""}); st != 200 {
		t.Fatalf("update: %d %v", st, b)
	}
	if st, b := s.Do("DELETE", "/api/collections/things", su, nil); st != 204 {
		t.Fatalf("delete: %d %v", st, b)
	}
	want := map[string]int{"validate": 3, "create": 2, "createExecute": 1, "afterCreateSuccess": 1, "afterCreateError": 0,
		"update": 1, "updateExecute": 1, "afterUpdateSuccess": 1, "delete": 1, "deleteExecute": 1, "afterDeleteSuccess": 1}
	for name, n := range want {
		if got := hc.get(name) - base[name]; got != n {
			t.Errorf("%s fired %d times, want %d", name, got, n)
		}
	}
}

// TestPasswordHashedBeforeTheWrite: bcrypt takes tens of milliseconds and
// all writes share one writer, so a password is hashed before the save's
// transaction starts: inside it (execute hooks) the value is already a
// hash.
func TestPasswordHashedBeforeTheWrite(t *testing.T) {
	seen := make(chan core.PasswordValue, 1)
	s := testenv.StartServer(t, func(app *core.App) error {
		app.OnRecordCreateExecute("users").BindFunc(func(e *core.RecordEvent) error {
			pv, _ := e.Record.Get("password").(core.PasswordValue)
			select {
			case seen <- pv:
			default:
			}
			return e.Next()
		})
		return nil
	})
	if st, b := s.Do("POST", "/api/collections/users/records", "", map[string]any{
		"email": "hash@example.com", "password": "password123", "passwordConfirm": "password123",
	}); st != 200 {
		t.Fatalf("create: %d %v", st, b)
	}
	pv := <-seen
	if pv.Plain != "" || !strings.HasPrefix(pv.Hash, "$2") {
		t.Fatalf("inside the transaction the password is %+v, want only a bcrypt hash", pv)
	}
	if st, b := s.Do("POST", "/api/collections/users/auth-with-password", "", map[string]any{
		"identity": "hash@example.com", "password": "password123",
	}); st != 200 {
		t.Fatalf("login: %d %v", st, b)
	}
}
