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

	t.Run("strftime", func(t *testing.T) {
		cases := []struct {
			name string
			args []string
			want any // string, or nil for NULL
		}{
			{"date", []string{"'%Y-%m-%d'", "'2024-03-05 10:11:12.345Z'"}, "2024-03-05"},
			{"time parts", []string{"'%H:%M:%S'", "'2024-03-05 10:11:12.345Z'"}, "10:11:12"},
			{"fractional seconds", []string{"'%f'", "'2024-03-05 10:11:12.345Z'"}, "12.345"},
			{"day of year and week day", []string{"'%j %w'", "'2024-03-05 00:00:00Z'"}, "065 2"},
			{"week of year", []string{"'%W'", "'2024-03-05 00:00:00Z'"}, "10"},
			{"unix seconds", []string{"'%s'", "'2024-03-05 00:00:00Z'"}, "1709596800"},
			{"percent", []string{"'100%%'", "'2024-03-05'"}, "100%"},
			{"start of month", []string{"'%Y-%m-%d'", "'2024-03-05 10:00:00Z'", "'start of month'"}, "2024-03-01"},
			{"start of year", []string{"'%Y-%m-%d'", "'2024-03-05 10:00:00Z'", "'start of year'"}, "2024-01-01"},
			{"plus days", []string{"'%Y-%m-%d'", "'2024-02-28'", "'+2 days'"}, "2024-03-01"},
			{"minus hours", []string{"'%Y-%m-%d %H'", "'2024-03-01 01:00:00Z'", "'-2 hours'"}, "2024-02-29 23"},
			{"weekday", []string{"'%Y-%m-%d'", "'2024-03-05'", "'weekday 0'"}, "2024-03-10"},
			{"unixepoch", []string{"'%Y-%m-%d'", "'1709596800'", "'unixepoch'"}, "2024-03-05"},
			{"not a time", []string{"'%Y'", "'hello'"}, nil},
			{"bad modifier", []string{"'%Y'", "'2024-03-05'", "'sideways'"}, nil},
			{"null value", []string{"'%Y'", "NULL"}, nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var v sql.NullString
				if err := r.QueryRowContext(ctx, "SELECT "+d.Strftime(tc.args[0], tc.args[1:]...)).Scan(&v); err != nil {
					t.Fatal(err)
				}
				switch want := tc.want.(type) {
				case nil:
					if v.Valid {
						t.Fatalf("strftime = %q, want NULL", v.String)
					}
				case string:
					if !v.Valid || v.String != want {
						t.Fatalf("strftime = %v, want %q", v, want)
					}
				}
			})
		}
	})

	t.Run("like is case-insensitive with backslash escapes", func(t *testing.T) {
		cases := []struct {
			value, pattern string
			want           bool
		}{
			{"Hello", "%ell%", true},
			{"HELLO", "hello", true},
			{"100%", `100\%`, true},
			{"1000", `100\%`, false},
			{"a_b", `a\_b`, true},
			{"axb", `a\_b`, false},
		}
		for _, tc := range cases {
			var got bool
			q := "SELECT CASE WHEN " + d.Like(d.Param("?", dialect.TypeText), d.Param("?", dialect.TypeText), false) + " THEN TRUE ELSE FALSE END"
			if err := r.QueryRowContext(ctx, q, tc.value, tc.pattern).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%q LIKE %q = %v, want %v", tc.value, tc.pattern, got, tc.want)
			}
		}
	})

	t.Run("coerced comparisons follow SQLite", func(t *testing.T) {
		exec("INSERT INTO " + q("t") + " (" + q("id") + ", " + q("txt") + ", " + q("num") + ", " + q("flag") + ", " + q("js") + ") VALUES ('c1', '5', 5, TRUE, '{\"a\":5,\"b\":\"x\",\"n\":null}')")
		col := func(name string, typ dialect.ValueType) dialect.Value {
			return dialect.Value{SQL: q("t") + "." + q(name), Type: typ, Column: true}
		}
		lit := func(sqlText string, typ dialect.ValueType) dialect.Value {
			return dialect.Value{SQL: d.Param(sqlText, typ), Type: typ}
		}
		js := func(path string) dialect.Value {
			return dialect.Value{SQL: d.JSONExtract(q("t")+"."+q("js"), path), Type: dialect.TypeJSON}
		}
		cases := []struct {
			name string
			l, r dialect.Value
			op   string
			want bool
		}{
			{"number column = numeric text", col("num", dialect.TypeNumber), lit("'5'", dialect.TypeText), "=", true},
			{"number column > text", col("num", dialect.TypeNumber), lit("'10'", dialect.TypeText), ">", false},
			{"text column = number", col("txt", dialect.TypeText), lit("5", dialect.TypeNumber), "=", true},
			{"text column > number compares text", col("txt", dialect.TypeText), lit("10", dialect.TypeNumber), ">", true},
			{"bool column = 1", col("flag", dialect.TypeBool), lit("1", dialect.TypeNumber), "=", true},
			{"json number = number", js("$.a"), lit("5", dialect.TypeNumber), "=", true},
			{"json number = text", js("$.a"), lit("'5'", dialect.TypeText), "=", false},
			{"json text = text", js("$.b"), lit("'x'", dialect.TypeText), "=", true},
			{"json number > number", js("$.a"), lit("4", dialect.TypeNumber), ">", true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				l, rr := d.Coerce(tc.l, tc.r)
				var n int
				query := "SELECT COUNT(*) FROM " + q("t") + " WHERE " + q("id") + " = 'c1' AND " + l + " " + tc.op + " " + rr
				if err := r.QueryRowContext(ctx, query).Scan(&n); err != nil {
					t.Fatalf("%s: %v", query, err)
				}
				if (n == 1) != tc.want {
					t.Fatalf("%s: matched %v, want %v", query, n == 1, tc.want)
				}
			})
		}
		var isNull bool
		if err := r.QueryRowContext(ctx, "SELECT "+js("$.n").SQL+" IS NULL FROM "+q("t")+" WHERE "+q("id")+" = 'c1'").Scan(&isNull); err != nil || !isNull {
			t.Fatalf("a JSON null reads as NULL: %v %v", isNull, err)
		}
	})

	t.Run("translated index definitions", func(t *testing.T) {
		exec("CREATE TABLE " + q("u") + " (" + q("id") + " " + d.ColumnDefinition(dialect.KindTextPK) + ", " + q("mailAddress") + " " + d.ColumnDefinition(dialect.KindText) + ")")
		exec(d.IndexSQL("CREATE UNIQUE INDEX `idx_u_mail` ON `u` (mailAddress COLLATE NOCASE)"))
		exec("INSERT INTO " + q("u") + " (" + q("id") + ", " + q("mailAddress") + ") VALUES ('u1', 'A@example.com')")
		_, err := w.ExecContext(ctx, "INSERT INTO "+q("u")+" ("+q("id")+", "+q("mailAddress")+") VALUES ('u2', 'a@EXAMPLE.com')")
		ok, cols := d.IsUniqueViolation(err)
		if !ok || len(cols) != 1 || cols[0] != "u.mailAddress" {
			t.Fatalf("case-insensitive duplicate: IsUniqueViolation = %v %v (err %v)", ok, cols, err)
		}
	})

	t.Run("subquery and grouped order", func(t *testing.T) {
		var n int
		if err := r.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+d.Subquery("SELECT 1 AS x UNION ALL SELECT 2")).Scan(&n); err != nil || n != 2 {
			t.Fatalf("subquery count = %d %v", n, err)
		}
		// Two groups whose least joined values order them (b before a).
		query := "SELECT g.k FROM (SELECT 'a' AS k UNION ALL SELECT 'b') g JOIN (SELECT 'a' AS k, 3 AS v UNION ALL SELECT 'a', 9 UNION ALL SELECT 'b', 5) j ON j.k = g.k GROUP BY g.k ORDER BY " + d.GroupOrder("j.v", false, " ASC")
		rows, err := r.QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				t.Fatal(err)
			}
			got = append(got, k)
		}
		rows.Close()
		if len(got) != 2 || got[0] != "a" || got[1] != "b" {
			t.Fatalf("grouped order = %v, want [a b] (least values 3 and 5)", got)
		}
	})

	t.Run("geo distance", func(t *testing.T) {
		var km float64
		if err := r.QueryRowContext(ctx, "SELECT "+d.GeoDistance("0", "0", "0", "1")).Scan(&km); err != nil {
			t.Fatal(err)
		}
		if km < 111.1 || km > 111.3 {
			t.Fatalf("one degree of latitude = %v km", km)
		}
	})

	t.Run("reader is read-only", func(t *testing.T) {
		if _, err := r.ExecContext(ctx, "DELETE FROM "+q("t")); err == nil {
			t.Fatal("reader pool accepted a write")
		}
	})
}
