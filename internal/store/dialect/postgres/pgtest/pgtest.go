// Package pgtest gives tests a fresh PostgreSQL schema of their own on
// the server BASALT_TEST_POSTGRES names (scripts/test.sh provisions one
// when it is unset, see scripts/postgres.sh).
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// EnvDSN names the server's connection string; EnvRequire, when "1",
// turns a missing server into a failure instead of a skip (scripts/test.sh
// sets it, so the PostgreSQL tests cannot silently not run there).
const (
	EnvDSN     = "BASALT_TEST_POSTGRES"
	EnvRequire = "BASALT_REQUIRE_POSTGRES"
)

// Available reports whether a test server is configured.
func Available() bool { return os.Getenv(EnvDSN) != "" }

// DSN creates an empty schema for t, dropped at its end, and returns a
// connection string whose search_path is that schema. Without a server
// it skips t (or fails it under BASALT_REQUIRE_POSTGRES=1).
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s is not set but %s=1: the PostgreSQL tests must run (scripts/test.sh provisions a server)", EnvDSN, EnvRequire)
		}
		t.Skipf("PostgreSQL tests skipped: set %s to a server's DSN (scripts/test.sh provisions one)", EnvDSN)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA "`+schema+`"`); err != nil {
		admin.Close()
		t.Fatalf("pgtest: create schema on %s: %v", EnvDSN, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA "`+schema+`" CASCADE`); err != nil {
			t.Logf("pgtest: drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: %s is not a URL: %v", EnvDSN, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
