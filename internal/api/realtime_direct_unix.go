//go:build unix

package api

import (
	"errors"
	"syscall"
)

// directWrites tells whether this platform writes SSE frames directly
// from the broadcasting goroutine.
const directWrites = true

// writeNonBlocking writes what the socket takes now. It returns 0 and no
// error when the socket buffer is full (or the call was interrupted).
func writeNonBlocking(rc syscall.RawConn, p []byte) (int, error) {
	var (
		n    int
		werr error
	)
	err := rc.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), p)
		return true // never wait for the socket: the caller queues instead
	})
	if err != nil {
		return 0, err
	}
	if errors.Is(werr, syscall.EAGAIN) || errors.Is(werr, syscall.EINTR) {
		return 0, nil
	}
	if werr != nil {
		return 0, werr
	}
	return n, nil
}
