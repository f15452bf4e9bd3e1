//go:build unix

package server

import (
	"fmt"
	"os"
	"syscall"
)

// reexec replaces the process with a fresh run of the same executable and
// arguments (the restart after an API restore).
func reexec() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("restart after restore: %w", err)
	}
	return fmt.Errorf("restart after restore: %w", syscall.Exec(exe, os.Args, os.Environ()))
}
