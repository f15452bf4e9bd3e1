package scenario

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/basalthq/basalt/bench/internal/stats"
)

// RSSKB returns the resident set size (VmRSS) of process pid in KiB.
func RSSKB(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				break
			}
			return strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// ProcessCPU returns the user plus system CPU time process pid has used,
// from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s: the
// value of USER_HZ on every Linux architecture Go supports).
func ProcessCPU(pid int) (time.Duration, error) {
	if pid <= 0 {
		return 0, fmt.Errorf("no pid")
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(raw))
}

// parseStatCPU reads utime + stime from a /proc/PID/stat line. The command
// name (field 2) is in parentheses and may hold spaces, so fields are
// counted from the last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed stat line")
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state): utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("malformed stat line: %d fields", len(f)+2)
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("malformed stat line: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// SelfCPU returns the user plus system CPU time of this process.
func SelfCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// CPUPerRequest stores cpu ÷ s.Requests in microseconds as s.Extra[key]:
// how much CPU one request cost, which the host's speed swings move far
// less than the request rate. Nothing is stored without requests.
func CPUPerRequest(s *stats.Summary, key string, cpu time.Duration) {
	if s.Requests == 0 {
		return
	}
	if s.Extra == nil {
		s.Extra = map[string]float64{}
	}
	s.Extra[key] = float64(cpu.Microseconds()) / float64(s.Requests)
}

// RSSSampler polls a process's RSS and remembers the peak.
type RSSSampler struct {
	mu   sync.Mutex
	peak int64
	stop context.CancelFunc
	done chan struct{}
}

// StartRSSSampler samples pid every interval until Stop is called. It
// returns nil when pid is 0.
func StartRSSSampler(pid int, interval time.Duration) *RSSSampler {
	if pid <= 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &RSSSampler{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if kb, err := RSSKB(pid); err == nil {
				s.mu.Lock()
				s.peak = max(s.peak, kb)
				s.mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends sampling and returns the peak RSS in KiB (0 for a nil sampler).
func (s *RSSSampler) Stop() int64 {
	if s == nil {
		return 0
	}
	s.stop()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// RaiseNoFile raises RLIMIT_NOFILE to want (or as far as the hard limit
// allows, raising the hard limit too when privileged) and returns the soft
// limit in force afterwards.
func RaiseNoFile(want uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur >= want {
		return lim.Cur, nil
	}
	try := syscall.Rlimit{Cur: want, Max: max(want, lim.Max)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &try); err != nil {
		// Not privileged: settle for the hard limit.
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, err
		}
	}
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	return lim.Cur, nil
}
