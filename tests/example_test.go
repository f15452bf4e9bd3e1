package tests_test

import (
	"strings"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/tests"
)

// A test of a custom route with a guard, written as a scenario table. It
// needs the *testing.T of a Test function, so this example is compiled
// but not run; examples/notes has the same shape as a running test.
func ExampleRunScenarios() {
	testHello := func(t *testing.T) {
		app := tests.NewTestApp(t, tests.Options{
			Collections: []byte(`[{"name": "notes", "type": "base", "listRule": "", "fields": [{"name": "text", "type": "text"}]}]`),
			OnOpen: func(app *core.App) error {
				app.OnServe().BindFunc(func(se *core.ServeEvent) error {
					se.Router.POST("/hello", func(e *core.RequestEvent) error {
						return e.JSON(200, map[string]any{"hello": e.Auth.Email()})
					}).Bind(core.RequireAuth("users"))
					return se.Next()
				})
				return nil
			},
		})
		_, token := app.CreateAuthRecord("users", "ann@example.com", "password123")
		app.CreateRecord("notes", map[string]any{"text": "seeded"})
		tests.RunScenarios(t, app, []tests.ApiScenario{
			{Name: "guest", Method: "POST", URL: "/hello", ExpectedStatus: 401},
			{Name: "user", Method: "POST", URL: "/hello", Headers: map[string]string{"Authorization": token},
				Body: strings.NewReader(`{}`), ExpectedStatus: 200, ExpectedContent: []string{`"hello":"ann@example.com"`}},
			{Name: "seeded note", URL: "/api/collections/notes/records", Headers: map[string]string{"Authorization": token},
				ExpectedStatus: 200, ExpectedEvents: map[string]int{"OnRecordsListRequest": 1}},
		})
	}
	_ = testHello // a Test function: func TestHello(t *testing.T) { ... }
}
