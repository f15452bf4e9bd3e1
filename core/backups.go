package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/basalthq/basalt/core/hook"
	"github.com/basalthq/basalt/core/telemetry"
)

// CronAutoBackup is PocketBase's id of the automatic backup job (spec
// §1.11), scheduled by settings.backups.cron.
const CronAutoBackup = "__pbAutoBackup__"

// autoBackupPrefix starts the names of automatic backups; rotation
// (settings.backups.cronMaxKeep) only ever deletes backups named so.
const autoBackupPrefix = "@auto_pb_backup_"

// TempDirName is the data dir's scratch directory (PocketBase's name):
// backups build their archives there and it is never archived itself.
const TempDirName = ".pb_temp_to_delete"

// BackupsDirName is the data dir's directory of local backups.
const BackupsDirName = "backups"

// Snapshotter is the Store capability backups need: consistent copies of
// the databases (data.db, auxiliary.db) written into dir while writes go
// on. internal/store implements it.
type Snapshotter interface {
	Snapshot(ctx context.Context, dir string) error
}

// CollectionCount is the number of records of one collection, as
// `backup verify` reports it.
type CollectionCount struct {
	Collection string `json:"collection"`
	Records    int64  `json:"records"`
}

// BackupFile is one stored backup (GET /api/backups item, spec §1.11 K1).
type BackupFile struct {
	Key      string    `json:"key"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"-"`
}

// MarshalJSON writes modified in the API's datetime format.
func (b BackupFile) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"key": b.Key, "size": b.Size, "modified": FormatTime(b.Modified)})
}

// BackupStorage stores backup archives by name: pb_data/backups or the
// settings.backups.s3 bucket. The server installs it (SetBackupStorage)
// and picks the backend from the current settings on every call.
type BackupStorage interface {
	// List returns every stored backup.
	List(ctx context.Context) ([]BackupFile, error)
	// Exists reports whether a backup named key is stored.
	Exists(ctx context.Context, key string) (bool, error)
	// Put stores size bytes of r under key; a failed Put leaves nothing.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Open opens the backup key (an error wrapping ErrFileNotFound when
	// missing).
	Open(ctx context.Context, key string) (StoredFile, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// BackupLimits bounds what a backup archive may be.
type BackupLimits struct {
	// MaxArchiveSize is the largest archive accepted by upload and by
	// restore/verify, in bytes (default 16 GiB).
	MaxArchiveSize int64
	// MaxExtractedSize is the most an archive may expand to (default
	// 64 GiB); an archive declaring or yielding more is refused.
	MaxExtractedSize int64
	// MaxEntries is the most files an archive may hold (default 10M).
	MaxEntries int
}

func (l BackupLimits) withDefaults() BackupLimits {
	if l.MaxArchiveSize <= 0 {
		l.MaxArchiveSize = 16 << 30
	}
	if l.MaxExtractedSize <= 0 {
		l.MaxExtractedSize = 64 << 30
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = 10_000_000
	}
	return l
}

// BackupEvent is given to OnBackupCreate and OnBackupRestore handlers.
// A handler may change Name before calling e.Next(), or return an error
// to stop the operation.
type BackupEvent struct {
	hook.Event
	App     *App
	Context context.Context
	// Name is the backup's key.
	Name string
}

// backupState is the backups part of the App.
type backupState struct {
	mu      sync.Mutex
	storage BackupStorage
	limits  BackupLimits
	// busy is set while a backup or restore runs (one at a time, spec
	// §1.11 K2); inUse is the name it reads or writes.
	busy  bool
	inUse string

	restorer BackupRestorer
	// inPlace: the restorer loads the archive into the running app
	// (PostgreSQL) instead of handing it to a restart.
	inPlace bool
	// writer, when set, writes the archive instead of the data dir
	// snapshot (PostgreSQL: the portable archive).
	writer BackupWriter

	onCreate  *hook.Hook[*BackupEvent]
	onRestore *hook.Hook[*BackupEvent]
}

func (app *App) backups() *backupState {
	app.backupsOnce.Do(func() {
		app.backupsVal = &backupState{
			onCreate:  &hook.Hook[*BackupEvent]{},
			onRestore: &hook.Hook[*BackupEvent]{},
		}
	})
	return app.backupsVal
}

// OnBackupCreate wraps every backup creation (API, CLI, cron); the final
// handler writes the archive.
func (app *App) OnBackupCreate() *hook.Hook[*BackupEvent] { return app.backups().onCreate }

// OnBackupRestore wraps every restore (API and CLI); the final handler
// checks the archive and swaps the data dir (the CLI) or hands it to the
// server's restart (the API).
func (app *App) OnBackupRestore() *hook.Hook[*BackupEvent] { return app.backups().onRestore }

// BackupWriter writes a complete backup archive into the new file
// zipPath. The server installs one for engines whose data is not files
// in the data dir (PostgreSQL: the portable archive of `basalt export`).
type BackupWriter func(ctx context.Context, zipPath string) error

// SetBackupWriter installs how backups are written (nil: the data dir
// with snapshots of its SQLite databases).
func (app *App) SetBackupWriter(w BackupWriter) {
	b := app.backups()
	b.mu.Lock()
	b.writer = w
	b.mu.Unlock()
}

// SetBackupStorage installs where backups are kept.
func (app *App) SetBackupStorage(s BackupStorage) {
	b := app.backups()
	b.mu.Lock()
	b.storage = s
	b.mu.Unlock()
}

// SetBackupLimits sets the archive limits (zero fields keep defaults).
func (app *App) SetBackupLimits(l BackupLimits) {
	b := app.backups()
	b.mu.Lock()
	b.limits = l
	b.mu.Unlock()
}

// BackupLimits returns the archive limits in force.
func (app *App) BackupLimits() BackupLimits {
	b := app.backups()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.limits.withDefaults()
}

// Backup errors with PocketBase's messages (spec §1.11).
var (
	ErrBackupBusy     = NewBadRequestError("Try again later - another backup/restore process has already been started.", nil)
	ErrBackupInUse    = NewBadRequestError("The backup is currently being used and cannot be deleted.", nil)
	ErrBackupNotFound = NewBadRequestError("Missing or invalid backup file.", nil)
)

func (app *App) backupStorage() (BackupStorage, error) {
	b := app.backups()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.storage == nil {
		return nil, errors.New("backups: no storage installed")
	}
	return b.storage, nil
}

// BackupRunning reports whether a backup or restore is running now (the
// health endpoint's canBackup is its negation, as in PocketBase).
func (app *App) BackupRunning() bool {
	b := app.backups()
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.busy
}

// acquireBackup marks a backup/restore as running on name, or returns
// ErrBackupBusy; release undoes it.
func (app *App) acquireBackup(name string) (release func(), err error) {
	b := app.backups()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.busy {
		return nil, ErrBackupBusy
	}
	b.busy, b.inUse = true, name
	return func() {
		b.mu.Lock()
		b.busy, b.inUse = false, ""
		b.mu.Unlock()
	}, nil
}

var (
	// backupNamePattern is what a client may name a new backup (spec
	// §1.11 K2).
	backupNamePattern = regexp.MustCompile(`^[a-z0-9_-]+\.zip$`)
	// backupKeyPattern is what an existing backup key may look like:
	// PocketBase's names, auto backups (@auto_...) and uploaded names; no
	// separators, no leading dot, no "..".
	backupKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_@-][A-Za-z0-9_@.-]{0,149}$`)
)

// ValidBackupKey reports whether key can name a stored backup: a plain
// file name of at most 150 characters without path separators or "..".
func ValidBackupKey(key string) bool {
	return backupKeyPattern.MatchString(key) && !strings.Contains(key, "..")
}

// snakeName turns an app name into PocketBase's snake case for backup
// names ("My App" and "MyApp" → "my_app").
func snakeName(s string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			if prevLower {
				b.WriteByte('_')
			}
			b.WriteRune(r + 'a' - 'A')
			prevLower = false
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			prevLower = true
		default:
			b.WriteByte('_')
			prevLower = false
		}
	}
	out := regexp.MustCompile(`_+`).ReplaceAllString(b.String(), "_")
	return strings.Trim(out, "_")
}

// backupName is a generated backup name: prefix + snake app name + UTC
// timestamp (spec §1.11 K2).
func (app *App) backupName(prefix string) string {
	return prefix + snakeName(app.Settings().Meta.AppName) + "_" + app.Now().Format("20060102150405") + ".zip"
}

func backupValidation(field, code, msg string) error {
	return NewBadRequestError("An error occurred while validating the submitted data.",
		ValidationErrors{field: NewFieldError(code, msg, nil)})
}

// ListBackups lists the stored backups in the storage's order (by key).
func (app *App) ListBackups(ctx context.Context) ([]BackupFile, error) {
	st, err := app.backupStorage()
	if err != nil {
		return nil, NewBadRequestError("Failed to load backups filesystem.", nil).WithCause(err)
	}
	list, err := st.List(ctx)
	if err != nil {
		return nil, NewBadRequestError("Failed to retrieve backup items. Raw error: \n"+err.Error(), nil).WithCause(err)
	}
	if list == nil {
		list = []BackupFile{}
	}
	return list, nil
}

// CreateBackup archives the data dir as name (generated when empty) into
// the backup storage and returns the name. The databases are copied
// online, so writes continue meanwhile (see Snapshotter).
func (app *App) CreateBackup(ctx context.Context, name string) (string, error) {
	if name == "" {
		name = app.backupName("pb_backup_")
	} else if len(name) > 150 {
		return "", backupValidation("name", "validation_length_out_of_range", "The length must be between 1 and 150.")
	} else if !backupNamePattern.MatchString(name) {
		return "", backupValidation("name", "validation_match_invalid", "Must be in a valid format.")
	}
	ctx, span := telemetry.Start(ctx, "backup.create")
	err := app.createBackup(ctx, name)
	telemetry.End(span, err)
	app.metrics.Backup("create", err)
	return name, err
}

func (app *App) createBackup(ctx context.Context, name string) error {
	st, err := app.backupStorage()
	if err != nil {
		return NewBadRequestError("Failed to create backup.", nil).WithCause(err)
	}
	if ok, err := st.Exists(ctx, name); err != nil {
		return NewBadRequestError("Failed to create backup.", nil).WithCause(err)
	} else if ok {
		return backupValidation("name", "validation_backup_name_exists", "The backup file name is invalid or already exists.")
	}
	release, err := app.acquireBackup(name)
	if err != nil {
		return err
	}
	defer release()
	e := &BackupEvent{App: app, Context: ctx, Name: name}
	return app.backups().onCreate.Trigger(e, func(e *BackupEvent) error {
		if !ValidBackupKey(e.Name) {
			return NewBadRequestError("Failed to create backup.", nil)
		}
		if err := app.writeBackup(e.Context, st, e.Name); err != nil {
			app.logger.Error("create backup", "name", e.Name, "err", err)
			return NewBadRequestError("Failed to create backup.", nil).WithCause(err)
		}
		return nil
	})
}

// writeBackup writes the archive into a scratch dir (the installed
// BackupWriter, else snapshots of the databases zipped with the rest of
// the data dir) and stores it; the scratch dir goes on every path.
func (app *App) writeBackup(ctx context.Context, st BackupStorage, name string) error {
	b := app.backups()
	b.mu.Lock()
	writer := b.writer
	b.mu.Unlock()
	tmp, err := app.TempDir("backup")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	zipPath := filepath.Join(tmp, "archive.zip")
	if writer != nil {
		if err := writer(ctx, zipPath); err != nil {
			return err
		}
	} else {
		snap, ok := app.store.(Snapshotter)
		if !ok {
			return errors.New("backups: the store cannot take snapshots")
		}
		dbDir := filepath.Join(tmp, "db")
		if err := os.Mkdir(dbDir, 0o700); err != nil {
			return err
		}
		if err := snap.Snapshot(ctx, dbDir); err != nil {
			return err
		}
		if err := writeArchive(ctx, zipPath, app.config.DataDir, dbDir); err != nil {
			return err
		}
	}
	f, err := os.Open(zipPath)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	return st.Put(ctx, name, f, info.Size())
}

// TempDir makes a new scratch directory under the data dir's
// .pb_temp_to_delete (same file system as the data, never archived).
// The caller removes it.
func (app *App) TempDir(prefix string) (string, error) {
	base := filepath.Join(app.config.DataDir, TempDirName)
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", err
	}
	return os.MkdirTemp(base, prefix+"_")
}

// OpenBackup opens the stored backup key for reading (download). A key
// that is malformed or missing gives a 404-worthy ErrFileNotFound.
func (app *App) OpenBackup(ctx context.Context, key string) (StoredFile, error) {
	if !ValidBackupKey(key) {
		return nil, fmt.Errorf("%w: %q", ErrFileNotFound, key)
	}
	st, err := app.backupStorage()
	if err != nil {
		return nil, err
	}
	return st.Open(ctx, key)
}

// DeleteBackup removes the stored backup key (spec §1.11 K5).
func (app *App) DeleteBackup(ctx context.Context, key string) error {
	missing := func(err error) error {
		msg := "Invalid or already deleted backup file. Raw error: \n"
		if err != nil {
			msg += err.Error()
		}
		return NewBadRequestError(msg, nil)
	}
	if !ValidBackupKey(key) {
		return missing(errors.New("invalid backup key"))
	}
	b := app.backups()
	b.mu.Lock()
	inUse := b.busy && b.inUse == key
	b.mu.Unlock()
	if inUse {
		return ErrBackupInUse
	}
	st, err := app.backupStorage()
	if err != nil {
		return missing(err)
	}
	if ok, err := st.Exists(ctx, key); err != nil || !ok {
		if err == nil {
			err = ErrFileNotFound
		}
		return missing(err)
	}
	if err := st.Delete(ctx, key); err != nil {
		return missing(err)
	}
	return nil
}

// UploadBackup stores an uploaded archive under name (spec §1.11 K3):
// the content must be a zip no larger than MaxArchiveSize and the name a
// free, valid backup key. The upload is spooled to a scratch file first,
// removed on every path.
func (app *App) UploadBackup(ctx context.Context, name string, r io.Reader) error {
	if !ValidBackupKey(name) || !strings.HasSuffix(name, ".zip") {
		return backupValidation("file", "validation_invalid_name", "The backup file name is invalid.")
	}
	st, err := app.backupStorage()
	if err != nil {
		return NewBadRequestError("Failed to upload backup.", nil).WithCause(err)
	}
	if ok, err := st.Exists(ctx, name); err != nil {
		return NewBadRequestError("Failed to upload backup.", nil).WithCause(err)
	} else if ok {
		return backupValidation("file", "validation_backup_name_exists", "The backup file name is invalid or already exists.")
	}
	tmp, err := app.TempDir("upload")
	if err != nil {
		return NewBadRequestError("Failed to upload backup.", nil).WithCause(err)
	}
	defer os.RemoveAll(tmp)
	f, err := os.Create(filepath.Join(tmp, "upload.zip"))
	if err != nil {
		return NewBadRequestError("Failed to upload backup.", nil).WithCause(err)
	}
	defer f.Close()
	max := app.BackupLimits().MaxArchiveSize
	n, err := io.Copy(f, io.LimitReader(r, max+1))
	if err != nil {
		return NewBadRequestError("Failed to upload backup.", nil).WithCause(err)
	}
	if n > max {
		return backupValidation("file", "validation_file_size_limit",
			fmt.Sprintf("Failed to upload %q - the maximum allowed file size is %v bytes.", name, max))
	}
	head := make([]byte, 512)
	k, _ := f.ReadAt(head, 0)
	if http.DetectContentType(head[:k]) != "application/zip" {
		return backupValidation("file", "validation_invalid_mime_type",
			fmt.Sprintf("%q mime type must be one of: application/zip.", name))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return NewBadRequestError("Failed to upload backup.", nil).WithCause(err)
	}
	release, err := app.acquireBackup(name)
	if err != nil {
		return err
	}
	defer release()
	if err := st.Put(ctx, name, f, n); err != nil {
		return NewBadRequestError("Failed to upload backup.", nil).WithCause(err)
	}
	return nil
}

// FetchBackup copies the stored backup key into the local file dest
// (for verify and restore, which need random access to the zip). A
// missing or malformed key gives ErrBackupNotFound.
func (app *App) FetchBackup(ctx context.Context, key, dest string) error {
	if !ValidBackupKey(key) {
		return ErrBackupNotFound
	}
	st, err := app.backupStorage()
	if err != nil {
		return err
	}
	src, err := st.Open(ctx, key)
	if err != nil {
		if errors.Is(err, ErrFileNotFound) {
			return ErrBackupNotFound
		}
		return err
	}
	defer src.Close()
	if src.Size() > app.BackupLimits().MaxArchiveSize {
		return fmt.Errorf("backup %s is larger than the archive limit", key)
	}
	out, err := os.Create(dest)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
