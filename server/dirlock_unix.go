//go:build unix

package server

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// errDataDirBusy reports a data dir locked by another process.
var errDataDirBusy = errors.New("the data dir is in use by a running server; stop it first")

// lockDataDir takes an advisory lock on the data dir itself (flock on the
// directory): shared by `serve` for its lifetime, exclusive by `backup
// restore`, so a restore never swaps the directory under a running
// server. The lock goes with the process (and with exec, the descriptor
// being close-on-exec).
func lockDataDir(dir string, exclusive bool) (release func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errDataDirBusy
		}
		return nil, fmt.Errorf("lock the data dir: %w", err)
	}
	return func() { f.Close() }, nil
}
