package files

import (
	"os/exec"
	"syscall"
)

// killWithParent makes the kernel stop the S3 test server if the test
// binary dies without running TestMain's cleanup (e.g. a -timeout panic).
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
