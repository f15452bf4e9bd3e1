package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sync/atomic"

	"golang.org/x/sync/singleflight"
)

// ThumbKey returns where the thumb of originalKey at size is cached:
// "<dir>/thumbs_<filename>/<size>_<filename>" (spec §9.3).
func ThumbKey(originalKey string, size ThumbSize) string {
	dir, name := path.Split(originalKey)
	return dir + "thumbs_" + name + "/" + size.String() + "_" + name
}

// ThumbsPrefix returns the prefix holding every cached thumb of originalKey,
// for DeletePrefix when the original is deleted or replaced.
func ThumbsPrefix(originalKey string) string {
	dir, name := path.Split(originalKey)
	return dir + "thumbs_" + name + "/"
}

// Thumbs serves thumbnails from a Storage, generating each one on first
// request and caching it beside the original. Concurrent first requests for
// the same thumb generate it once. The zero value is ready to use. Whether a
// size is allowed for a field (its thumbs list or 100x100) is the caller's
// decision, as is serving the original when Get fails.
type Thumbs struct {
	// MaxPixels bounds the source images' width×height; 0 means
	// DefaultMaxPixels.
	MaxPixels int64

	group singleflight.Group
	// generated counts thumbnails generated, for tests and metrics.
	generated atomic.Int64
}

// Generated returns how many thumbnails this service has generated.
func (t *Thumbs) Generated() int64 { return t.generated.Load() }

// Get returns the thumb of the object at originalKey, opened for reading.
// Errors wrap ErrNotFound (no original), ErrUnsupportedImage (not a
// thumbable image) or ErrImageTooLarge; on any error the caller serves the
// original instead (spec §1.6 F2).
func (t *Thumbs) Get(ctx context.Context, st Storage, originalKey string, size ThumbSize) (Object, error) {
	key := ThumbKey(originalKey, size)
	if obj, err := st.Open(ctx, key); err == nil {
		return obj, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}

	// The storage is part of the flight key so that two Thumbs users with
	// different storages never share a result.
	flight := fmt.Sprintf("%p\x00%s", st, key)
	ch := t.group.DoChan(flight, func() (any, error) {
		// Generation is shared by every waiter, so one client giving up
		// must not cancel it for the others.
		return nil, t.generate(context.WithoutCancel(ctx), st, originalKey, key, size)
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
	}
	return st.Open(ctx, key)
}

func (t *Thumbs) generate(ctx context.Context, st Storage, originalKey, key string, size ThumbSize) (err error) {
	// Decoders parse untrusted bytes; singleflight would re-panic a panic
	// on a fresh goroutine and kill the process, so turn it into an error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("thumb %s: %w: panic: %v", key, ErrUnsupportedImage, r)
		}
	}()
	// A flight that finished just before this one started may have
	// written the thumb already.
	if ok, err := st.Exists(ctx, key); err == nil && ok {
		return nil
	}
	src, err := st.Open(ctx, originalKey)
	if err != nil {
		return fmt.Errorf("thumb %s: %w", key, err)
	}
	defer src.Close()

	head := make([]byte, SniffLen)
	n, err := io.ReadFull(src, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("thumb %s: %w", key, err)
	}
	ct := DetectContentType(head[:n], originalKey)
	if !CanThumb(ct) {
		return fmt.Errorf("thumb %s: %w: %s", key, ErrUnsupportedImage, ct)
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("thumb %s: %w", key, err)
	}
	data, outCT, err := ThumbWithLimit(ctx, src, ct, size, t.MaxPixels)
	if err != nil {
		return fmt.Errorf("thumb %s: %w", key, err)
	}
	t.generated.Add(1)
	if err := st.Put(ctx, key, bytes.NewReader(data), int64(len(data)), outCT); err != nil {
		return fmt.Errorf("thumb %s: %w", key, err)
	}
	return nil
}
