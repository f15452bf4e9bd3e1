package store

import (
	"strings"
	"testing"

	"github.com/basalthq/basalt/internal/store/dialect/postgres"
	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
	"github.com/basalthq/basalt/internal/store/dialect/sqlite"
)

// forEngines runs fn as one subtest per engine, "sqlite" and "postgres";
// the stores the subtest opens (openTestStore, schemaStore, execStore)
// use that engine. The PostgreSQL one skips without a server (see
// pgtest.DSN).
func forEngines(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	for _, e := range []string{"sqlite", "postgres"} {
		t.Run(e, fn)
	}
}

// onPostgres reports whether t runs under forEngines' postgres subtest.
func onPostgres(t testing.TB) bool { return strings.Contains(t.Name(), "/postgres") }

// openTestStore opens an empty store on t's engine.
func openTestStore(t testing.TB) *Store {
	t.Helper()
	return openTestStoreOn(t, onPostgres(t))
}

// openTestStoreOn opens an empty store on PostgreSQL (pg) or SQLite.
func openTestStoreOn(t testing.TB, pg bool) *Store {
	t.Helper()
	var s *Store
	var err error
	if pg {
		s, err = Open(t.Context(), postgres.Dialect{}, t.TempDir(), Options{DSN: pgtest.DSN(t)})
	} else {
		s, err = Open(t.Context(), sqlite.Dialect{}, t.TempDir(), Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func postgresDialect() postgres.Dialect { return postgres.Dialect{} }

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
