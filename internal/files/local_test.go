package files

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocalStorage(t *testing.T) {
	t.Parallel()
	st, err := NewLocal(filepath.Join(t.TempDir(), "storage"))
	if err != nil {
		t.Fatal(err)
	}
	testStorage(t, st, "ns")
}

// failingReader yields some bytes, then an error, like a dropped upload.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(p), f.n)
	for i := range n {
		p[i] = 'x'
	}
	f.n -= n
	return n, nil
}

func TestLocalPutIsAtomic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	st, err := NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Put(ctx, "c/r/f.txt", strings.NewReader("old"), 3, ""); err != nil {
		t.Fatal(err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		r    io.Reader
		size int64
	}{
		{"reader fails midway", ctx, &failingReader{n: 100000}, 200000},
		{"context cancelled", cancelled, strings.NewReader("new"), 3},
		{"too many bytes", ctx, strings.NewReader("newer"), 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := st.Put(tc.ctx, "c/r/f.txt", tc.r, tc.size, ""); err == nil {
				t.Fatal("Put succeeded, want error")
			}
			got, err := os.ReadFile(filepath.Join(root, "c", "r", "f.txt"))
			if err != nil || string(got) != "old" {
				t.Errorf("file = %q, %v; want the old content", got, err)
			}
		})
	}
	// No temp files are left behind, and none would be listed.
	entries, _ := os.ReadDir(filepath.Join(root, "c", "r"))
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("dir holds %v, want only f.txt", names)
	}
}

func TestLocalDeletePrefixPrunesEmptyDirs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	root := t.TempDir()
	st, err := NewLocal(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"col/rec/a.png", "col/rec/thumbs_a.png/100x100_a.png", "col/other/b.png"} {
		if err := st.Put(ctx, key, strings.NewReader("x"), 1, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.DeletePrefix(ctx, "col/rec/"); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"col/rec/thumbs_a.png", "col/rec"} {
		if _, err := os.Stat(filepath.Join(root, dir)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still exists (err %v)", dir, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "col", "other", "b.png")); err != nil {
		t.Errorf("sibling removed: %v", err)
	}
	// Deleting the last record dir prunes the collection dir but never the root.
	if err := st.DeletePrefix(ctx, "col/"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "col")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("col still exists (err %v)", err)
	}
	if _, err := os.Stat(root); err != nil {
		t.Errorf("root removed: %v", err)
	}
}

func TestLocalKeyStaysInsideRoot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := t.TempDir()
	st, err := NewLocal(filepath.Join(base, "storage"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../escape.txt", "a/../../escape.txt", "/etc/passwd", `..\escape.txt`} {
		if err := st.Put(ctx, key, strings.NewReader("x"), 1, ""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	if _, err := os.Stat(filepath.Join(base, "escape.txt")); err == nil {
		t.Error("a file escaped the storage root")
	}
	// A key whose parent is a file is simply not found.
	if err := st.Put(ctx, "c/r/f", strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Open(ctx, "c/r/f/g"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open under a file = %v, want ErrNotFound", err)
	}
	// A directory is not an object.
	if _, err := st.Open(ctx, "c/r"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(dir) = %v, want ErrNotFound", err)
	}
}
