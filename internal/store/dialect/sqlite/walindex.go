package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// The WAL index (the "-shm" file) starts with two copies of its header
// and the checkpoint information, in the host's byte order (SQLite's
// documented file format, "WAL-index format"):
//
//	offset 16  mxFrame    frames in the WAL that belong to committed transactions
//	offset 96  nBackfill  frames already copied into the database file
const (
	walIndexMxFrame   = 16
	walIndexNBackfill = 96
	walIndexRead      = walIndexNBackfill + 4
)

// walBacklog returns a function reporting how many committed WAL frames
// (pages) of the database at path are not yet in the database file.
//
// It reads the WAL index without taking SQLite's locks, so a value may
// be one commit old or torn by a concurrent commit: it decides when a
// background checkpoint is worth its fsyncs, never what is durable.
func walBacklog(path string) func() (int, error) {
	shm := path + "-shm"
	return func() (int, error) {
		f, err := os.Open(shm)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		var b [walIndexRead]byte
		if _, err := io.ReadFull(f, b[:]); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return 0, fmt.Errorf("wal index %s: too short", shm)
			}
			return 0, err
		}
		mx := binary.NativeEndian.Uint32(b[walIndexMxFrame:])
		done := binary.NativeEndian.Uint32(b[walIndexNBackfill:])
		if done >= mx {
			return 0, nil
		}
		return int(mx - done), nil
	}
}
