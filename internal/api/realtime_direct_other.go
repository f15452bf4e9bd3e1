//go:build !unix

package api

import (
	"errors"
	"syscall"
)

// directWrites tells whether this platform writes SSE frames directly
// from the broadcasting goroutine: not here, every frame goes through
// the stream goroutine.
const directWrites = false

func writeNonBlocking(syscall.RawConn, []byte) (int, error) {
	return 0, errors.New("api: no direct writes on this platform")
}
