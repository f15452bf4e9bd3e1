package core

import (
	"context"
	"errors"
	"sort"
	"strings"
)

// autoBackup is the __pbAutoBackup__ job: a backup named
// @auto_pb_backup_<app>_<time>.zip, then rotation down to cronMaxKeep
// automatic backups (the others are never touched).
func (app *App) autoBackup(ctx context.Context) error {
	err := app.createBackup(ctx, app.backupName(autoBackupPrefix))
	app.metrics.Backup("create", err)
	if err != nil {
		return err
	}
	return app.rotateAutoBackups(ctx, app.Settings().Backups.CronMaxKeep)
}

// rotateAutoBackups deletes the oldest automatic backups beyond keep.
func (app *App) rotateAutoBackups(ctx context.Context, keep int) error {
	if keep < 1 {
		keep = 1
	}
	st, err := app.backupStorage()
	if err != nil {
		return err
	}
	list, err := st.List(ctx)
	if err != nil {
		return err
	}
	var autos []BackupFile
	for _, b := range list {
		if strings.HasPrefix(b.Key, autoBackupPrefix) {
			autos = append(autos, b)
		}
	}
	// Newest first: by modification time, then by name (which embeds the
	// creation time) for backups written within the same instant.
	sort.Slice(autos, func(i, j int) bool {
		if !autos[i].Modified.Equal(autos[j].Modified) {
			return autos[i].Modified.After(autos[j].Modified)
		}
		return autos[i].Key > autos[j].Key
	})
	var errs []error
	for i := keep; i < len(autos); i++ {
		if err := st.Delete(ctx, autos[i].Key); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// syncAutoBackupCron makes the __pbAutoBackup__ job follow
// settings.backups.cron: removed when empty, (re)scheduled otherwise.
func (app *App) syncAutoBackupCron() {
	expr := app.Settings().Backups.Cron
	app.cron.Remove(CronAutoBackup)
	if expr == "" {
		return
	}
	if err := app.cron.Add(CronAutoBackup, expr, app.autoBackup); err != nil {
		app.logger.Warn("schedule auto backups", "cron", expr, "err", err)
	}
}
