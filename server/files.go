package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/telemetry"
	"github.com/basalthq/basalt/internal/files"
)

// fileStore adapts internal/files to core.FileStore. It serves from local
// disk (pb_data/storage) or, when settings.s3.enabled, from S3, and
// switches when the settings change (see BindApp).
type fileStore struct {
	local *files.Local
	// thumbs is shared by both backends: its single-flight key includes
	// the storage, so a switch never mixes results.
	thumbs files.Thumbs
	// newS3 builds the S3 storage from settings; tests may stub it.
	newS3 func(s core.S3Settings) (files.Storage, error)

	mu sync.RWMutex
	st files.Storage
	// s3 is the configuration st was built from (zero for local).
	s3 core.S3Settings
}

var (
	_ core.FileStore       = (*fileStore)(nil)
	_ core.FileStoreBinder = (*fileStore)(nil)
)

func newFileStore(dir string, fsync bool) (*fileStore, error) {
	local, err := files.NewLocal(dir)
	if local != nil {
		local.Sync = fsync
	}
	if err != nil {
		return nil, err
	}
	return &fileStore{local: local, st: local, newS3: newS3Storage}, nil
}

// newS3Storage builds an S3 storage from settings.s3 (spec §1.9).
func newS3Storage(s core.S3Settings) (files.Storage, error) {
	return files.NewS3(files.S3Config{
		Bucket: s.Bucket, Region: s.Region, Endpoint: s.Endpoint,
		AccessKey: s.AccessKey, Secret: s.Secret, ForcePathStyle: s.ForcePathStyle,
	})
}

// storage returns the backend currently in use.
func (f *fileStore) storage() files.Storage {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.st
}

// useSettings switches to S3 when s.Enabled, to local disk otherwise. An
// unusable S3 configuration keeps the current backend and is returned, so
// files are never silently written somewhere the operator did not choose.
// Existing files are not migrated, as in PocketBase.
func (f *fileStore) useSettings(s core.S3Settings) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !s.Enabled {
		f.st, f.s3 = f.local, core.S3Settings{}
		return nil
	}
	if s == f.s3 {
		return nil
	}
	st, err := f.newS3(s)
	if err != nil {
		return err
	}
	f.st, f.s3 = st, s
	return nil
}

// BindApp follows the app: the storage is picked from the settings once
// they are loaded (OnBootstrap) and again after every successful settings
// save; a deleted collection's files are removed with it (spec C5).
func (f *fileStore) BindApp(app *core.App) {
	logger := app.Logger()
	app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if err := f.useSettings(e.App.Settings().S3); err != nil {
			logger.Error("S3 file storage is enabled but unusable; keeping local storage", "err", err)
		}
		return nil
	})
	app.OnSettingsUpdate().BindFunc(func(e *core.SettingsUpdateEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if err := f.useSettings(e.App.Settings().S3); err != nil {
			logger.Error("S3 file storage is enabled but unusable; keeping the previous storage", "err", err)
		}
		return nil
	})
	app.OnCollectionAfterDeleteSuccess().BindFunc(func(e *core.CollectionEvent) error {
		if e.Collection != nil && e.Collection.Id != "" && !e.Collection.IsView() {
			if err := f.DeletePrefix(context.WithoutCancel(e.Context), e.Collection.Id+"/"); err != nil {
				logger.Warn("delete collection files", "collection", e.Collection.Id, "err", err)
			}
		}
		return e.Next()
	})
}

// Put stores an upload.
func (f *fileStore) Put(ctx context.Context, key string, file *core.File) (err error) {
	ctx, span := telemetry.Start(ctx, "files.put")
	defer func() { telemetry.End(span, err) }()
	r, err := file.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	return f.storage().Put(ctx, key, r, file.Size, file.ContentType)
}

// Delete removes key and its cached thumbnails.
func (f *fileStore) Delete(ctx context.Context, key string) (err error) {
	ctx, span := telemetry.Start(ctx, "files.delete")
	defer func() { telemetry.End(span, err) }()
	st := f.storage()
	if err := st.Delete(ctx, key); err != nil {
		return err
	}
	if err := st.DeletePrefix(ctx, files.ThumbsPrefix(key)); err != nil && !errors.Is(err, files.ErrNotFound) {
		return err
	}
	return nil
}

// DeletePrefix removes everything under prefix.
func (f *fileStore) DeletePrefix(ctx context.Context, prefix string) error {
	ctx, span := telemetry.Start(ctx, "files.delete_prefix")
	err := f.storage().DeletePrefix(ctx, prefix)
	telemetry.End(span, err)
	if errors.Is(err, files.ErrNotFound) {
		return nil
	}
	return err
}

// Prepare names an upload and records its detected type. Content that
// claims to be an image by its extension but is not one is refused as a
// field error: it would otherwise be stored and served under an image name.
func (f *fileStore) Prepare(file *core.File) error {
	r, err := file.Open()
	if err != nil {
		return err
	}
	head := make([]byte, files.SniffLen)
	n, err := io.ReadFull(r, head)
	r.Close()
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	if err := files.CheckImageClaim(head, file.OriginalName); err != nil {
		return core.NewFieldError("validation_file_content_mismatch",
			fmt.Sprintf("The content of %q does not match its file extension.", file.OriginalName),
			map[string]any{"file": file.OriginalName})
	}
	// The stored type is the sniffed one, without serve-time overrides by
	// extension: mimeTypes validation must judge the bytes, not the name.
	file.ContentType = files.DetectContentType(head, "")
	file.Name = files.NormalizeFilename(file.OriginalName, head, files.RandomString)
	return nil
}

// Open opens a stored file.
func (f *fileStore) Open(ctx context.Context, key string) (core.StoredFile, error) {
	ctx, span := telemetry.Start(ctx, "files.open")
	obj, err := f.storage().Open(ctx, key)
	telemetry.End(span, err)
	if err != nil {
		return nil, mapNotFound(err)
	}
	return obj, nil
}

// Thumb returns the key of the cached thumbnail of key at size,
// generating it once when missing.
func (f *fileStore) Thumb(ctx context.Context, key, size string) (_ string, err error) {
	ctx, span := telemetry.Start(ctx, "files.thumb")
	defer func() { telemetry.End(span, err) }()
	ts, err := files.ParseThumbSize(size)
	if err != nil {
		return "", err
	}
	st := f.storage()
	tkey := files.ThumbKey(key, ts)
	if ok, err := st.Exists(ctx, tkey); err == nil && ok {
		return tkey, nil
	}
	obj, err := f.thumbs.Get(ctx, st, key, ts)
	if err != nil {
		return "", mapNotFound(err)
	}
	obj.Close()
	return tkey, nil
}

// ServeFile writes a stored file with the spec's download headers.
func (f *fileStore) ServeFile(w http.ResponseWriter, r *http.Request, file core.StoredFile, name string, download bool) error {
	// core.StoredFile has files.Object's method set, so any implementation
	// (also one a hook substituted) can be served.
	return files.Serve(w, r, file, name, download)
}

// TestS3 checks an S3 configuration by writing, listing and deleting a
// probe object (spec S3).
func (f *fileStore) TestS3(ctx context.Context, s core.S3Settings) error {
	if !s.Enabled {
		return errors.New("S3 storage is not enabled")
	}
	st, err := f.newS3(s)
	if err != nil {
		return err
	}
	if t, ok := st.(interface{ Test(context.Context) error }); ok {
		return t.Test(ctx)
	}
	probe := "basalt_settings_test_" + files.RandomString(5) + "/test.txt"
	if err := st.Put(ctx, probe, strings.NewReader("test"), 4, "text/plain"); err != nil {
		return err
	}
	return st.Delete(ctx, probe)
}

// mapNotFound makes a missing key match core.ErrFileNotFound too.
func mapNotFound(err error) error {
	if errors.Is(err, files.ErrNotFound) {
		return fmt.Errorf("%w: %w", core.ErrFileNotFound, err)
	}
	return err
}
