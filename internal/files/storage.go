package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// ErrNotFound is returned (possibly wrapped) when a key does not exist.
var ErrNotFound = errors.New("files: not found")

// ErrInvalidKey is returned (wrapped) for keys that could escape the storage
// root or that the backends cannot represent the same way.
var ErrInvalidKey = errors.New("files: invalid key")

// ErrSizeMismatch is returned by Put when the reader yields a different
// number of bytes than the size the caller announced.
var ErrSizeMismatch = errors.New("files: size mismatch")

// Storage is a flat key/value store of files. Keys look like
// "<collectionId>/<recordId>/<filename>"; see [ValidateKey] for the exact
// rules. Implementations are safe for concurrent use.
type Storage interface {
	// Put stores the content of r under key, replacing any previous object.
	// size is the exact number of bytes r yields, or -1 if unknown.
	// contentType is recorded where the backend supports it (S3) and ignored
	// otherwise. A failed Put never leaves a partial object under key.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error

	// Open returns a seekable reader of the object at key, or an error
	// wrapping ErrNotFound. The caller must Close it.
	Open(ctx context.Context, key string) (Object, error)

	// Stat returns the metadata of the object at key, or an error wrapping
	// ErrNotFound.
	Stat(ctx context.Context, key string) (ObjectInfo, error)

	// Exists reports whether an object is stored under key.
	Exists(ctx context.Context, key string) (bool, error)

	// Delete removes the object at key. Deleting a missing key is not an
	// error, so cleanup can be retried.
	Delete(ctx context.Context, key string) error

	// DeletePrefix removes every object whose key starts with prefix (a
	// plain string prefix: end it with "/" to mean a directory). An empty
	// prefix is refused. Failures of individual deletions are joined with
	// errors.Join; the other deletions still happen.
	DeletePrefix(ctx context.Context, prefix string) error

	// List returns the objects whose key starts with prefix (a plain
	// string prefix; "" lists everything), sorted by key.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)

	// Copy duplicates the object at srcKey to dstKey.
	Copy(ctx context.Context, srcKey, dstKey string) error
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key     string
	Size    int64
	ModTime time.Time
	// ContentType is the type recorded at Put time, "" when the backend does
	// not record one (Local) or did not report it (List). Serve detects the
	// type from the bytes instead of trusting it.
	ContentType string
}

// Object is an open stored file: a seekable reader plus its metadata.
type Object interface {
	io.ReadSeekCloser
	// Size is the object's length in bytes.
	Size() int64
	// ModTime is the time the object was last written.
	ModTime() time.Time
	// ContentType is as in ObjectInfo.ContentType.
	ContentType() string
}

// maxKeyLen bounds keys; S3 allows 1024 bytes and so do we.
const maxKeyLen = 1024

// ValidateKey reports whether key is acceptable to every Storage: non-empty,
// at most 1024 bytes, made of slash-separated segments that are
// neither empty, "." nor "..", and no NUL, backslash or leading slash. It
// returns an error wrapping ErrInvalidKey otherwise.
//
// Backslashes are refused because on Windows they are separators and a key
// like `a\..\..\x` would escape the root; refusing them everywhere keeps keys
// portable between backends.
func ValidateKey(key string) error {
	if err := validateKeyPrefix(key); err != nil {
		return err
	}
	if key == "" || strings.HasSuffix(key, "/") {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	return nil
}

// validateKeyPrefix applies the key rules to a prefix, whose last segment
// may be partial or empty (a trailing slash).
func validateKeyPrefix(prefix string) error {
	bad := func() error { return fmt.Errorf("%w: %q", ErrInvalidKey, prefix) }
	if len(prefix) > maxKeyLen || strings.ContainsAny(prefix, "\x00\\") || strings.HasPrefix(prefix, "/") {
		return bad()
	}
	segs := strings.Split(prefix, "/")
	for i, s := range segs {
		last := i == len(segs)-1
		if (s == "" && !last) || s == "." || s == ".." {
			return bad()
		}
	}
	return nil
}

// ctxReader makes a long copy stop when the context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
