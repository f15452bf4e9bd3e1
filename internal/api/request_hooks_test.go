package api_test

import (
	"net/http"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/testenv"
)

// TestCollectionSettingsBatchRequestHooks checks that the collection,
// settings and batch request hooks fire once per request, that a handler
// error answers in the error shape and changes nothing, and that a
// handler without e.Next() stops the default action.
func TestCollectionSettingsBatchRequestHooks(t *testing.T) {
	hooks := &hookCounter{n: map[string]int{}}
	register := func(app *core.App) error {
		app.OnCollectionsListRequest().BindFunc(func(e *core.CollectionsListRequestEvent) error {
			hooks.inc("collectionsList")
			return e.Next()
		})
		app.OnCollectionViewRequest().BindFunc(func(e *core.CollectionRequestEvent) error {
			hooks.inc("collectionView")
			return e.Next()
		})
		app.OnCollectionCreateRequest().BindFunc(func(e *core.CollectionRequestEvent) error {
			hooks.inc("collectionCreate")
			if e.Collection.Name == "forbidden" {
				return core.NewBadRequestError("No collections named forbidden.", nil)
			}
			return e.Next()
		})
		app.OnCollectionUpdateRequest().BindFunc(func(e *core.CollectionRequestEvent) error {
			hooks.inc("collectionUpdate")
			return e.Next()
		})
		app.OnCollectionDeleteRequest("keepme").BindFunc(func(e *core.CollectionRequestEvent) error {
			hooks.inc("collectionDelete:keepme")
			// No e.Next(): the default delete does not run.
			return e.JSON(http.StatusAccepted, map[string]any{"kept": e.Collection.Name})
		})
		app.OnCollectionDeleteRequest().BindFunc(func(e *core.CollectionRequestEvent) error {
			hooks.inc("collectionDelete")
			return e.Next()
		})
		app.OnSettingsListRequest().BindFunc(func(e *core.SettingsListRequestEvent) error {
			hooks.inc("settingsList")
			return e.Next()
		})
		app.OnSettingsUpdateRequest().BindFunc(func(e *core.SettingsUpdateRequestEvent) error {
			hooks.inc("settingsUpdate")
			if e.NewSettings.Meta.AppName == "bad" {
				return core.NewBadRequestError("Bad app name.", nil)
			}
			return e.Next()
		})
		app.OnBatchRequest().BindFunc(func(e *core.BatchRequestEvent) error {
			hooks.inc("batch")
			if len(e.Requests) > 1 {
				return core.NewBadRequestError("One request per batch.", nil)
			}
			return e.Next()
		})
		return nil
	}
	s := testenv.StartServer(t, register)
	su := s.Superuser("admin@example.com", "password123")

	steps := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
		wantHook   string
	}{
		{"list", "GET", "/api/collections", nil, 200, "collectionsList"},
		{"create", "POST", "/api/collections", map[string]any{"name": "notes", "type": "base", "fields": []any{map[string]any{"name": "title", "type": "text"}}}, 200, "collectionCreate"},
		{"create keepme", "POST", "/api/collections", map[string]any{"name": "keepme", "type": "base"}, 200, "collectionCreate"},
		{"create rejected by hook", "POST", "/api/collections", map[string]any{"name": "forbidden", "type": "base"}, 400, "collectionCreate"},
		{"view", "GET", "/api/collections/notes", nil, 200, "collectionView"},
		{"update", "PATCH", "/api/collections/notes", map[string]any{"listRule": ""}, 200, "collectionUpdate"},
		{"delete stopped by hook", "DELETE", "/api/collections/keepme", nil, 202, "collectionDelete:keepme"},
		{"delete", "DELETE", "/api/collections/notes", nil, 204, "collectionDelete"},
		{"settings list", "GET", "/api/settings", nil, 200, "settingsList"},
		{"settings update", "PATCH", "/api/settings", map[string]any{"batch": map[string]any{"enabled": true, "maxRequests": 10}}, 200, "settingsUpdate"},
		{"settings update rejected", "PATCH", "/api/settings", map[string]any{"meta": map[string]any{"appName": "bad"}}, 400, "settingsUpdate"},
		{"create items", "POST", "/api/collections", map[string]any{"name": "items", "type": "base", "createRule": ""}, 200, "collectionCreate"},
		{"batch", "POST", "/api/batch", map[string]any{"requests": []any{map[string]any{"method": "POST", "url": "/api/collections/items/records"}}}, 200, "batch"},
		{"batch rejected", "POST", "/api/batch", map[string]any{"requests": []any{
			map[string]any{"method": "POST", "url": "/api/collections/items/records"}, map[string]any{"method": "POST", "url": "/api/collections/items/records"}}}, 400, "batch"},
	}
	for _, st := range steps {
		before := hooks.get(st.wantHook)
		status, body := s.Do(st.method, st.path, su, st.body)
		if status != st.wantStatus {
			t.Fatalf("%s: status %d %v, want %d", st.name, status, body, st.wantStatus)
		}
		if status >= 400 && (body["status"] != float64(status) || body["message"] == "") {
			t.Fatalf("%s: not the error shape: %v", st.name, body)
		}
		if got := hooks.get(st.wantHook) - before; got != 1 {
			t.Fatalf("%s: %s fired %d times, want 1", st.name, st.wantHook, got)
		}
	}
	// The rejected and stopped requests changed nothing.
	for _, tc := range []struct {
		name   string
		exists bool
	}{{"forbidden", false}, {"keepme", true}, {"notes", false}} {
		if _, err := s.App.FindCollectionByNameOrId(tc.name); (err == nil) != tc.exists {
			t.Errorf("collection %s exists=%v, want %v", tc.name, err == nil, tc.exists)
		}
	}
	if recs, err := s.App.FindRecordsByFilter(t.Context(), "items", "", "", 0, 0, nil); err != nil || len(recs) != 1 {
		t.Errorf("items after the batches: %d %v, want 1 (the rejected batch wrote nothing)", len(recs), err)
	}
	if s.App.Settings().Meta.AppName == "bad" {
		t.Error("rejected settings update was saved")
	}
	if hooks.get("collectionDelete") != 1 {
		t.Errorf("the untagged delete hook fired %d times, want 1 (keepme's chain stopped before it)", hooks.get("collectionDelete"))
	}
}
