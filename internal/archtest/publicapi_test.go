package archtest

import (
	"bufio"
	"bytes"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// publicPackages are the packages a program extending Basalt imports
// (DESIGN §2); everything under internal/ is out of its reach.
var publicPackages = []string{"core", "core/hook", "core/cron", "core/filter", "server", "hooks", "migrations", "admin", "tests"}

// TestPublicAPIHasNoInternalTypes type-checks the public packages (from
// the compiler's export data, so the check sees what an importer sees)
// and fails when an exported identifier's type, signature, field or
// method mentions a type declared under internal/: such an identifier
// cannot be used from another module (issue 25).
func TestPublicAPIHasNoInternalTypes(t *testing.T) {
	root := repoRoot(t)
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
	for _, path := range paths {
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		for _, leak := range internalLeaks(pkg) {
			t.Errorf("%s: exported API mentions an internal type: %s", strings.TrimPrefix(path, mod), leak)
		}
	}
}

// TestInternalLeaksFindsEveryPosition checks the walker on a package
// built here, so the test above cannot pass by missing a position.
func TestInternalLeaksFindsEveryPosition(t *testing.T) {
	internalPkg := types.NewPackage(mod+"internal/x", "x")
	secret := types.NewNamed(types.NewTypeName(token.NoPos, internalPkg, "Secret", nil), types.Typ[types.Int], nil)
	pub := types.NewPackage(mod+"pub", "pub")
	param := func(typ types.Type) *types.Tuple { return types.NewTuple(types.NewParam(token.NoPos, pub, "v", typ)) }
	structType := func(field string) types.Object {
		st := types.NewStruct([]*types.Var{types.NewField(token.NoPos, pub, field, secret, false)}, nil)
		tn := types.NewTypeName(token.NoPos, pub, "T", nil)
		types.NewNamed(tn, st, nil)
		return tn
	}
	cases := []struct {
		name string
		obj  func() types.Object
		want bool
	}{
		{"func parameter", func() types.Object {
			return types.NewFunc(token.NoPos, pub, "F", types.NewSignatureType(nil, nil, nil, param(types.NewPointer(secret)), nil, false))
		}, true},
		{"func result in a slice", func() types.Object {
			return types.NewFunc(token.NoPos, pub, "F", types.NewSignatureType(nil, nil, nil, nil, param(types.NewSlice(secret)), false))
		}, true},
		{"variable of a map", func() types.Object {
			return types.NewVar(token.NoPos, pub, "V", types.NewMap(types.Typ[types.String], secret))
		}, true},
		{"exported struct field", func() types.Object { return structType("Field") }, true},
		{"unexported struct field", func() types.Object { return structType("field") }, false},
		{"unexported func", func() types.Object {
			return types.NewFunc(token.NoPos, pub, "f", types.NewSignatureType(nil, nil, nil, param(secret), nil, false))
		}, false},
		{"public types only", func() types.Object {
			return types.NewFunc(token.NoPos, pub, "F", types.NewSignatureType(nil, nil, nil, param(types.Typ[types.String]), nil, false))
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := types.NewPackage(mod+"pub", "pub")
			obj := tc.obj()
			p.Scope().Insert(obj)
			got := len(internalLeaks(p)) > 0
			if got != tc.want {
				t.Fatalf("leak found = %v, want %v (%v)", got, tc.want, internalLeaks(p))
			}
		})
	}
}

// exportData maps every package the given ones depend on to its export
// data file, built by the go command (from its cache when up to date).
func exportData(t *testing.T, root string, paths []string) map[string]string {
	t.Helper()
	args := append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, paths...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v\n%s", err, stderr.String())
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		path, file, _ := strings.Cut(sc.Text(), "\t")
		m[path] = file
	}
	return m
}

// internalLeaks lists, for pkg's exported identifiers, each one whose
// declaration mentions a type of an internal package.
func internalLeaks(pkg *types.Package) []string {
	var leaks []string
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		w := &leakWalker{seen: map[types.Type]bool{}}
		if tn, ok := obj.(*types.TypeName); ok {
			w.declared(tn)
		} else {
			w.walk(obj.Type())
		}
		for _, found := range w.found {
			leaks = append(leaks, fmt.Sprintf("%s mentions %s", name, found))
		}
	}
	sort.Strings(leaks)
	return leaks
}

type leakWalker struct {
	seen  map[types.Type]bool
	found []string
}

// declared walks a type declared by the package itself: what an importer
// can reach of it (its exported fields and methods, with those promoted
// from embedded fields), not its hidden parts.
func (w *leakWalker) declared(tn *types.TypeName) {
	typ := tn.Type()
	if tn.IsAlias() {
		w.walk(typ)
		return
	}
	named, ok := typ.(*types.Named)
	if !ok {
		w.walk(typ)
		return
	}
	if tps := named.TypeParams(); tps != nil {
		for i := 0; i < tps.Len(); i++ {
			w.walk(tps.At(i).Constraint())
		}
	}
	w.walk(named.Underlying())
	for _, recv := range []types.Type{named, types.NewPointer(named)} {
		ms := types.NewMethodSet(recv)
		for i := 0; i < ms.Len(); i++ {
			if m := ms.At(i).Obj(); m.Exported() {
				w.walk(m.Type())
			}
		}
	}
}

func (w *leakWalker) walk(typ types.Type) {
	if typ == nil || w.seen[typ] {
		return
	}
	w.seen[typ] = true
	switch t := typ.(type) {
	case *types.Alias:
		w.walk(types.Unalias(t))
	case *types.Named:
		if p := t.Obj().Pkg(); p != nil && isInternal(p.Path()) {
			w.found = append(w.found, p.Path()+"."+t.Obj().Name())
		}
		// A public named type is checked where it is declared; only its
		// type arguments belong to this mention.
		if args := t.TypeArgs(); args != nil {
			for i := 0; i < args.Len(); i++ {
				w.walk(args.At(i))
			}
		}
	case *types.Pointer:
		w.walk(t.Elem())
	case *types.Slice:
		w.walk(t.Elem())
	case *types.Array:
		w.walk(t.Elem())
	case *types.Chan:
		w.walk(t.Elem())
	case *types.Map:
		w.walk(t.Key())
		w.walk(t.Elem())
	case *types.Signature:
		for _, tup := range []*types.Tuple{t.Params(), t.Results()} {
			for i := 0; i < tup.Len(); i++ {
				w.walk(tup.At(i).Type())
			}
		}
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if f := t.Field(i); f.Exported() {
				w.walk(f.Type())
			}
		}
	case *types.Interface:
		for i := 0; i < t.NumMethods(); i++ {
			if m := t.Method(i); m.Exported() {
				w.walk(m.Type())
			}
		}
		for i := 0; i < t.NumEmbeddeds(); i++ {
			w.walk(t.EmbeddedType(i))
		}
	case *types.Union:
		for i := 0; i < t.Len(); i++ {
			w.walk(t.Term(i).Type())
		}
	}
}

// isInternal reports whether path is an internal package (Go's rule: an
// "internal" path element).
func isInternal(path string) bool {
	return strings.HasSuffix(path, "/internal") || strings.Contains(path, "/internal/") || strings.HasPrefix(path, "internal/")
}
