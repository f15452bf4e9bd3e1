package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
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

// walIndex reads the WAL index of a database without taking SQLite's
// locks: how many committed frames are not yet checkpointed, and the
// header every commit rewrites.
//
// The file it reads must stay the one SQLite uses. SQLite deletes the
// index when the last connection of the last process closes and creates a
// new one on the next open, and the first opener after that truncates and
// rebuilds it; so the index pins a connection of its own that has the
// index open (a lock SQLite itself keeps on it says "in use" to every
// process), for as long as it reads. Without the pin, a descriptor kept
// across a moment with no connection read a deleted file's counters
// forever, and checking for that cost a stat per read.
//
// It keeps its descriptor of the file open until Close, which closes the
// pin first: SQLite locks the index with POSIX record locks, which belong
// to the process and are all released when the process closes any
// descriptor of the file. Opening and closing the file per read silently
// unlocked it for every other process — one started next to the server
// then took it for unused and rebuilt it under the server's feet
// (SQLITE_IOERR_IN_PAGE, broken reader/writer locks).
type walIndex struct {
	pool *sql.DB
	pin  *sql.Conn

	mu sync.RWMutex // Close against readers
	f  *os.File
	hd header // reads the file's first bytes; nil once closed
}

// header reads the start of the index file: from a shared mapping where
// the platform has one (no system call per read), otherwise with pread.
type header interface {
	read(b []byte) error
	close() error
}

// openWALIndex pins a connection of pool to the database at path (pool
// must hold no other; it is closed with the index), makes it open the
// index file, and opens the file for reading.
func openWALIndex(ctx context.Context, pool *sql.DB, path string) (*walIndex, error) {
	w := &walIndex{pool: pool}
	fail := func(err error) (*walIndex, error) {
		w.Close()
		return nil, fmt.Errorf("wal index: %w", err)
	}
	var err error
	if w.pin, err = pool.Conn(ctx); err != nil {
		return fail(err)
	}
	// A read transaction maps the index; the connection keeps it until
	// it closes.
	if err := w.pin.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(new(int)); err != nil {
		return fail(err)
	}
	if w.f, err = os.Open(path + "-shm"); err != nil {
		return fail(err)
	}
	if w.hd, err = newHeader(w.f, walIndexRead); err != nil {
		return fail(err)
	}
	return w, nil
}

// Backlog returns how many committed WAL frames (pages) are not yet in
// the database file. The value may be one commit old or torn by a
// concurrent commit: it decides when a background checkpoint is worth its
// fsyncs, never what is durable.
func (w *walIndex) Backlog() (int, error) {
	var b [walIndexRead]byte
	if err := w.read(b[:]); err != nil {
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
// (its change counter, frame count and salts), as an opaque token.
//
// A committing connection writes the second copy of the header, then the
// first; readers use the header to find the snapshot they read. So a
// header read after a commit returned differs from every header read
// before it, and a read that catches a commit half-way sees two different
// copies and reports ok == false.
func (w *walIndex) Version() (token string, ok bool) {
	var b [2 * walIndexHeader]byte
	if err := w.read(b[:]); err != nil {
		return "", false
	}
	first, second := b[:walIndexHeader], b[walIndexHeader:]
	if first[walIndexIsInit] == 0 || string(first) != string(second) {
		return "", false
	}
	return string(first), true
}

func (w *walIndex) read(b []byte) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.hd == nil {
		return errors.New("wal index closed")
	}
	return w.hd.read(b)
}

// Commits returns how many commits separate two Version tokens: the
// difference of their change counters, which SQLite increments once per
// committed transaction and never otherwise (a log restart or a
// checkpoint rewrites the header with the same counter: same data). ok is
// false for malformed tokens.
func Commits(from, to string) (n uint32, ok bool) {
	if len(from) != walIndexHeader || len(to) != walIndexHeader {
		return 0, false
	}
	change := func(t string) uint32 {
		return binary.NativeEndian.Uint32([]byte(t[walIndexChange : walIndexChange+4]))
	}
	return change(to) - change(from), true
}

// Close stops reading, closes the pinned connection and then the
// descriptor; call it only once the process has no other connection to
// the database left (see walIndex).
func (w *walIndex) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	var err error
	if w.hd != nil {
		err = w.hd.close()
		w.hd = nil
	}
	if w.pin != nil {
		err = errors.Join(err, w.pin.Close())
		w.pin = nil
	}
	err = errors.Join(err, w.pool.Close())
	if w.f != nil {
		err = errors.Join(err, w.f.Close())
		w.f = nil
	}
	return err
}
