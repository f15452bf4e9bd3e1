package server

// Backups of a PostgreSQL database (issue #26 item 3) are portable
// archives (see portable.go): there is no data dir file to snapshot or
// swap. A restore checks the archive, then loads it over the current
// data in one transaction and moves the archive's files in: the running
// server serves the restored data at once, without a restart.

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/cli"
	"github.com/basalthq/basalt/internal/store"
	"github.com/basalthq/basalt/internal/store/dialect/sqlite"
)

// portableArchive is an opened, checked portable archive.
type portableArchive struct {
	zr      *zip.ReadCloser
	doc     portableDoc
	entries map[string]*zip.File
	counts  []core.CollectionCount
}

func (a *portableArchive) Close() error { return a.zr.Close() }

// isPortableDir reports whether the extracted archive at dir is a
// portable one (its manifest at the top).
func isPortableDir(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, portableManifest))
	return err == nil && st.Mode().IsRegular()
}

// openPortable opens the zip at zipPath (already through
// core.ExtractBackupArchive's checks of names and sizes) and checks that
// it is a portable archive Basalt can load: the manifest's format, every
// collection readable with an id and a name, every entry the manifest,
// records of a listed collection (each line a JSON object) or a file
// under storage/. It counts the records of each collection.
func openPortable(zipPath string) (*portableArchive, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", core.ErrBadArchive, fmt.Sprintf(format, args...))
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return nil, bad("not a zip archive: %v", err)
	}
	a := &portableArchive{zr: zr, entries: map[string]*zip.File{}}
	fail := func(err error) (*portableArchive, error) {
		zr.Close()
		return nil, err
	}
	for _, f := range zr.File {
		a.entries[f.Name] = f
	}
	if a.entries[portableManifest] == nil {
		if a.entries["data.db"] != nil {
			return fail(bad("this is a SQLite data dir backup; a server on PostgreSQL restores portable archives (its own backups, `basalt export`): load it with `basalt import` instead"))
		}
		return fail(bad("no %s: not a Basalt backup", portableManifest))
	}
	if err := readZipJSON(a.entries[portableManifest], &a.doc); err != nil {
		return fail(bad("%s: %v", portableManifest, err))
	}
	if a.doc.Format != portableFormat {
		return fail(bad("unsupported archive format %q (want %s)", a.doc.Format, portableFormat))
	}
	names := map[string]string{}
	for _, raw := range a.doc.Collections {
		var c core.Collection
		if err := json.Unmarshal(raw, &c); err != nil {
			return fail(bad("collection: %v", err))
		}
		if c.Id == "" || c.Name == "" {
			return fail(bad("a collection without id or name"))
		}
		names[c.Id] = c.Name
	}
	for name, f := range a.entries {
		switch {
		case name == portableManifest, strings.HasPrefix(name, "storage/"):
		case strings.HasPrefix(name, "records/") && strings.HasSuffix(name, ".jsonl"):
			id := strings.TrimSuffix(strings.TrimPrefix(name, "records/"), ".jsonl")
			col, ok := names[id]
			if !ok {
				return fail(bad("%s: records of a collection the archive does not list", name))
			}
			n, err := countRecords(f)
			if err != nil {
				return fail(bad("%s: %v", name, err))
			}
			a.counts = append(a.counts, core.CollectionCount{Collection: col, Records: n})
		default:
			return fail(bad("unexpected entry %q", name))
		}
	}
	sort.Slice(a.counts, func(i, j int) bool { return a.counts[i].Collection < a.counts[j].Collection })
	return a, nil
}

// countRecords counts the JSON objects of a records entry.
func countRecords(f *zip.File) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	var n int64
	for {
		var row map[string]json.RawMessage
		if err := dec.Decode(&row); errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, fmt.Errorf("record %d: %w", n+1, err)
		}
		n++
	}
}

// restorePortable restores the portable archive at zipPath into the
// running app: the archive is checked (names, sizes and entry count by
// core.ExtractBackupArchive, which also stages its files; then
// openPortable) before anything changes; the database is emptied and
// loaded in one transaction (a failure changes nothing); then the staged
// files replace storageDir and the app reloads its collections and
// settings, so it serves the restored data without a restart.
func restorePortable(ctx context.Context, app *core.App, storageDir, zipPath string) error {
	st, err := storeOf(app)
	if err != nil {
		return err
	}
	tmp, err := app.TempDir("restore")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	staged := filepath.Join(tmp, "data")
	if err := os.Mkdir(staged, 0o700); err != nil {
		return err
	}
	if err := core.ExtractBackupArchive(ctx, zipPath, staged, app.BackupLimits()); err != nil {
		return err
	}
	a, err := openPortable(zipPath)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := loadPortable(ctx, app, st, &a.doc, a.entries, map[string]*core.Collection{}, true); err != nil {
		return fmt.Errorf("load the archive (nothing was changed): %w", err)
	}
	// The database now holds the archive's records: their files follow.
	// The previous files go only once the new ones are in place.
	newFiles := filepath.Join(staged, "storage")
	if _, err := os.Stat(newFiles); errors.Is(err, os.ErrNotExist) {
		if err := os.Mkdir(newFiles, 0o755); err != nil {
			return err
		}
	}
	oldFiles := filepath.Join(tmp, "storage-old")
	if err := os.Rename(storageDir, oldFiles); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("move the previous files aside: %w", err)
	}
	if err := os.Rename(newFiles, storageDir); err != nil {
		_ = os.Rename(oldFiles, storageDir)
		return fmt.Errorf("move the restored files in place: %w", err)
	}
	if err := app.ReloadCollections(ctx); err != nil {
		return err
	}
	return app.ReloadSettings(ctx)
}

// restoreBackupInPlace is `basalt backup restore NAME` on PostgreSQL:
// the stored backup fetched to a scratch file and restored in place.
// (With a server running, restore through the API instead: it reloads
// that server's caches.)
func restoreBackupInPlace(ctx context.Context, app *core.App, dir, name string, out io.Writer) error {
	defer app.Terminate()
	// A server on the same data dir would keep serving its caches of the
	// replaced data: refused as on SQLite (it holds a shared lock).
	unlock, err := lockDataDir(dir, true)
	if err != nil {
		return err
	}
	defer unlock()
	tmp, err := app.TempDir("fetch")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	zipPath := filepath.Join(tmp, "archive.zip")
	if err := app.FetchBackup(ctx, name, zipPath); err != nil {
		return err
	}
	if err := restorePortable(ctx, app, filepath.Join(dir, "storage"), zipPath); err != nil {
		return err
	}
	fmt.Fprintf(out, "restored %s into the database\n", name)
	return nil
}

// servePortableRestores installs the API restore of a server on
// PostgreSQL: the restore runs while the request waits and the server
// keeps serving (no restart).
func servePortableRestores(app *core.App, dir string) {
	app.SetInPlaceBackupRestorer(func(ctx context.Context, name string) error {
		tmp, err := app.TempDir("fetch")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		zipPath := filepath.Join(tmp, "archive.zip")
		if err := app.FetchBackup(ctx, name, zipPath); err != nil {
			return err
		}
		return restorePortable(ctx, app, filepath.Join(dir, "storage"), zipPath)
	})
}

// onPostgres reports whether app's database is a PostgreSQL server.
func onPostgres(app *core.App) bool {
	st, err := storeOf(app)
	return err == nil && st.DB().Dialect.Name() == "postgres"
}

// importDataDir is `basalt import DIR` for a SQLite data dir: a
// PocketBase pb_data (v0.23 and later, the schema Basalt shares) or a
// Basalt one. The source is never changed: its data.db is copied into a
// scratch dir, opened there as a Basalt app (which brings the copy's
// schema up to Basalt's), exported to a portable archive with the
// source's storage/ files, and that archive imported into app.
func importDataDir(ctx context.Context, app *core.App, g cli.Global, srcDir string, out io.Writer) error {
	tmp, err := app.TempDir("import")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	copyDir := filepath.Join(tmp, "data")
	if err := os.Mkdir(copyDir, 0o700); err != nil {
		return err
	}
	if err := store.CopyDataFile(ctx, sqlite.Dialect{}, srcDir, copyDir); err != nil {
		return fmt.Errorf("%s is not a data dir Basalt can import: %w", srcDir, err)
	}
	src, err := open(ctx, cli.Global{Dir: copyDir, EncryptionEnv: g.EncryptionEnv, MigrationsDir: filepath.Join(tmp, "no_migrations")}, io.Discard, nil)
	if err != nil {
		return fmt.Errorf("open %s: %w", srcDir, err)
	}
	archive := filepath.Join(tmp, "archive.zip")
	_, err = writePortable(ctx, src, filepath.Join(srcDir, "storage"), archive, true)
	if cerr := src.Terminate(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", srcDir, err)
	}
	return importArchive(ctx, app, filepath.Join(g.Dir, "storage"), archive, out)
}
