package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/pocketbase/dbx"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/store/dialect"
)

// The database files of a data dir, as PocketBase names them.
const (
	dataFile = "data.db"
	auxFile  = "auxiliary.db"
)

var _ core.Snapshotter = (*Store)(nil)

// Snapshot writes consistent copies of data.db and auxiliary.db into dir
// (which must exist) while writes go on: each copy is one read transaction
// of the engine's online copy (dialect Snapshot), so it holds every write
// committed before it started and nothing half-written. Writers are never
// paused for it.
func (s *Store) Snapshot(ctx context.Context, dir string) error {
	for _, f := range []struct {
		db   *DB
		name string
	}{{s.db, dataFile}, {s.aux, auxFile}} {
		if err := s.d.Snapshot(ctx, f.db.ReaderDB(), filepath.Join(dir, f.name)); err != nil {
			return fmt.Errorf("snapshot %s: %w", f.name, err)
		}
	}
	return nil
}

// ErrUnrecognisedData is returned (wrapped) by CheckDataDir for a data dir
// whose database is healthy but not one of ours (another app's archive).
var ErrUnrecognisedData = errors.New("store: not a Basalt/PocketBase database")

// CheckDataDir verifies the databases of the data dir at dir without
// changing them: data.db must exist, pass the engine's integrity check and
// hold the base tables (_params, _collections) with a table or view per
// collection; auxiliary.db, when present, must pass the integrity check.
// It returns the number of records of each collection, by name.
func CheckDataDir(ctx context.Context, d dialect.Dialect, dir string) ([]core.CollectionCount, error) {
	dataPath := filepath.Join(dir, dataFile)
	// Open would create a missing file; a missing data.db is a bad archive.
	if st, err := os.Stat(dataPath); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: no %s", ErrUnrecognisedData, dataFile)
	}
	if st, err := os.Stat(filepath.Join(dir, auxFile)); err == nil {
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%w: %s is not a file", ErrUnrecognisedData, auxFile)
		}
		if err := checkFile(ctx, d, filepath.Join(dir, auxFile)); err != nil {
			return nil, fmt.Errorf("%s: %w", auxFile, err)
		}
	}
	conns, err := d.Open(ctx, dataPath, dialect.Options{ReadOnly: true, MaxReaders: 1})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dataFile, err)
	}
	defer conns.Close()
	if err := d.IntegrityCheck(ctx, conns.Reader); err != nil {
		return nil, fmt.Errorf("%s: %w", dataFile, err)
	}
	for _, t := range []string{"_params", "_collections"} {
		ok, err := d.TableExists(ctx, conns.Reader, t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dataFile, err)
		}
		if !ok {
			return nil, fmt.Errorf("%w: no %s table", ErrUnrecognisedData, t)
		}
	}
	rx := dbx.NewFromDB(conns.Reader, conns.DriverName)
	var cols []struct {
		Name string `db:"name"`
	}
	if err := rx.Select("name").From("_collections").WithContext(ctx).All(&cols); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnrecognisedData, err)
	}
	out := make([]core.CollectionCount, 0, len(cols))
	for _, c := range cols {
		var n int64
		if err := rx.Select("COUNT(*)").From(c.Name).WithContext(ctx).Row(&n); err != nil {
			return nil, fmt.Errorf("%w: collection %q: %v", ErrUnrecognisedData, c.Name, err)
		}
		out = append(out, core.CollectionCount{Collection: c.Name, Records: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Collection < out[j].Collection })
	return out, nil
}

// checkFile runs the integrity check on one database file.
func checkFile(ctx context.Context, d dialect.Dialect, path string) error {
	conns, err := d.Open(ctx, path, dialect.Options{ReadOnly: true, MaxReaders: 1})
	if err != nil {
		return err
	}
	defer conns.Close()
	return d.IntegrityCheck(ctx, conns.Reader)
}

// ReadSnapshot runs fn with a ctx whose reads all see one point in time:
// a read-only transaction on the reader pool, REPEATABLE READ where the
// engine has isolation levels (PostgreSQL). Writers go on meanwhile; fn
// must not write. It is what a portable backup reads through, so the
// archive is one consistent view however long it takes to write.
func (s *Store) ReadSnapshot(ctx context.Context, fn func(ctx context.Context) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.d.Caps().StatementErrorAbortsTx {
		// PostgreSQL: READ COMMITTED (its default) would let each
		// statement see newer commits. SQLite's read transactions are
		// serializable already (one WAL snapshot from the first read).
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.rx.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(context.WithValue(ctx, txKey{}, &txState{tx: tx, snapshot: true}))
}

// TruncateCollection deletes every record of the table of c (a restore
// that loads an archive over the current data), inside the caller's
// write transaction or its own.
func (s *Store) TruncateCollection(ctx context.Context, c *core.Collection) error {
	if c.IsView() {
		return nil
	}
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := s.db.execWrite(ctx, "DELETE FROM "+s.q(c.Name))
		return err
	})
}

// DeleteParam removes the _params value key (missing: no error).
func (s *Store) DeleteParam(ctx context.Context, key string) error {
	return s.db.Write(ctx, func(ctx context.Context) error {
		_, err := Tx(ctx).Delete("_params", dbx.HashExp{"id": key}).WithContext(ctx).Execute()
		return err
	})
}

// CopyDataFile writes a consistent copy of the data.db of the data dir
// srcDir into the existing directory destDir without changing the source
// (opened read-only; the engine's online copy, so a source another
// process still writes is copied at one point in time). `basalt import`
// reads a PocketBase pb_data through such a copy.
func CopyDataFile(ctx context.Context, d dialect.Dialect, srcDir, destDir string) error {
	src := filepath.Join(srcDir, dataFile)
	if st, err := os.Stat(src); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("%w: no %s in %s", ErrUnrecognisedData, dataFile, srcDir)
	}
	conns, err := d.Open(ctx, src, dialect.Options{ReadOnly: true, MaxReaders: 1})
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	defer conns.Close()
	if err := d.Snapshot(ctx, conns.Reader, filepath.Join(destDir, dataFile)); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}
