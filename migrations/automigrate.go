package migrations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/basalthq/basalt/core"
)

// Snapshot migrations are JSON files in pb_migrations/ that can be
// committed and replayed with `migrate up` on another machine. Each holds
// the collections to upsert (full documents, secrets included) and the
// ids to delete, for both directions.
//
//	{"up":   {"upsert": [<collection>...], "delete": ["<id>"...]},
//	 "down": {"upsert": [...],             "delete": [...]}}
type snapshotFile struct {
	Up   snapshotStep `json:"up"`
	Down snapshotStep `json:"down"`
}

type snapshotStep struct {
	Upsert []json.RawMessage `json:"upsert,omitempty"`
	Delete []string          `json:"delete,omitempty"`
}

// LoadSnapshots registers every pb_migrations/*.json file of dir as an
// app migration (file name order). A missing dir is not an error.
func LoadSnapshots(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		var sf snapshotFile
		if err := json.Unmarshal(raw, &sf); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		up, down := sf.Up, sf.Down
		if registered(name) {
			continue
		}
		core.AppMigrations.Register(name,
			func(ctx context.Context, app *core.App) error { return applyStep(ctx, app, up) },
			func(ctx context.Context, app *core.App) error { return applyStep(ctx, app, down) })
	}
	return nil
}

func registered(file string) bool {
	for _, m := range core.AppMigrations.Items() {
		if m.File == file {
			return true
		}
	}
	return false
}

func applyStep(ctx context.Context, app *core.App, step snapshotStep) error {
	for _, id := range step.Delete {
		c, err := app.FindCollectionByNameOrId(id)
		if err != nil {
			continue // already gone
		}
		if err := app.DeleteCollection(ctx, c); err != nil {
			return fmt.Errorf("delete %s: %w", c.Name, err)
		}
	}
	// Views last: they may select from the tables upserted here.
	var docs, views []*core.Collection
	for _, raw := range step.Upsert {
		c := &core.Collection{}
		if err := c.UnmarshalJSON(raw); err != nil {
			return err
		}
		if c.IsView() {
			views = append(views, c)
		} else {
			docs = append(docs, c)
		}
	}
	for _, c := range append(docs, views...) {
		if err := app.SaveCollection(ctx, c); err != nil {
			return fmt.Errorf("save %s: %w", c.Name, err)
		}
	}
	return nil
}

var slug = regexp.MustCompile(`[^a-z0-9]+`)

// Automigrate makes every collection change made outside a migration write
// a snapshot migration into dir and records it as applied, so the change
// can be committed and replayed elsewhere with `migrate up`.
func Automigrate(app *core.App, dir string) {
	write := func(ctx context.Context, action, name string, sf snapshotFile) {
		if core.IsMigrating(ctx) {
			return
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			app.Logger().Error("automigrate: create dir", "err", err)
			return
		}
		file := fmt.Sprintf("%d_%s_%s.json", app.Now().UnixNano()/int64(time.Microsecond), action, strings.Trim(slug.ReplaceAllString(strings.ToLower(name), "_"), "_"))
		raw, err := json.MarshalIndent(sf, "", "  ")
		if err != nil {
			app.Logger().Error("automigrate: encode", "err", err)
			return
		}
		tmp := filepath.Join(dir, "."+file+".tmp")
		if err := os.WriteFile(tmp, raw, 0o644); err != nil {
			app.Logger().Error("automigrate: write", "err", err)
			return
		}
		if err := os.Rename(tmp, filepath.Join(dir, file)); err != nil {
			app.Logger().Error("automigrate: rename", "err", err)
			return
		}
		if ms, ok := app.Store().(core.MigrationStore); ok {
			if err := ms.RecordMigration(context.WithoutCancel(ctx), file, app.Now().UnixMicro()); err != nil {
				app.Logger().Error("automigrate: record", "err", err)
			}
		}
		if !registered(file) {
			up, down := sf.Up, sf.Down
			core.AppMigrations.Register(file,
				func(ctx context.Context, app *core.App) error { return applyStep(ctx, app, up) },
				func(ctx context.Context, app *core.App) error { return applyStep(ctx, app, down) })
		}
	}
	doc := func(c *core.Collection) json.RawMessage {
		raw, _ := c.MarshalWithSecrets()
		return raw
	}
	app.OnCollectionCreate().BindFunc(func(e *core.CollectionEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		write(e.Context, "created", e.Collection.Name, snapshotFile{
			Up:   snapshotStep{Upsert: []json.RawMessage{doc(e.Collection)}},
			Down: snapshotStep{Delete: []string{e.Collection.Id}},
		})
		return nil
	})
	app.OnCollectionUpdate().BindFunc(func(e *core.CollectionEvent) error {
		var old *core.Collection
		if c, err := app.FindCollectionByNameOrId(e.Collection.Id); err == nil {
			old = c.Clone()
		}
		if err := e.Next(); err != nil {
			return err
		}
		sf := snapshotFile{Up: snapshotStep{Upsert: []json.RawMessage{doc(e.Collection)}}}
		if old != nil {
			sf.Down.Upsert = []json.RawMessage{doc(old)}
		}
		write(e.Context, "updated", e.Collection.Name, sf)
		return nil
	})
	app.OnCollectionDelete().BindFunc(func(e *core.CollectionEvent) error {
		old := e.Collection.Clone()
		if err := e.Next(); err != nil {
			return err
		}
		write(e.Context, "deleted", old.Name, snapshotFile{
			Up:   snapshotStep{Delete: []string{old.Id}},
			Down: snapshotStep{Upsert: []json.RawMessage{doc(old)}},
		})
		return nil
	})
}

// WriteFullSnapshot writes one migration holding every non-system
// collection (`migrate collections`) and returns its path. It is not
// recorded as applied: it describes the current state.
func WriteFullSnapshot(app *core.App, dir string) (string, error) {
	var up snapshotStep
	for _, c := range app.Collections() {
		if c.System {
			continue
		}
		raw, err := c.MarshalWithSecrets()
		if err != nil {
			return "", err
		}
		up.Upsert = append(up.Upsert, raw)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	raw, err := json.MarshalIndent(snapshotFile{Up: up}, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("%d_collections_snapshot.json", app.Now().UnixMicro()))
	return path, os.WriteFile(path, raw, 0o644)
}
