package server_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// TestTransactionMisuseFailsFast: inside a write transaction, a save with
// a context that does not carry the transaction — RunInTransaction's outer
// context, context.Background() in a record hook — fails at once with
// core.ErrWriteOutsideTransaction (an HTTP request answers with an
// error) instead of deadlocking the single writer; the transaction rolls
// back, and later writes and the shutdown work. Issue #22 (11).
func TestTransactionMisuseFailsFast(t *testing.T) {
	t.Parallel()
	s := testenv.StartServer(t, func(app *core.App) error {
		app.OnRecordCreateExecute("notes").BindFunc(func(e *core.RecordEvent) error {
			if e.Record.GetString("title") == "misuse" {
				other := core.NewRecord(e.Record.Collection())
				other.Set("title", "from the hook")
				if err := e.App.Save(context.Background(), other); err != nil {
					return err
				}
			}
			return e.Next()
		})
		return nil
	})
	su := s.Superuser("admin@example.com", "password123")
	if st, body := s.Do("POST", "/api/collections", su, map[string]any{
		"name": "notes", "createRule": "", "listRule": "",
		"fields": []any{map[string]any{"name": "title", "type": "text"}},
	}); st != 200 {
		t.Fatalf("collection: %d %v", st, body)
	}
	col, err := s.App.FindCollectionByNameOrId("notes")
	if err != nil {
		t.Fatal(err)
	}
	bounded := func(t *testing.T, what string, fn func() error) error {
		t.Helper()
		res := make(chan error, 1)
		go func() { res <- fn() }()
		select {
		case err := <-res:
			return err
		case <-time.After(10 * time.Second):
			t.Fatalf("%s still blocked after 10 s (the writer is deadlocked)", what)
			return nil
		}
	}
	count := func(t *testing.T) int {
		t.Helper()
		recs, err := s.App.FindRecordsByFilter(context.Background(), "notes", "", "", 0, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}

	t.Run("RunInTransaction saving with the outer context", func(t *testing.T) {
		ctx := context.Background()
		err := bounded(t, "RunInTransaction", func() error {
			return s.App.RunInTransaction(ctx, func(txCtx context.Context) error {
				inTx := core.NewRecord(col)
				inTx.Set("title", "in the transaction")
				if err := s.App.Save(txCtx, inTx); err != nil {
					return err
				}
				outside := core.NewRecord(col)
				outside.Set("title", "outer context")
				return s.App.Save(ctx, outside)
			})
		})
		if !errors.Is(err, core.ErrWriteOutsideTransaction) {
			t.Fatalf("err = %v, want core.ErrWriteOutsideTransaction", err)
		}
		if n := count(t); n != 0 {
			t.Fatalf("%d records after the rolled-back transaction, want 0", n)
		}
	})
	t.Run("record hook saving with context.Background over HTTP", func(t *testing.T) {
		var st int
		var body map[string]any
		_ = bounded(t, "the create request", func() error {
			st, body = s.Do("POST", "/api/collections/notes/records", "", map[string]any{"title": "misuse"})
			return nil
		})
		if st < 400 {
			t.Fatalf("create with a misbehaving hook: %d %v, want an error", st, body)
		}
		if n := count(t); n != 0 {
			t.Fatalf("%d records after the failed create, want 0", n)
		}
	})
	t.Run("later writes work", func(t *testing.T) {
		if st, body := s.Do("POST", "/api/collections/notes/records", "", map[string]any{"title": "fine"}); st != 200 {
			t.Fatalf("create: %d %v", st, body)
		}
		if n := count(t); n != 1 {
			t.Fatalf("%d records, want 1", n)
		}
	})
	t.Run("the app still terminates", func(t *testing.T) {
		if err := bounded(t, "Terminate", s.App.Terminate); err != nil {
			t.Fatalf("terminate: %v", err)
		}
	})
}
