package core

import (
	"errors"
	"io"
	"time"

	"github.com/basalthq/basalt/core/hook"
)

// ErrFileNotFound is matched (errors.Is) by FileStore errors for keys that
// do not exist.
var ErrFileNotFound = errors.New("file not found")

// StoredFile is an open stored file: a seekable reader plus metadata.
type StoredFile interface {
	io.ReadSeekCloser
	// Size is the file's length in bytes.
	Size() int64
	// ModTime is when the file was written (zero when unknown).
	ModTime() time.Time
	// ContentType is the type recorded at upload, "" when the storage does
	// not record one; serving detects the type from the bytes instead.
	ContentType() string
}

// FileStoreBinder is implemented by a FileStore that follows the app: it
// is bound once by SetFileStore, e.g. to switch between local and S3
// storage when settings change.
type FileStoreBinder interface {
	BindApp(app *App)
}

// FileDownloadRequestEvent wraps GET/HEAD /api/files/{collection}/{id}/{name}
// (spec §1.6 F2) after the record, field and access were resolved.
// Handlers may change ServedKey, ServedName or Download before calling
// e.Next(); the final handler opens ServedKey and writes it.
type FileDownloadRequestEvent struct {
	RequestEvent
	Collection *Collection
	Record     *Record
	FileField  *FileField
	// ServedKey is the storage key about to be served: the original file
	// or its thumbnail.
	ServedKey string
	// ServedName is the name given in Content-Disposition: the stored
	// name, or "<size>_<name>" for a thumbnail.
	ServedName string
	// Download forces "Content-Disposition: attachment".
	Download bool
	// ThumbError is why a requested thumbnail is not served (unsupported
	// size or image, generation failure); the original is served instead.
	ThumbError error
}

// Tags returns the collection id and name.
func (e *FileDownloadRequestEvent) Tags() []string {
	return []string{e.Collection.Id, e.Collection.Name}
}

// FileTokenRequestEvent wraps POST /api/files/token (spec §1.6 F1).
// Handlers may replace Token; the final handler writes {"token": Token}.
type FileTokenRequestEvent struct {
	RequestEvent
	// Record is the authenticated record the token is issued for.
	Record *Record
	// Token is the signed file token.
	Token string
}

// Tags returns the collection id and name of the authenticated record.
func (e *FileTokenRequestEvent) Tags() []string {
	if e.Record == nil {
		return nil
	}
	c := e.Record.Collection()
	return []string{c.Id, c.Name}
}

// fileHooks are the file request hook points of one App.
type fileHooks struct {
	download *hook.Hook[*FileDownloadRequestEvent]
	token    *hook.Hook[*FileTokenRequestEvent]
}

func (app *App) fileHooks() *fileHooks {
	app.fileHooksOnce.Do(func() {
		app.fileHooksVal = &fileHooks{
			download: &hook.Hook[*FileDownloadRequestEvent]{},
			token:    &hook.Hook[*FileTokenRequestEvent]{},
		}
	})
	return app.fileHooksVal
}

// OnFileDownloadRequest wraps file downloads (spec §1.6 F2), tagged by
// the collection id or name. It fires after access was granted.
func (app *App) OnFileDownloadRequest(tags ...string) *hook.TaggedHook[*FileDownloadRequestEvent] {
	return tagged(app.fileHooks().download, tags)
}

// OnFileTokenRequest wraps POST /api/files/token (spec §1.6 F1), tagged
// by the authenticated record's collection id or name.
func (app *App) OnFileTokenRequest(tags ...string) *hook.TaggedHook[*FileTokenRequestEvent] {
	return tagged(app.fileHooks().token, tags)
}

// TriggerFileDownloadRequest runs the download chain with final as the
// default handler (the HTTP layer calls it).
func (app *App) TriggerFileDownloadRequest(e *FileDownloadRequestEvent, final func(*FileDownloadRequestEvent) error) error {
	return app.fileHooks().download.Trigger(e, final)
}

// TriggerFileTokenRequest runs the file token chain with final as the
// default handler (the HTTP layer calls it).
func (app *App) TriggerFileTokenRequest(e *FileTokenRequestEvent, final func(*FileTokenRequestEvent) error) error {
	return app.fileHooks().token.Trigger(e, final)
}
