//go:build !unix

package server

import "errors"

// reexec is unavailable without exec(2): the data is restored and the
// process exits; a supervisor (service manager, container runtime) starts
// it again.
func reexec() error {
	return errors.New("backup restored; start the server again (no in-place restart on this platform)")
}
