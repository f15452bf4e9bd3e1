package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// The WAL index (the "-shm" file) starts with two copies of its header
// and the checkpoint information, in the host's byte order (SQLite's
// documented file format, "WAL-index format"):
//
//	offset 8   iChange    counter incremented by every transaction that commits
//	offset 12  isInit     non-zero once the header is valid
//	offset 16  mxFrame    frames in the WAL that belong to committed transactions
//	offset 32  salts      changed every time the WAL restarts
//	offset 48  the second copy of the 48-byte header
//	offset 96  nBackfill  frames already copied into the database file
const (
	walIndexHeader    = 48
	walIndexChange    = 8
	walIndexIsInit    = 12
	walIndexMxFrame   = 16
	walIndexNBackfill = 96
	walIndexRead      = walIndexNBackfill + 4
)

// walIndex reads the committed-but-not-checkpointed frame count of a
// database from its WAL index, without taking SQLite's locks.
//
// It keeps its descriptor of the -shm file open until Close, which the
// store calls after closing every connection: SQLite locks the index with
// POSIX record locks, which belong to the process and are all released
// when the process closes any descriptor of the file. Opening and closing
// the file per read silently unlocked it for every other process — one
// started next to the server then took it for unused and rebuilt it under
// the server's feet (SQLITE_IOERR_IN_PAGE, broken reader/writer locks).
type walIndex struct {
	path string

	mu   sync.Mutex
	f    *os.File
	info os.FileInfo // of f, to notice the file being replaced
	// gen counts the files f has been: tokens of different files are not
	// comparable (a new index restarts its change counter).
	gen uint64
}

// Backlog returns how many committed WAL frames (pages) are not yet in
// the database file. The value may be one commit old or torn by a
// concurrent commit: it decides when a background checkpoint is worth its
// fsyncs, never what is durable.
func (w *walIndex) Backlog() (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.current(); err != nil {
		return 0, err
	}
	var b [walIndexRead]byte
	if _, err := w.f.ReadAt(b[:], 0); err != nil {
		if errors.Is(err, io.EOF) {
			return 0, fmt.Errorf("wal index %s: too short", w.path)
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

// Version returns the WAL-index header, which every commit rewrites
// (its change counter, frame count and salts), and which file it was read
// from, as an opaque token.
//
// A committing connection writes the second copy of the header, then the
// first; readers use the header to find the snapshot they read. So a
// header read after a commit returned differs from every header read
// before it, and a read that catches a commit half-way sees two different
// copies and reports ok == false.
func (w *walIndex) Version() (token string, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.current(); err != nil {
		return "", false
	}
	var b [2*walIndexHeader + 8]byte
	if _, err := w.f.ReadAt(b[:2*walIndexHeader], 0); err != nil {
		return "", false
	}
	first, second := b[:walIndexHeader], b[walIndexHeader:2*walIndexHeader]
	if first[walIndexIsInit] == 0 || string(first) != string(second) {
		return "", false
	}
	binary.LittleEndian.PutUint64(b[walIndexHeader:], w.gen)
	return string(b[:walIndexHeader+8]), true
}

// Commits returns how many commits separate two Version tokens: the
// difference of their change counters, which SQLite increments once per
// committed transaction and never otherwise (a log restart or a
// checkpoint rewrites the header with the same counter: same data). ok is
// false for tokens of different index files or malformed ones.
func Commits(from, to string) (n uint32, ok bool) {
	const size = walIndexHeader + 8
	if len(from) != size || len(to) != size || from[walIndexHeader:] != to[walIndexHeader:] {
		return 0, false
	}
	change := func(t string) uint32 {
		return binary.NativeEndian.Uint32([]byte(t[walIndexChange : walIndexChange+4]))
	}
	return change(to) - change(from), true
}

// current makes w.f the file now at w.path. SQLite deletes the index when
// the last connection to the database closes and creates a new one on the
// next open; a descriptor of the deleted file would report stale counts.
// Closing that old descriptor is safe: SQLite's locks are on the new file.
func (w *walIndex) current() error {
	info, err := os.Stat(w.path)
	if err != nil {
		return err
	}
	if w.f != nil && os.SameFile(info, w.info) {
		return nil
	}
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	w.gen++
	f, err := os.Open(w.path)
	if err != nil {
		return err
	}
	if w.info, err = f.Stat(); err != nil {
		f.Close()
		return err
	}
	w.f = f
	return nil
}

// Close closes the descriptor; call it only once the process has no
// connection to the database left (see walIndex).
func (w *walIndex) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
