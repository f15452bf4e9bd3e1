//go:build linux || darwin || freebsd || netbsd || openbsd

package sqlite_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// shmDMSByte is the byte of the WAL index that every process with the
// database open holds a shared POSIX lock on (SQLite's "DMS" slot, after
// the eight WAL locks at offset 120): a process that can take it
// exclusively believes it is alone and rebuilds — truncates — the index.
const shmDMSByte = 128

// TestWALBacklogKeepsLocks: reading the WAL index must not drop SQLite's
// locks on it. POSIX record locks belong to the process and are all
// released when it closes any descriptor of the file, so an estimate
// that opens and closes the -shm file on every call silently unlocked it
// for every other process: a `superuser upsert` started next to a server
// then truncated the index under it (SQLITE_IOERR_IN_PAGE) or broke
// the WAL's reader/writer locks. A second process checks the lock.
func TestWALBacklogKeepsLocks(t *testing.T) {
	conns, path := openWithTable(t)
	if got := shmLockSeenFromOutside(t, path+"-shm"); got != "read" {
		t.Fatalf("before reading the backlog, another process sees the DMS lock as %q, want read", got)
	}
	for range 3 {
		if _, err := conns.WALBacklog(); err != nil {
			t.Fatal(err)
		}
		if _, err := conns.Writer.Exec("INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
	}
	if got := shmLockSeenFromOutside(t, path+"-shm"); got != "read" {
		t.Fatalf("after reading the backlog, another process sees the DMS lock as %q, want read (our locks were dropped)", got)
	}
}

// shmLockSeenFromOutside runs this test binary as a child process that
// asks the kernel who would block an exclusive lock on shmDMSByte.
func shmLockSeenFromOutside(t *testing.T, shm string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperShmLock$")
	cmd.Env = append(os.Environ(), "BASALT_SHM_LOCK_PROBE="+shm)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("probe: %v\n%s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		if v, ok := strings.CutPrefix(line, "lock="); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("probe printed no lock:\n%s", out)
	return ""
}

// TestHelperShmLock is the child side of shmLockSeenFromOutside; it does
// nothing in a normal run.
func TestHelperShmLock(t *testing.T) {
	shm := os.Getenv("BASALT_SHM_LOCK_PROBE")
	if shm == "" {
		t.Skip("helper process only")
	}
	f, err := os.OpenFile(shm, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: shmDMSByte, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		t.Fatal(err)
	}
	switch lk.Type {
	case syscall.F_RDLCK:
		fmt.Println("lock=read")
	case syscall.F_WRLCK:
		fmt.Println("lock=write")
	default:
		fmt.Println("lock=none")
	}
}
