//go:build unix

package sqlite

import (
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
)

// mappedHeader reads the index through a read-only shared mapping of its
// first page: the same memory SQLite's connections write, so a read costs
// a copy, not a system call (a stat and a pread were 2–4% of a create and
// a third of a list's expand).
type mappedHeader struct {
	mem []byte
}

func newHeader(f *os.File, n int) (header, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size() < int64(n) {
		return nil, fmt.Errorf("%s: %d bytes, too short", f.Name(), info.Size())
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, os.Getpagesize(), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	return &mappedHeader{mem: mem}, nil
}

// read copies the start of the index. The pinned connection keeps the
// file from being truncated, but should anything shorten it anyway, the
// access faults: the fault is turned into an error here rather than
// taking the process down.
func (m *mappedHeader) read(b []byte) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("wal index: %v", r)
		}
	}()
	copy(b, m.mem)
	return nil
}

func (m *mappedHeader) close() error { return syscall.Munmap(m.mem) }
