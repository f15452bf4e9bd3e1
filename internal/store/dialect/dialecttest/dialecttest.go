// Package dialecttest is the conformance suite every dialect.Dialect must
// pass: the store relies on exactly these behaviours.
package dialecttest

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/basalthq/basalt/internal/store/dialect"
)

// Run exercises d against a fresh database opened at dsn.
func Run(t *testing.T, d dialect.Dialect, dsn string) {
	ctx := context.Background()
	conns, err := d.Open(ctx, dsn, dialect.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer conns.Close()
	w, r := conns.Writer, conns.Reader
	q := d.QuoteIdent
	exec := func(s string, args ...any) {
		t.Helper()
		if _, err := w.ExecContext(ctx, s, args...); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}

	exec("CREATE TABLE " + q("t") + " (" +
		q("id") + " " + d.ColumnDefinition(dialect.KindTextPK) + ", " +
		q("txt") + " " + d.ColumnDefinition(dialect.KindText) + ", " +
		q("num") + " " + d.ColumnDefinition(dialect.KindNumber) + ", " +
		q("flag") + " " + d.ColumnDefinition(dialect.KindBool) + ", " +
		q("js") + " " + d.ColumnDefinition(dialect.KindJSON) + ", " +
		q("arr") + " " + d.ColumnDefinition(dialect.KindJSONArray) + ", " +
		q("geo") + " " + d.ColumnDefinition(dialect.KindGeoPoint) + ")")
	exec("CREATE UNIQUE INDEX " + q("idx_t_txt") + " ON " + q("t") + " (" + q("txt") + ")")

	t.Run("column defaults", func(t *testing.T) {
		exec("INSERT INTO " + q("t") + " (" + q("id") + ") VALUES ('d1')")
		var txt, arr, geo string
		var num float64
		var flag bool
		var js sql.NullString
		err := r.QueryRowContext(ctx, "SELECT txt, num, flag, js, arr, geo FROM "+q("t")+" WHERE id = 'd1'").Scan(&txt, &num, &flag, &js, &arr, &geo)
		if err != nil {
			t.Fatal(err)
		}
		if txt != "" || num != 0 || flag || js.Valid || arr != "[]" || geo != `{"lon":0,"lat":0}` {
			t.Fatalf("defaults: %q %v %v %v %q %q", txt, num, flag, js, arr, geo)
		}
	})

	t.Run("json array normalisation", func(t *testing.T) {
		cases := []struct {
			name  string
			value any
			want  int
		}{
			{"array", `["a","b"]`, 2},
			{"empty text", "", 0},
			{"null", nil, 0},
			{"scalar", "x", 1},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var n int
				if err := r.QueryRowContext(ctx, "WITH v(x) AS (SELECT ?) SELECT "+d.JSONArrayLength("v.x")+" FROM v", tc.value).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n != tc.want {
					t.Fatalf("length = %d, want %d", n, tc.want)
				}
				var m int
				if err := r.QueryRowContext(ctx, "WITH v(x) AS (SELECT ?) SELECT COUNT(*) FROM v, "+d.JSONEach("v.x")+" je", tc.value).Scan(&m); err != nil {
					t.Fatal(err)
				}
				if m != tc.want {
					t.Fatalf("each rows = %d, want %d", m, tc.want)
				}
			})
		}
	})

	t.Run("json extract", func(t *testing.T) {
		var v sql.NullString
		if err := r.QueryRowContext(ctx, "WITH v(x) AS (SELECT ?) SELECT "+d.AsText(d.JSONExtract("v.x", "$.a[1]"), dialect.TypeJSON)+" FROM v", `{"a":[1,"two"]}`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v.String != "two" {
			t.Fatalf("extract = %v", v)
		}
	})

	t.Run("unique violation classified", func(t *testing.T) {
		exec("INSERT INTO " + q("t") + " (" + q("id") + ", " + q("txt") + ") VALUES ('u1', 'same')")
		_, err := w.ExecContext(ctx, "INSERT INTO "+q("t")+" ("+q("id")+", "+q("txt")+") VALUES ('u2', 'same')")
		ok, cols := d.IsUniqueViolation(err)
		if !ok || len(cols) != 1 || cols[0] != "t.txt" {
			t.Fatalf("IsUniqueViolation = %v %v (err %v)", ok, cols, err)
		}
		if ok, _ := d.IsUniqueViolation(errors.New("other")); ok {
			t.Fatal("plain error classified as unique violation")
		}
	})

	t.Run("introspection", func(t *testing.T) {
		if ok, err := d.TableExists(ctx, r, "t"); err != nil || !ok {
			t.Fatalf("TableExists(t) = %v %v", ok, err)
		}
		if ok, _ := d.TableExists(ctx, r, "missing"); ok {
			t.Fatal("TableExists(missing) = true")
		}
		cols, err := d.TableColumns(ctx, r, "t")
		if err != nil || len(cols) != 7 || !cols[0].PK {
			t.Fatalf("TableColumns = %v %v", cols, err)
		}
		idx, err := d.IndexNames(ctx, r, "t")
		if err != nil || len(idx) != 1 || idx[0] != "idx_t_txt" {
			t.Fatalf("IndexNames = %v %v", idx, err)
		}
		if err := d.IntegrityCheck(ctx, r); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("snapshot holds the committed state while a write is open", func(t *testing.T) {
		if d.Name() == "postgres" {
			t.Skip("PostgreSQL databases are not snapshotted into a file (pg_dump)")
		}
		exec("INSERT INTO " + q("t") + " (" + q("id") + ", " + q("txt") + ") VALUES ('snap1', 'snap1')")
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+q("t")+" ("+q("id")+", "+q("txt")+") VALUES ('snap2', 'snap2')"); err != nil {
			t.Fatal(err)
		}
		dest := filepath.Join(t.TempDir(), "snapshot.db")
		// The write transaction stays open during the snapshot: the
		// snapshot must neither wait for it nor see its rows.
		if err := d.Snapshot(ctx, r, dest); err != nil {
			t.Fatalf("snapshot: %v", err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		snap, err := d.Open(ctx, dest, dialect.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer snap.Close()
		if err := d.IntegrityCheck(ctx, snap.Reader); err != nil {
			t.Fatal(err)
		}
		var n1, n2 int
		if err := snap.Reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+q("t")+" WHERE id = 'snap1'").Scan(&n1); err != nil {
			t.Fatal(err)
		}
		if err := snap.Reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+q("t")+" WHERE id = 'snap2'").Scan(&n2); err != nil {
			t.Fatal(err)
		}
		if n1 != 1 || n2 != 0 {
			t.Fatalf("snapshot holds committed=%d uncommitted=%d, want 1 and 0", n1, n2)
		}
		if err := d.Snapshot(ctx, r, dest); err == nil {
			t.Fatal("snapshot overwrote an existing file")
		}
	})

	t.Run("reader is read-only", func(t *testing.T) {
		if _, err := r.ExecContext(ctx, "DELETE FROM "+q("t")); err == nil {
			t.Fatal("reader pool accepted a write")
		}
	})
}
