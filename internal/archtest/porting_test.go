package archtest

import (
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// portingRoots maps the first word of a Basalt name in PORTING.md's
// table to a package, or to a type of one (the receivers the page
// names: app is a *core.App, e a *core.RequestEvent, ...).
var portingRoots = map[string][2]string{
	"core": {"core", ""}, "hook": {"core/hook", ""}, "cron": {"core/cron", ""},
	"server": {"server", ""}, "tests": {"tests", ""}, "migrations": {"migrations", ""},
	"app": {"core", "App"}, "e": {"core", "RequestEvent"}, "se": {"core", "ServeEvent"},
	"record": {"core", "Record"}, "collection": {"core", "Collection"}, "b": {"server", "Basalt"},
	"q": {"core", "RecordQueryBuilder"}, "ta": {"tests", "TestApp"}, "scenario": {"tests", "ApiScenario"},
}

var (
	codeSpan   = regexp.MustCompile("`([^`]+)`")
	nameChain  = regexp.MustCompile(`^\*?&?([a-z]+)((?:\.[A-Za-z_]\w*)+)`)
	innerParen = regexp.MustCompile(`\([^()]*\)|\{[^{}]*\}|\[[^\[\]]*\]`)
)

// TestPortingNamesExist reads the table of PORTING.md and resolves every
// Basalt name of its Basalt column (`app.FindRecordById(ctx, ...)`,
// `core.RequireAuth`, `tests.ApiScenario.ExpectedHeaders`) against the
// public packages' export data: a renamed or removed identifier fails
// the test, so the porting guide cannot drift from the code.
func TestPortingNamesExist(t *testing.T) {
	root := repoRoot(t)
	raw, err := os.ReadFile(filepath.Join(root, "PORTING.md"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := importPublic(t, root)
	rows, checked := 0, 0
	inTable := false
	for n, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "| PocketBase | Basalt |") {
			inTable = true
			continue
		}
		if !inTable || strings.HasPrefix(line, "|---") {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		cols := strings.Split(line, "|")
		if len(cols) < 4 {
			t.Errorf("PORTING.md:%d: not a three-column row", n+1)
			continue
		}
		rows++
		found := 0
		for _, m := range codeSpan.FindAllStringSubmatch(cols[2], -1) {
			chain, ok := portingChain(m[1])
			if !ok {
				continue
			}
			found++
			if err := resolvePorting(pkgs, chain); err != nil {
				t.Errorf("PORTING.md:%d: `%s`: %v", n+1, m[1], err)
			}
		}
		if found == 0 {
			t.Errorf("PORTING.md:%d: no Basalt name to check in %q", n+1, cols[2])
		}
		checked += found
	}
	// The page is long; a parser that stopped matching must not pass.
	t.Logf("checked %d Basalt names in %d rows", checked, rows)
	if rows < 50 || checked < 100 {
		t.Fatalf("checked %d names in %d rows; the table was not read", checked, rows)
	}
}

// portingChain turns a code span into the identifiers it names:
// "app.Cron().Add(id, expr, fn)" → [app Cron Add].
func portingChain(span string) ([]string, bool) {
	s := span
	for prev := ""; prev != s; {
		prev, s = s, innerParen.ReplaceAllString(s, "")
	}
	m := nameChain.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil, false
	}
	if _, ok := portingRoots[m[1]]; !ok {
		return nil, false
	}
	return append([]string{m[1]}, strings.Split(strings.TrimPrefix(m[2], "."), ".")...), true
}

func resolvePorting(pkgs map[string]*types.Package, chain []string) error {
	r := portingRoots[chain[0]]
	pkg := pkgs[mod+r[0]]
	var cur types.Type
	if r[1] != "" {
		obj := pkg.Scope().Lookup(r[1])
		if obj == nil {
			return fmt.Errorf("%s.%s does not exist", r[0], r[1])
		}
		cur, pkg = obj.Type(), nil
	}
	for _, id := range chain[1:] {
		var obj types.Object
		if pkg != nil {
			obj = pkg.Scope().Lookup(id)
			if obj == nil || !obj.Exported() {
				return fmt.Errorf("%s has no exported %s", pkg.Path(), id)
			}
			pkg = nil
		} else {
			if cur == nil {
				return fmt.Errorf("nothing to look %s up in", id)
			}
			obj, _, _ = types.LookupFieldOrMethod(cur, true, nil, id)
			if obj == nil {
				return fmt.Errorf("%s has no field or method %s", cur, id)
			}
		}
		cur = nil
		switch o := obj.(type) {
		case *types.Func:
			if res := o.Type().(*types.Signature).Results(); res.Len() > 0 {
				cur = res.At(0).Type()
			}
		default:
			cur = o.Type()
		}
	}
	return nil
}

// importPublic loads the public packages from the compiler's export
// data, as an importing module sees them.
func importPublic(t *testing.T, root string) map[string]*types.Package {
	t.Helper()
	paths := make([]string, len(publicPackages))
	for i, p := range publicPackages {
		paths[i] = mod + p
	}
	exports := exportData(t, root, paths)
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	out := map[string]*types.Package{}
	for _, p := range paths {
		pkg, err := imp.Import(p)
		if err != nil {
			t.Fatalf("import %s: %v", p, err)
		}
		out[p] = pkg
	}
	return out
}
