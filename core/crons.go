package core

import (
	"context"
	"time"

	"github.com/basalthq/basalt/core/cron"
)

// The system cron jobs, with PocketBase's ids and schedules (spec §1.12),
// so dashboards and SDKs that list or run them by id work unchanged.
const (
	CronLogsCleanup = "__pbLogsCleanup__"
	CronOTPCleanup  = "__pbOTPCleanup__"
	CronMFACleanup  = "__pbMFACleanup__"
)

// cronStopTimeout bounds how long Terminate waits for running jobs.
const cronStopTimeout = 10 * time.Second

// Cron returns the app's job scheduler. Hooks and migrations add, remove
// and list jobs on it (app.Cron().MustAdd(id, "@daily", fn)); `serve`
// starts it and Terminate stops it. System jobs are already registered
// (ids starting with __pb); to reschedule one, Remove it and Add it again.
func (app *App) Cron() *cron.Scheduler { return app.cron }

// registerSystemCrons adds Basalt's own jobs. The automatic backup job
// (__pbAutoBackup__) is not among them: it follows settings.backups.cron,
// so syncAutoBackupCron adds or removes it whenever settings load or save.
func (app *App) registerSystemCrons() {
	app.cron.MustAdd(CronLogsCleanup, "0 */6 * * *", func(ctx context.Context) error {
		_, err := app.CleanupLogs(ctx)
		return err
	})
	app.cron.MustAdd(CronOTPCleanup, "0 * * * *", func(ctx context.Context) error {
		_, err := app.CleanupExpiredOTPs(ctx)
		return err
	})
	app.cron.MustAdd(CronMFACleanup, "0 * * * *", func(ctx context.Context) error {
		_, err := app.CleanupExpiredMFAs(ctx)
		return err
	})
}

// stopCron stops the scheduler for Terminate: no new runs, running jobs
// cancelled and waited for (bounded) before the store closes under them.
func (app *App) stopCron() {
	ctx, cancel := context.WithTimeout(context.Background(), cronStopTimeout)
	defer cancel()
	if err := app.cron.Stop(ctx); err != nil {
		app.logger.Warn("stop cron jobs", "err", err)
	}
}
