package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const mod = "github.com/basalthq/basalt/"

func repoRoot(t *testing.T) string {
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// allowed lists, per package prefix, the internal imports it may have.
var allowed = map[string][]string{
	"core/hook":               []string{},
	"core/telemetry":          []string{},
	"core/cron":               []string{},
	"core/filter":             []string{},
	"internal/store/dialect":  []string{},
	"internal/store/dialect/": []string{"internal/store/dialect"},
	"core":                    []string{"core/hook", "core/cron", "core/filter", "core/telemetry"},
	"internal/store":          []string{"core", "core/hook", "core/filter", "internal/store/dialect", "core/telemetry"},
	"internal/api":            []string{"core", "core/hook", "core/cron", "internal/realtime", "internal/auth", "core/filter", "internal/testenv", "internal/openapi", "core/telemetry"},
	"internal/openapi":        []string{"core"},
	"internal/typegen":        []string{"core"},
	"internal/realtime":       []string{"core", "core/hook", "core/telemetry"},
	"internal/auth":           []string{"core", "core/hook", "core/telemetry"},
	"internal/files":          []string{"core", "core/hook", "core/telemetry"},
	"internal/mail":           []string{"core", "core/hook", "core/telemetry"},
	"internal/cli":            []string{"core", "core/hook", "internal/openapi", "internal/typegen"},
	"hooks":                   []string{"core", "core/hook", "core/cron"},
	"migrations":              []string{"core", "core/hook", "core/cron"},
}

func rule(pkg string) ([]string, bool) {
	best := ""
	for p := range allowed {
		if (pkg == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(pkg, p))) && len(p) > len(best) {
			best = p
		}
	}
	if best == "" {
		return nil, false
	}
	return allowed[best], true
}

func TestImportDirection(t *testing.T) {
	root := repoRoot(t)
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "bench" || d.Name() == "e2e" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.HasPrefix(p, "github.com/labstack/echo") && !strings.HasPrefix(rel, "internal/api") {
				t.Errorf("%s imports echo; only internal/api may", path)
			}
			if strings.HasPrefix(p, "github.com/pocketbase/dbx") && !strings.HasPrefix(rel, "internal/store") {
				t.Errorf("%s imports dbx; only internal/store may", path)
			}
			isTest := strings.HasSuffix(path, "_test.go")
			// Tests may open the database file directly to verify what the
			// product wrote; product code may not.
			if strings.HasPrefix(p, "modernc.org/sqlite") && !strings.HasPrefix(rel, "internal/store/dialect/sqlite") && !isTest {
				t.Errorf("%s imports the SQLite driver; only its dialect may", path)
			}
			if strings.HasPrefix(p, "github.com/jackc/pgx") && !strings.HasPrefix(rel, "internal/store/dialect/postgres") && !isTest {
				t.Errorf("%s imports the PostgreSQL driver; only its dialect may", path)
			}
			// The tracing SDK and its exporters are the wiring's choice;
			// the rest of the code only speaks the otel API through
			// core/telemetry.
			if (strings.HasPrefix(p, "go.opentelemetry.io/otel/sdk") || strings.HasPrefix(p, "go.opentelemetry.io/otel/exporters")) && rel != "server" && !isTest {
				t.Errorf("%s imports %s; only server/ may pick the tracing SDK and exporter", path, p)
			}
			if !strings.HasPrefix(p, mod) {
				continue
			}
			target := strings.TrimPrefix(p, mod)
			if target == rel {
				continue // an external test package importing its package
			}
			ok, has := rule(rel)
			if !has {
				continue // main, server, testenv, admin: wiring packages
			}
			// Tests may use the test environments: the internal one and
			// the public harness.
			if strings.HasSuffix(path, "_test.go") && (target == "internal/testenv" || target == "tests" || strings.HasPrefix(target, "internal/testenv/") || strings.HasPrefix(target, "internal/store/dialect/")) {
				continue
			}
			permitted := false
			for _, a := range ok {
				if target == a {
					permitted = true
				}
			}
			if !permitted {
				t.Errorf("%s (%s) imports %s, which DESIGN §3 forbids", path, rel, target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoEngineSQLOutsideDialects is the SQL-leak test of DESIGN §4.
func TestNoEngineSQLOutsideDialects(t *testing.T) {
	root := repoRoot(t)
	banned := []string{"json_each", "json_extract", "PRAGMA", "sqlite_master", "_rowid_", "randomblob", "strftime(", "COLLATE NOCASE", "GLOB", "::jsonb", "ILIKE", "information_schema"}
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if strings.HasPrefix(rel, "internal/store/dialect") || strings.Contains(rel, "testdata") || rel == "internal/archtest" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		// The one exception, by name: the store's cluster change feed
		// (feed_postgres.go) exists only on PostgreSQL (LISTEN/NOTIFY,
		// xid8 snapshots, advisory locks) and runs only when the dialect
		// is PostgreSQL's. Its statements belong behind the dialect
		// interface; until they move there the file says what it is.
		if rel == "internal/store/feed_postgres.go" {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, b := range banned {
			if strings.Contains(string(raw), b) {
				t.Errorf("%s contains engine-specific SQL %q; move it into a dialect", rel, b)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoHomeMadeCrypto enforces DESIGN §10's "crypto comes from well-kept
// libraries": no package of ours may be named after a primitive we should
// import (issue #22 replaced a hand-written bcrypt with x/crypto's), and no
// product file may carry Blowfish's initial P-array, the tell-tale of a
// bcrypt or Blowfish written by hand.
func TestNoHomeMadeCrypto(t *testing.T) {
	root := repoRoot(t)
	bannedPkgs := map[string]bool{"bcrypt": true, "blowfish": true, "scrypt": true, "argon2": true, "pbkdf2": true,
		"hkdf": true, "hmac": true, "sha256": true, "sha512": true, "aes": true, "chacha20": true, "jwt": true}
	const blowfishP0 = "0x243f6a88" // first word of Blowfish's P-array (pi's hex digits)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (d.Name() == "node_modules" || d.Name() == "bench" || d.Name() == "e2e" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if bannedPkgs[filepath.Base(filepath.Dir(path))] {
			t.Errorf("%s: a home-made %s package; import the library instead", rel, filepath.Base(filepath.Dir(path)))
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(strings.ToLower(string(raw)), blowfishP0) {
			t.Errorf("%s holds Blowfish's P-array: bcrypt comes from golang.org/x/crypto/bcrypt", rel)
		}
		if strings.Contains(string(raw), "AWS4-HMAC-SHA256") {
			t.Errorf("%s builds SigV4 signatures itself: S3 requests are signed by aws-sdk-go-v2/aws/signer/v4", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
