// Package testenv starts a real Basalt server for tests: a real SQLite
// file in t.TempDir() and the real HTTP handler on 127.0.0.1:0.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/api"
	"github.com/basalthq/basalt/internal/store/dialect/postgres/pgtest"
	_ "github.com/basalthq/basalt/migrations"
	"github.com/basalthq/basalt/server"
)

// Server is a running test server.
type Server struct {
	URL string
	App *core.App
	// Client talks to the server (TLS with HTTP/2 for StartServerHTTP2).
	Client *http.Client
	Dir    string
	// API is the HTTP handler under test, for tests that inspect its state.
	API *api.Server
	t   testing.TB
}

// StartServer opens a fresh data dir, bootstraps the app and serves it on
// a loopback port; everything is closed when the test ends.
func StartServer(t testing.TB, register ...func(app *core.App) error) *Server {
	t.Helper()
	return start(t, false, dbFor(t), register)
}

// StartNode is StartServer on the database db names (--db; "" for SQLite
// in the node's own data dir): several nodes on one PostgreSQL schema
// form a cluster in one test.
func StartNode(t testing.TB, db string, register ...func(app *core.App) error) *Server {
	t.Helper()
	return start(t, false, db, register)
}

// StartServerHTTP2 is StartServer over TLS with HTTP/2 (a self-signed
// certificate that s.Client trusts), as behind `serve` with a domain.
func StartServerHTTP2(t testing.TB, register ...func(app *core.App) error) *Server {
	t.Helper()
	return start(t, true, dbFor(t), register)
}

func start(t testing.TB, h2 bool, db string, register []func(app *core.App) error) *Server {
	t.Helper()
	dir := t.TempDir()
	b := server.New(server.Config{Stderr: io.Discard})
	if len(register) > 0 && register[0] != nil {
		b.OnOpen(register[0])
	}
	// Flags, not defaults: a BASALT_* variable in the environment must
	// not move a test's data dir or turn automigrate on.
	pf := b.RootCmd.PersistentFlags()
	if err := errors.Join(pf.Set("dir", dir), pf.Set("automigrate", "false"), pf.Set("db", db)); err != nil {
		t.Fatal(err)
	}
	app, err := b.Open(context.Background())
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	h, err := api.New(app, api.Config{})
	if err != nil {
		t.Fatalf("api: %v", err)
	}
	ts := httptest.NewUnstartedServer(h)
	ts.Config.MaxHeaderBytes = api.MaxHeaderBytes // as the serve command sets it
	if h2 {
		ts.EnableHTTP2 = true
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(func() {
		ts.Close()
		_ = app.Terminate()
	})
	return &Server{URL: ts.URL, App: app, Client: ts.Client(), Dir: dir, API: h, t: t}
}

// EnvEngine selects the database engine of every test server: unset or
// "sqlite" (the default), or "postgres" to run the API tests on a fresh
// schema of the BASALT_TEST_POSTGRES server (scripts/test.sh runs the
// API suite once per engine).
const EnvEngine = "BASALT_TEST_ENGINE"

// SkipOnPostgres skips t when the test servers run on PostgreSQL
// (BASALT_TEST_ENGINE=postgres), for a test of something SQLite-only;
// why says what.
func SkipOnPostgres(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(EnvEngine) == "postgres" {
		t.Skip("SQLite only: " + why)
	}
}

// dbFor is the --db value of t's server: "" for SQLite in the data dir.
func dbFor(t testing.TB) string {
	switch e := os.Getenv(EnvEngine); e {
	case "", "sqlite":
		return ""
	case "postgres":
		return pgtest.DSN(t)
	default:
		t.Fatalf("%s=%q: want sqlite or postgres", EnvEngine, e)
		return ""
	}
}

// Do sends a JSON request (body may be nil) and returns the status and
// the decoded JSON body (nil when empty).
func (s *Server) Do(method, path, token string, body any) (int, map[string]any) {
	s.t.Helper()
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return resp.StatusCode, out
}

// Superuser creates a superuser and returns its auth token.
func (s *Server) Superuser(email, password string) string {
	s.t.Helper()
	col, err := s.App.FindCollectionByNameOrId(core.SuperusersCollectionName)
	if err != nil {
		s.t.Fatal(err)
	}
	rec := core.NewRecord(col)
	rec.Set(core.FieldEmail, email)
	rec.Set(core.FieldPassword, password)
	if err := s.App.Save(context.Background(), rec); err != nil {
		s.t.Fatalf("save superuser: %v", err)
	}
	status, body := s.Do("POST", "/api/collections/_superusers/auth-with-password", "", map[string]any{"identity": email, "password": password})
	if status != 200 {
		s.t.Fatalf("superuser auth: %d %v", status, body)
	}
	return body["token"].(string)
}
