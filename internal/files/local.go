package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// tempPrefix marks in-flight writes. Such files are never listed, and a
// crash leaves them behind only under this prefix, never under a final key.
const tempPrefix = ".basalt-tmp-"

// Local is a Storage on the local file system, rooted at a directory
// (normally pb_data/storage). Keys map to paths below the root.
type Local struct {
	root string
	// Sync makes Put fsync the file and its directory, so a stored file
	// survives power loss. NewLocal turns it on; without it a Put still
	// survives a process crash (the rename is atomic and the data is in
	// the page cache), matching SQLite's synchronous=NORMAL.
	Sync bool
}

var _ Storage = (*Local)(nil)

// NewLocal returns a Local rooted at dir, creating dir if needed.
func NewLocal(dir string) (*Local, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local storage root: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("local storage root: %w", err)
	}
	return &Local{root: abs, Sync: true}, nil
}

// Root returns the absolute directory the storage is rooted at.
func (l *Local) Root() string { return l.root }

func (l *Local) path(key string) (string, error) {
	if err := ValidateKey(key); err != nil {
		return "", err
	}
	return filepath.Join(l.root, filepath.FromSlash(key)), nil
}

// Put writes r to a temporary file in the destination directory, fsyncs it,
// renames it over the final name and fsyncs the directory, so that after a
// crash the key holds either the old or the new content, never a part.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	dir := filepath.Dir(p)
	tmp, err := l.createTemp(dir)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// A source that writes itself out (in-memory uploads, local files) is
	// copied in one call, without waiting on anything ctx could cancel;
	// streams are read in chunks that check ctx.
	src := io.Reader(ctxReader{ctx, r})
	if _, ok := r.(io.WriterTo); ok {
		src = r
	}
	n, err := io.Copy(tmp, src)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("put %s: %w: got %d bytes, want %d", key, ErrSizeMismatch, n, size)
	}
	if l.Sync {
		if err := tmp.Sync(); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	done = true
	if !l.Sync {
		return nil
	}
	return syncDir(dir)
}

// createTemp creates the directory and a temp file in it. It retries because
// a concurrent DeletePrefix may prune the just-created empty directory.
func (l *Local) createTemp(dir string) (*os.File, error) {
	// Try the directory first: it usually exists, or only its last level
	// is missing (a new record), so MkdirAll's walk up is rarely needed.
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	for range 5 {
		if err = os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			if err = os.MkdirAll(dir, 0o755); err != nil {
				continue
			}
		}
		if f, err = os.CreateTemp(dir, tempPrefix+"*"); err == nil || !errors.Is(err, fs.ErrNotExist) {
			return f, err
		}
	}
	return nil, err
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync dir: %w", err)
	}
	return nil
}

// Open opens the file at key.
func (l *Local) Open(ctx context.Context, key string) (Object, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, mapNotExist(key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", key, ErrNotFound)
	}
	return &localObject{File: f, size: st.Size(), mod: st.ModTime()}, nil
}

type localObject struct {
	*os.File
	size int64
	mod  time.Time
}

func (o *localObject) Size() int64         { return o.size }
func (o *localObject) ModTime() time.Time  { return o.mod }
func (o *localObject) ContentType() string { return "" }

// mapNotExist maps "no such file" to ErrNotFound. ENOTDIR counts too: it is
// what a lookup of "a/b" yields when "a" is a file.
func mapNotExist(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", key, err)
}

// Stat returns the metadata of the file at key.
func (l *Local) Stat(ctx context.Context, key string) (ObjectInfo, error) {
	p, err := l.path(key)
	if err != nil {
		return ObjectInfo{}, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return ObjectInfo{}, mapNotExist(key, err)
	}
	if st.IsDir() {
		return ObjectInfo{}, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	return ObjectInfo{Key: key, Size: st.Size(), ModTime: st.ModTime()}, nil
}

// Exists reports whether a file is stored at key.
func (l *Local) Exists(ctx context.Context, key string) (bool, error) {
	_, err := l.Stat(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Delete removes the file at key; a missing file is not an error. Empty
// parent directories are left alone (DeletePrefix prunes them) so that a
// concurrent Put into the same directory is not disturbed.
func (l *Local) Delete(ctx context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return fmt.Errorf("delete %s: %w", key, ErrNotFound)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// List walks the directory that holds prefix and returns the matching files.
func (l *Local) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	if err := validateKeyPrefix(prefix); err != nil {
		return nil, err
	}
	start := l.root
	if i := strings.LastIndex(prefix, "/"); i >= 0 {
		start = filepath.Join(l.root, filepath.FromSlash(prefix[:i]))
	}
	var out []ObjectInfo
	err := filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(l.root, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			// Skip directories that cannot contain matches.
			if p != start && !strings.HasPrefix(key+"/", prefix) && !strings.HasPrefix(prefix, key+"/") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || strings.HasPrefix(d.Name(), tempPrefix) || !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // deleted while walking
			}
			return err
		}
		out = append(out, ObjectInfo{Key: key, Size: info.Size(), ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// DeletePrefix removes the matching files and then every directory below
// the root that the deletion left empty.
func (l *Local) DeletePrefix(ctx context.Context, prefix string) error {
	if prefix == "" {
		return fmt.Errorf("%w: empty prefix", ErrInvalidKey)
	}
	objs, err := l.List(ctx, prefix)
	if err != nil {
		return err
	}
	var errs []error
	dirs := map[string]bool{}
	for _, o := range objs {
		if err := l.Delete(ctx, o.Key); err != nil {
			errs = append(errs, err)
			continue
		}
		dirs[filepath.Dir(filepath.Join(l.root, filepath.FromSlash(o.Key)))] = true
	}
	if strings.HasSuffix(prefix, "/") {
		dirs[filepath.Join(l.root, filepath.FromSlash(strings.TrimSuffix(prefix, "/")))] = true
	}
	// Deepest first, so a parent is tried after its children.
	sorted := make([]string, 0, len(dirs))
	for d := range dirs {
		sorted = append(sorted, d)
	}
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i]) > len(sorted[j]) })
	for _, d := range sorted {
		l.pruneEmpty(d)
	}
	return errors.Join(errs...)
}

// pruneEmpty removes dir and its ancestors while they are empty, stopping
// at the root. os.Remove fails on non-empty directories, which is the check.
func (l *Local) pruneEmpty(dir string) {
	for dir != l.root && strings.HasPrefix(dir, l.root+string(filepath.Separator)) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// Copy copies srcKey to dstKey through the same atomic write as Put.
func (l *Local) Copy(ctx context.Context, srcKey, dstKey string) error {
	src, err := l.Open(ctx, srcKey)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer src.Close()
	if err := l.Put(ctx, dstKey, src, src.Size(), ""); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	return nil
}
