package core

import (
	"context"
	"errors"
)

// BackupRestorer restores the backup name into the running app: it checks
// the archive before anything changes (returning the check's error with
// nothing changed) and then arranges for the app to come back on the
// restored data. The server installs it while serving.
type BackupRestorer func(ctx context.Context, name string) error

// SetBackupRestorer installs how a running app restores a backup.
func (app *App) SetBackupRestorer(r BackupRestorer) {
	b := app.backups()
	b.mu.Lock()
	b.restorer, b.inPlace = r, false
	b.mu.Unlock()
}

// SetInPlaceBackupRestorer installs a restorer that loads the archive
// into the running app and returns once it serves the restored data
// (PostgreSQL): the app is not busy after it, whatever its outcome.
func (app *App) SetInPlaceBackupRestorer(r BackupRestorer) {
	b := app.backups()
	b.mu.Lock()
	b.restorer, b.inPlace = r, true
	b.mu.Unlock()
}

// RestoreBackup restores the stored backup key (spec §1.11 K6): missing
// or malformed keys give ErrBackupNotFound, a running backup or restore
// ErrBackupBusy. Once the restorer accepted the archive the app stays
// busy until it restarts on the restored data.
func (app *App) RestoreBackup(ctx context.Context, key string) (err error) {
	defer func() { app.metrics.Backup("restore", err) }()
	if !ValidBackupKey(key) {
		return ErrBackupNotFound
	}
	st, err := app.backupStorage()
	if err != nil {
		return ErrBackupNotFound
	}
	if ok, err := st.Exists(ctx, key); err != nil || !ok {
		return ErrBackupNotFound
	}
	b := app.backups()
	b.mu.Lock()
	restorer, inPlace := b.restorer, b.inPlace
	b.mu.Unlock()
	if restorer == nil {
		return NewBadRequestError("Restoring needs the server stopped: run `basalt backup restore "+key+"`.", nil)
	}
	release, err := app.acquireBackup(key)
	if err != nil {
		return err
	}
	e := &BackupEvent{App: app, Context: ctx, Name: key}
	err = app.backups().onRestore.Trigger(e, func(e *BackupEvent) error {
		if err := restorer(e.Context, e.Name); err != nil {
			app.logger.Error("restore backup", "name", e.Name, "err", err)
			if errors.Is(err, ErrBackupNotFound) {
				return ErrBackupNotFound
			}
			return NewBadRequestError("Failed to restore backup: the archive failed its check.", nil).WithCause(err)
		}
		return nil
	})
	if err != nil || inPlace {
		release()
	}
	return err
}
