package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/files"
	"github.com/basalthq/basalt/internal/store"
	"github.com/basalthq/basalt/internal/store/dialect/sqlite"
)

// backupStorage adapts internal/files to core.BackupStorage: the data
// dir's backups/ folder, or the settings.backups.s3 bucket when enabled
// (the backend is chosen from the current settings on every call, so a
// settings change applies at once).
type backupStorage struct {
	app   *core.App
	local *files.Local

	mu     sync.Mutex
	s3     files.Storage
	s3Conf core.S3Settings
}

var _ core.BackupStorage = (*backupStorage)(nil)

func newBackupStorage(app *core.App, dataDir string) (*backupStorage, error) {
	local, err := files.NewLocal(filepath.Join(dataDir, core.BackupsDirName))
	if err != nil {
		return nil, err
	}
	return &backupStorage{app: app, local: local}, nil
}

func (b *backupStorage) storage() (files.Storage, error) {
	conf := b.app.Settings().Backups.S3
	if !conf.Enabled {
		return b.local, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.s3 == nil || b.s3Conf != conf {
		st, err := newS3Storage(conf)
		if err != nil {
			return nil, fmt.Errorf("backups s3: %w", err)
		}
		b.s3, b.s3Conf = st, conf
	}
	return b.s3, nil
}

// List lists the archives (by key), skipping anything that is not a
// valid backup name (e.g. another tool's objects in a shared bucket).
func (b *backupStorage) List(ctx context.Context) ([]core.BackupFile, error) {
	st, err := b.storage()
	if err != nil {
		return nil, err
	}
	objs, err := st.List(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make([]core.BackupFile, 0, len(objs))
	for _, o := range objs {
		if core.ValidBackupKey(o.Key) {
			out = append(out, core.BackupFile{Key: o.Key, Size: o.Size, Modified: o.ModTime})
		}
	}
	return out, nil
}

// Exists reports whether key is stored.
func (b *backupStorage) Exists(ctx context.Context, key string) (bool, error) {
	st, err := b.storage()
	if err != nil {
		return false, err
	}
	return st.Exists(ctx, key)
}

// Put stores an archive.
func (b *backupStorage) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	st, err := b.storage()
	if err != nil {
		return err
	}
	return st.Put(ctx, key, r, size, "application/zip")
}

// Open opens an archive.
func (b *backupStorage) Open(ctx context.Context, key string) (core.StoredFile, error) {
	st, err := b.storage()
	if err != nil {
		return nil, err
	}
	obj, err := st.Open(ctx, key)
	if err != nil {
		return nil, mapNotFound(err)
	}
	return obj, nil
}

// Delete removes an archive.
func (b *backupStorage) Delete(ctx context.Context, key string) error {
	st, err := b.storage()
	if err != nil {
		return err
	}
	return st.Delete(ctx, key)
}

// checkBackup fetches the backup name into a scratch dir of app, unpacks
// it into dest (which must not exist) and runs every check of a restore
// on it (zip entries, sizes, integrity_check, recognisable schema). It
// returns the record counts per collection; on failure dest is removed.
func checkBackup(ctx context.Context, app *core.App, name, dest string) (counts []core.CollectionCount, err error) {
	tmp, err := app.TempDir("restore")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	zipPath := filepath.Join(tmp, "archive.zip")
	if err := app.FetchBackup(ctx, name, zipPath); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dest, 0o700); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dest)
		}
	}()
	if err := core.ExtractBackupArchive(ctx, zipPath, dest, app.BackupLimits()); err != nil {
		return nil, err
	}
	if isPortableDir(dest) {
		// A portable archive (a PostgreSQL backup, `basalt export`): it
		// cannot become a data dir, only be loaded (verify reports it).
		a, err := openPortable(zipPath)
		if err != nil {
			return nil, err
		}
		a.Close()
		return a.counts, errPortableArchive
	}
	return store.CheckDataDir(ctx, sqlite.Dialect{}, dest)
}

// errPortableArchive is checkBackup's answer for a sound portable
// archive, which a SQLite server cannot swap in as its data dir.
var errPortableArchive = fmt.Errorf("%w: a portable archive (a PostgreSQL backup or `basalt export`), not a data dir: load it into a fresh data dir with `basalt import`", core.ErrBadArchive)

// verifyBackup is `basalt backup verify NAME`: the checks of a restore on
// a scratch copy, and the record count of every collection.
func verifyBackup(ctx context.Context, app *core.App, name string, out io.Writer) error {
	tmp, err := app.TempDir("verify")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	counts, err := checkBackup(ctx, app, name, filepath.Join(tmp, "data"))
	if errors.Is(err, errPortableArchive) {
		err = nil // sound; only not a data dir
	}
	if err != nil {
		return fmt.Errorf("backup %s failed its check: %w", name, err)
	}
	fmt.Fprintf(out, "backup %s is valid\n", name)
	for _, c := range counts {
		fmt.Fprintf(out, "%s\t%d\n", c.Collection, c.Records)
	}
	return nil
}

// Sibling directories of the data dir used by a restore; renames between
// siblings are atomic on one file system.
func restoreNewDir(dir string) string { return filepath.Clean(dir) + ".restore-new" }
func restoreOldDir(dir string) string { return filepath.Clean(dir) + ".restore-old" }

// restoreBackup is `basalt backup restore NAME` (the server must be
// stopped). It checks the archive in a sibling dir before anything
// changes, closes app, swaps the directories by rename, and keeps the
// previous data dir until the restored one has opened and passed its
// integrity check, putting it back otherwise. A crash at any point leaves
// either the old or the new data dir in place: recoverRestore finishes
// or undoes the swap at the next start.
func restoreBackup(ctx context.Context, app *core.App, dir, name string, out io.Writer) error {
	unlock, err := lockDataDir(dir, true)
	if err != nil {
		app.Terminate()
		return err
	}
	defer unlock()
	newDir, oldDir := restoreNewDir(dir), restoreOldDir(dir)
	if _, err := os.Stat(oldDir); err == nil {
		app.Terminate()
		return fmt.Errorf("an earlier restore is unfinished (%s exists); start the server once to settle it", oldDir)
	}
	_ = os.RemoveAll(newDir)
	e := &core.BackupEvent{App: app, Context: ctx, Name: name}
	closed := false
	err = app.OnBackupRestore().Trigger(e, func(e *core.BackupEvent) error {
		if _, err := checkBackup(e.Context, app, e.Name, newDir); err != nil {
			return err
		}
		// The local backups stay where they are: they are no part of an
		// archive, and the one being restored may be among them.
		closed = true
		if err := app.Terminate(); err != nil {
			os.RemoveAll(newDir)
			return fmt.Errorf("close the data dir: %w", err)
		}
		return swapDataDir(e.Context, dir)
	})
	if err != nil {
		os.RemoveAll(newDir)
		if !closed {
			app.Terminate()
		}
		return err
	}
	fmt.Fprintf(out, "restored %s into %s\n", name, dir)
	return nil
}

// swapDataDir puts restoreNewDir(dir) in place of dir. Order: dir →
// .restore-old, .restore-new → dir, backups/ moved across, the new dir
// checked, .restore-old removed. recoverRestore completes or undoes any
// prefix of this sequence.
func swapDataDir(ctx context.Context, dir string) error {
	newDir, oldDir := restoreNewDir(dir), restoreOldDir(dir)
	if err := os.Rename(dir, oldDir); err != nil {
		return fmt.Errorf("move the current data dir aside: %w", err)
	}
	if err := os.Rename(newDir, dir); err != nil {
		if rerr := os.Rename(oldDir, dir); rerr != nil {
			return errors.Join(err, rerr)
		}
		return fmt.Errorf("move the restored data dir in place: %w", err)
	}
	return settleRestore(ctx, dir)
}

// errRestoreRolledBack reports a restored data dir that failed its check
// after the swap and was replaced by the previous one again.
var errRestoreRolledBack = errors.New("the restored data dir failed its check, the previous one is back")

// settleRestore finishes a swap whose new dir is in place and whose old
// dir is still kept: it moves the local backups across, checks the new
// dir (open, integrity_check, schema) and drops the old dir; if the check
// fails the old dir is put back and the error returned.
func settleRestore(ctx context.Context, dir string) error {
	oldDir := restoreOldDir(dir)
	oldBackups := filepath.Join(oldDir, core.BackupsDirName)
	newBackups := filepath.Join(dir, core.BackupsDirName)
	if _, err := os.Stat(oldBackups); err == nil {
		if _, err := os.Stat(newBackups); errors.Is(err, os.ErrNotExist) {
			if err := os.Rename(oldBackups, newBackups); err != nil {
				return err
			}
		}
	}
	if _, err := store.CheckDataDir(ctx, sqlite.Dialect{}, dir); err != nil {
		// Put the previous data dir back (its backups with it).
		_ = os.Rename(newBackups, oldBackups)
		failed := filepath.Clean(dir) + ".restore-failed"
		_ = os.RemoveAll(failed)
		if rerr := os.Rename(dir, failed); rerr != nil {
			return errors.Join(err, rerr)
		}
		if rerr := os.Rename(oldDir, dir); rerr != nil {
			return errors.Join(err, rerr)
		}
		_ = os.RemoveAll(failed)
		return fmt.Errorf("%w: %w", errRestoreRolledBack, err)
	}
	return os.RemoveAll(oldDir)
}

// recoverRestore settles a restore interrupted by a crash, before the
// data dir is opened: with only the old dir left, it is put back; with
// both in place, the restore is completed (or undone if the new dir does
// not pass its check). A partial .restore-new is discarded.
func recoverRestore(ctx context.Context, dir string, logger *slog.Logger) error {
	newDir, oldDir := restoreNewDir(dir), restoreOldDir(dir)
	if _, err := os.Stat(oldDir); err == nil {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			if err := os.Rename(oldDir, dir); err != nil {
				return fmt.Errorf("put back the data dir of an interrupted restore: %w", err)
			}
		} else if err := settleRestore(ctx, dir); errors.Is(err, errRestoreRolledBack) {
			logger.Error("an interrupted restore was undone", "err", err)
		} else if err != nil {
			return err
		} else {
			logger.Info("an interrupted restore was completed")
		}
	}
	if _, err := os.Stat(newDir); err == nil {
		return os.RemoveAll(newDir)
	}
	return nil
}

// installBackups gives app its backup storage.
func installBackups(app *core.App, dir string) error {
	bs, err := newBackupStorage(app, dir)
	if err != nil {
		return err
	}
	app.SetBackupStorage(bs)
	return nil
}

// serveRestores installs the API restore for a serving app: the archive
// is fetched and checked into the sibling .restore-new dir while the
// request waits (a bad archive answers 400 with nothing changed); then
// the returned channel tells Serve to shut down gracefully (the 204 is
// delivered first) and restartOnRestored swaps the dirs and re-executes.
func serveRestores(app *core.App, dir string) <-chan struct{} {
	restart := make(chan struct{}, 1)
	app.SetBackupRestorer(func(ctx context.Context, name string) error {
		newDir := restoreNewDir(dir)
		_ = os.RemoveAll(newDir)
		if _, err := checkBackup(ctx, app, name, newDir); err != nil {
			return err
		}
		select {
		case restart <- struct{}{}:
		default:
		}
		return nil
	})
	return restart
}

// restartOnRestored closes the app, swaps the checked data dir in (or puts
// the previous one back if the restored one fails its check after the
// swap) and re-executes the process with its original arguments, as
// PocketBase does, so the server comes back on the restored data.
func restartOnRestored(ctx context.Context, app *core.App, dir string) error {
	logger := app.Logger()
	if err := app.Terminate(); err != nil {
		logger.Error("restore: close the data dir", "err", err)
	}
	if err := swapDataDir(ctx, dir); err != nil {
		logger.Error("restore failed, restarting on the previous data", "err", err)
		_ = os.RemoveAll(restoreNewDir(dir))
	} else {
		logger.Info("backup restored, restarting")
	}
	return reexec()
}
