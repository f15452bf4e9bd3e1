package server

import (
	"bytes"
	"context"
	"io"

	"github.com/basalthq/basalt/core"
	"github.com/basalthq/basalt/internal/files"
)

// fileStore adapts internal/files to core.FileStore.
type fileStore struct {
	st files.Storage
}

func newFileStore(dir string) (*fileStore, error) {
	local, err := files.NewLocal(dir)
	if err != nil {
		return nil, err
	}
	return &fileStore{st: local}, nil
}

func (f *fileStore) Put(ctx context.Context, key string, file *core.File) error {
	r, err := file.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	return f.st.Put(ctx, key, r, file.Size, file.ContentType)
}

func (f *fileStore) Delete(ctx context.Context, key string) error {
	if err := f.st.Delete(ctx, key); err != nil {
		return err
	}
	_ = f.st.DeletePrefix(ctx, files.ThumbsPrefix(key))
	return nil
}

func (f *fileStore) DeletePrefix(ctx context.Context, prefix string) error {
	return f.st.DeletePrefix(ctx, prefix)
}

func (f *fileStore) Prepare(file *core.File) error {
	r, err := file.Open()
	if err != nil {
		return err
	}
	head := make([]byte, files.SniffLen)
	n, _ := io.ReadFull(r, head)
	r.Close()
	head = head[:n]
	if err := files.CheckImageClaim(head, file.OriginalName); err != nil {
		return err
	}
	file.ContentType = files.DetectContentType(bytes.Clone(head), file.OriginalName)
	file.Name = files.NormalizeFilename(file.OriginalName, head, files.RandomString)
	return nil
}
