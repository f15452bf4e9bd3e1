package core

import "testing"

// TestModelHooksLazy pins the zero-cost property: until an OnModel*
// accessor is called, the record and collection chains hold no proxy, so
// hook.Hook's zero-handler fast path stays on the record hot path.
func TestModelHooksLazy(t *testing.T) {
	t.Parallel()
	app := NewApp(Config{DataDir: t.TempDir()}, nil)
	chains := map[string]func() int{
		"record create":     app.onRecordCreate.Length,
		"record validate":   app.onRecordValidate.Length,
		"record delete":     app.onRecordAfterDeleteSuccess.Length,
		"collection update": app.onCollectionUpdate.Length,
	}
	for name, n := range chains {
		if n() != 0 {
			t.Fatalf("%s: %d handlers before any OnModel* call, want 0", name, n())
		}
	}
	app.OnModelUpdate()
	app.OnModelCreate() // a second accessor must not bind twice
	for name, n := range chains {
		if n() != 1 {
			t.Fatalf("%s: %d handlers after OnModel*, want exactly the proxy", name, n())
		}
	}
}
