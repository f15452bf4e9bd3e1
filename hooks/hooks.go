// Package hooks is where this build's custom business logic lives: Go
// hooks and custom routes bound to the app before it starts.
package hooks

import (
	"net/http"
	"strings"

	"github.com/basalthq/basalt/core"
)

// Register binds this build's hooks. It is called from main for every
// opened app, before bootstrap.
func Register(app *core.App) error {
	// Example custom route: GET /api/hello answers with the app name.
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.Add(http.MethodGet, "/api/hello", func(re *core.RequestEvent) error {
			return re.JSON(http.StatusOK, map[string]string{"message": "Hello from " + re.App.Settings().Meta.AppName})
		})
		return e.Next()
	})

	// Example settings hook: application names are stored without
	// surrounding whitespace, whoever saves them.
	app.OnSettingsUpdate().BindFunc(func(e *core.SettingsUpdateEvent) error {
		e.NewSettings.Meta.AppName = strings.TrimSpace(e.NewSettings.Meta.AppName)
		return e.Next()
	})
	return nil
}
