// Package hooks is where this build's custom business logic lives: Go
// hooks and custom routes bound to the app before it starts.
package hooks

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/basalthq/basalt/core"
)

// ExpiringCollection names the collection whose records the example cron
// job deletes once their `expires` date has passed. A build without such
// a collection is not affected.
const ExpiringCollection = "expiring"

// ExpiredRecordsJob is the id of the example cron job.
const ExpiredRecordsJob = "deleteExpiredRecords"

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

	// Example cron job: every ten minutes, delete the records of the
	// "expiring" collection whose `expires` date has passed. Superusers
	// see it in GET /api/crons and can run it with POST
	// /api/crons/deleteExpiredRecords.
	return app.Cron().Add(ExpiredRecordsJob, "*/10 * * * *", func(ctx context.Context) error {
		return deleteExpired(ctx, app)
	})
}

// deleteExpired deletes up to 1,000 expired records per run (the next run
// takes the rest), so one run never holds the writer for long.
func deleteExpired(ctx context.Context, app *core.App) error {
	if _, err := app.FindCollectionByNameOrId(ExpiringCollection); err != nil {
		return nil // nothing to do in this build
	}
	recs, err := app.FindRecordsByFilter(ctx, ExpiringCollection, "expires != '' && expires < {:now}", "", 1000, 0,
		map[string]any{"now": core.FormatTime(app.Now())})
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range recs {
		errs = append(errs, app.Delete(ctx, r))
	}
	return errors.Join(errs...)
}
