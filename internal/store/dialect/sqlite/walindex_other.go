//go:build !unix

package sqlite

import (
	"errors"
	"io"
	"os"
)

// readHeader reads the index with pread where there is no shared mapping
// to read it from.
type readHeader struct {
	f *os.File
}

func newHeader(f *os.File, n int) (header, error) { return readHeader{f}, nil }

func (r readHeader) read(b []byte) error {
	if _, err := r.f.ReadAt(b, 0); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("wal index too short")
		}
		return err
	}
	return nil
}

func (readHeader) close() error { return nil }
