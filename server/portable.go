package server

// Portable archives (issue #26 item 3): `basalt export` writes the schema,
// the records, the settings, the applied migrations and the local files
// of a database of either engine into one zip; `basalt import` loads it
// into an empty database of either engine. Values are written as the
// fields store them (Field.ToDB), never as an engine's raw cells, so a
// SQLite 1 comes back as PostgreSQL's true and the other way round.

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/core/filter"
	"github.com/basalthq/basalt/internal/store"
)

const (
	portableFormat   = "basalt-export/1"
	portableManifest = "basalt-export.json"
)

// portablePage is how many records an export reads per query (a var so
// a test can make an archive span many queries).
var portablePage = 500

// portableDoc is the archive's manifest.
type portableDoc struct {
	Format      string            `json:"format"`
	Engine      string            `json:"engine"`
	Collections []json.RawMessage `json:"collections"`
	Params      map[string]string `json:"params"`
	Migrations  []string          `json:"migrations"`
}

func storeOf(app *core.App) (*store.Store, error) {
	st, ok := app.Store().(*store.Store)
	if !ok {
		return nil, errors.New("export/import needs Basalt's SQL store")
	}
	return st, nil
}

// portableStats counts what an archive holds.
type portableStats struct {
	collections, records, files int
	engine                      string
}

// exportArchive writes app's database and its local files (storageDir)
// to the zip file dest, which must not exist.
func exportArchive(ctx context.Context, app *core.App, storageDir, dest string, out io.Writer) error {
	stats, err := writePortable(ctx, app, storageDir, dest, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Exported %d collections, %d records and %d files from %s to %s\n", stats.collections, stats.records, stats.files, stats.engine, dest)
	return nil
}

// writePortable writes the portable archive of app to the new file dest.
// The database part is read in one snapshot transaction (Store.
// ReadSnapshot): writes go on meanwhile and the archive is the database
// at one point in time. Files are copied after it; a file deleted
// meanwhile is skipped. pocketBase skips the ".attrs" metadata files
// PocketBase's local storage keeps beside each file (Basalt has none).
func writePortable(ctx context.Context, app *core.App, storageDir, dest string, pocketBase bool) (stats portableStats, err error) {
	st, err := storeOf(app)
	if err != nil {
		return stats, err
	}
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return stats, err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(dest) // never leave half an archive
		}
	}()
	zw := zip.NewWriter(f)
	doc := portableDoc{Format: portableFormat, Engine: st.DB().Dialect.Name(), Params: map[string]string{}}
	stats.engine = doc.Engine
	if err := st.ReadSnapshot(ctx, func(ctx context.Context) error {
		return writePortableData(ctx, st, zw, &doc, &stats)
	}); err != nil {
		return stats, err
	}
	if err := filepath.WalkDir(storageDir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			if p == storageDir {
				return fs.SkipDir
			}
			return nil // removed since its directory was listed
		}
		if err != nil || d.IsDir() || !d.Type().IsRegular() || strings.HasPrefix(d.Name(), ".basalt-tmp-") {
			return err // (files still being written are never archived)
		}
		if pocketBase && strings.HasSuffix(p, ".attrs") {
			if _, err := os.Stat(strings.TrimSuffix(p, ".attrs")); err == nil {
				return nil
			}
		}
		rel, err := filepath.Rel(storageDir, p)
		if err != nil {
			return err
		}
		src, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // its record was deleted meanwhile
		}
		if err != nil {
			return err
		}
		defer src.Close()
		w, err := zw.Create("storage/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		stats.files++
		_, err = io.Copy(w, src)
		return err
	}); err != nil {
		return stats, fmt.Errorf("files: %w", err)
	}
	w, err := zw.Create(portableManifest)
	if err != nil {
		return stats, err
	}
	if err := json.NewEncoder(w).Encode(doc); err != nil {
		return stats, err
	}
	return stats, zw.Close()
}

// writePortableData writes the records of every collection into zw and
// the schema, params and migrations into doc, all read through ctx.
func writePortableData(ctx context.Context, st *store.Store, zw *zip.Writer, doc *portableDoc, stats *portableStats) error {
	cols, err := st.LoadCollections(ctx)
	if err != nil {
		return err
	}
	stats.collections = len(cols)
	byId, _ := filter.ParseSort("id")
	for _, c := range cols {
		// With the token and OAuth2 secrets: a restore must keep the
		// issued tokens valid and the providers configured.
		raw, err := c.MarshalWithSecrets()
		if err != nil {
			return err
		}
		doc.Collections = append(doc.Collections, raw)
		if c.IsView() {
			continue
		}
		w, err := zw.Create("records/" + c.Id + ".jsonl")
		if err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		for page := 1; ; page++ {
			res, err := st.Query(ctx, &core.RecordQuery{Collection: c, Superuser: true, Sort: byId, PerPage: portablePage, Page: page})
			if err != nil {
				return fmt.Errorf("records of %s: %w", c.Name, err)
			}
			for _, r := range res.Records {
				row := make(map[string]any, len(c.Fields))
				for _, fld := range c.Fields {
					row[fld.GetName()] = fld.ToDB(r.Get(fld.GetName()))
				}
				if err := enc.Encode(row); err != nil {
					return err
				}
			}
			stats.records += len(res.Records)
			if len(res.Records) < portablePage {
				break
			}
		}
	}
	keys, err := st.ParamKeys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		v, _, err := st.GetParam(ctx, k)
		if err != nil {
			return err
		}
		doc.Params[k] = string(v)
	}
	doc.Migrations, err = st.AppliedMigrations(ctx)
	return err
}

// importArchive loads the archive src into app's database, which must be
// empty (system collections without records only), and its files into
// storageDir. Everything but the files is one transaction: a failure
// leaves the database as it was.
func importArchive(ctx context.Context, app *core.App, storageDir, src string, out io.Writer) error {
	st, err := storeOf(app)
	if err != nil {
		return err
	}
	zr, err := zip.OpenReader(src)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	defer zr.Close()
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		entries[f.Name] = f
	}
	var doc portableDoc
	if err := readZipJSON(entries[portableManifest], &doc); err != nil {
		return fmt.Errorf("%s: not a Basalt export: %w", src, err)
	}
	if doc.Format != portableFormat {
		return fmt.Errorf("%s: unsupported export format %q (want %s)", src, doc.Format, portableFormat)
	}
	current, err := st.LoadCollections(ctx)
	if err != nil {
		return err
	}
	existing := map[string]*core.Collection{}
	for _, c := range current {
		// A fresh database holds the system collections and the default
		// "users" one (the init migration): nothing else.
		if !c.System && c.Id != core.UsersCollectionId {
			return fmt.Errorf("the target database is not empty: it has the collection %q (import needs a fresh database)", c.Name)
		}
		if !c.IsView() {
			res, err := st.Query(ctx, &core.RecordQuery{Collection: c, Superuser: true, PerPage: 1, Count: true})
			if err != nil {
				return err
			}
			if res.Total > 0 {
				return fmt.Errorf("the target database is not empty: %q has %d records (import needs a fresh database)", c.Name, res.Total)
			}
		}
		existing[c.Id] = c
	}
	records, err := loadPortable(ctx, app, st, &doc, entries, existing, false)
	if err != nil {
		return fmt.Errorf("import %s: %w (nothing was imported)", src, err)
	}
	files := 0
	for name, f := range entries {
		rel, ok := strings.CutPrefix(name, "storage/")
		if !ok || strings.HasSuffix(name, "/") {
			continue
		}
		clean := path.Clean(rel)
		if clean == "." || strings.HasPrefix(clean, "../") || path.IsAbs(clean) || strings.Contains(clean, "\\") {
			return fmt.Errorf("%s: unsafe file name %q", src, name)
		}
		if err := extractFile(f, filepath.Join(storageDir, filepath.FromSlash(clean))); err != nil {
			return fmt.Errorf("file %s: %w", clean, err)
		}
		files++
	}
	fmt.Fprintf(out, "Imported %d collections, %d records and %d files (exported from %s)\n", len(doc.Collections), records, files, doc.Engine)
	return nil
}

// loadPortable loads the collections, records, params and migrations of
// doc (entries: the archive's files by name) in one transaction, over the
// collections existing (the current ones, by id). With replace, the
// current data goes first: every collection that is not a system one is
// dropped, the system ones emptied, the params not in the archive
// removed. A failure rolls everything back.
func loadPortable(ctx context.Context, app *core.App, st *store.Store, doc *portableDoc, entries map[string]*zip.File, existing map[string]*core.Collection, replace bool) (records int, err error) {
	err = st.RunInTx(ctx, func(ctx context.Context) error {
		records = 0
		if replace {
			if err := emptyDatabase(ctx, st, doc, existing); err != nil {
				return err
			}
		}
		exported := map[string]bool{}
		for _, raw := range doc.Collections {
			c := &core.Collection{}
			if err := json.Unmarshal(raw, c); err != nil {
				return fmt.Errorf("collection: %w", err)
			}
			exported[c.Id] = true
			if err := st.SaveCollection(ctx, existing[c.Id], c); err != nil {
				return fmt.Errorf("collection %s: %w", c.Name, err)
			}
			if c.IsView() {
				continue
			}
			n, err := importRecords(ctx, st, c, entries["records/"+c.Id+".jsonl"])
			if err != nil {
				return fmt.Errorf("records of %s: %w", c.Name, err)
			}
			records += n
		}
		for id, c := range existing {
			if !exported[id] && !c.System {
				// The default "users" collection the source had deleted.
				if err := st.DeleteCollection(ctx, c); err != nil {
					return err
				}
			}
		}
		for k, v := range doc.Params {
			if err := st.SetParam(ctx, k, []byte(v)); err != nil {
				return err
			}
		}
		applied, err := st.AppliedMigrations(ctx)
		if err != nil {
			return err
		}
		for _, f := range applied {
			if err := st.ForgetMigration(ctx, f); err != nil {
				return err
			}
		}
		now := app.Now().UnixMicro()
		for i, f := range doc.Migrations {
			if err := st.RecordMigration(ctx, f, now+int64(i)); err != nil {
				return err
			}
		}
		return nil
	})
	return records, err
}

// emptyDatabase is the first half of a replacing load: the views go
// (newest first, a view may read another), then the other collections
// that are not system ones, then the records of the system collections
// and the params the archive does not hold. existing is refilled with
// the system collections, which the load then updates in place.
func emptyDatabase(ctx context.Context, st *store.Store, doc *portableDoc, existing map[string]*core.Collection) error {
	current, err := st.LoadCollections(ctx)
	if err != nil {
		return err
	}
	clear(existing)
	for pass := 0; pass < 2; pass++ {
		for i := len(current) - 1; i >= 0; i-- {
			c := current[i]
			if c.System || c.IsView() != (pass == 0) {
				continue
			}
			if err := st.DeleteCollection(ctx, c); err != nil {
				return fmt.Errorf("drop %s: %w", c.Name, err)
			}
		}
	}
	for _, c := range current {
		if c.System {
			if err := st.TruncateCollection(ctx, c); err != nil {
				return fmt.Errorf("empty %s: %w", c.Name, err)
			}
			existing[c.Id] = c
		}
	}
	keys, err := st.ParamKeys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, ok := doc.Params[k]; !ok {
			if err := st.DeleteParam(ctx, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// importRecords inserts the records of c listed in f (nil: none).
func importRecords(ctx context.Context, st *store.Store, c *core.Collection, f *zip.File) (int, error) {
	if f == nil {
		return 0, nil
	}
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	n := 0
	for {
		var row map[string]any
		if err := dec.Decode(&row); errors.Is(err, io.EOF) {
			return n, nil
		} else if err != nil {
			return n, err
		}
		vals := make([]any, len(c.Fields))
		for i, fld := range c.Fields {
			vals[i] = row[fld.GetName()]
		}
		if err := st.InsertRecord(ctx, core.NewRecordFromValues(c, vals)); err != nil {
			return n, fmt.Errorf("record %v: %w", row["id"], err)
		}
		n++
	}
}

func readZipJSON(f *zip.File, v any) error {
	if f == nil {
		return errors.New("missing " + portableManifest)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return json.NewDecoder(rc).Decode(v)
}

func extractFile(f *zip.File, dest string) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	w, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, rc); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
