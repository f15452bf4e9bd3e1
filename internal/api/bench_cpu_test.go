package api_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock measures the process's CPU time (user + system) over a
// benchmark loop: on a shared machine, wall time per op swings with the
// neighbours' load while the CPU our code burns per op does not, so the
// benchmarks also report cpu-ns/op.
type cpuClock struct{ start time.Duration }

func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{processCPU()} }

func (c cpuClock) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-c.start)/float64(b.N), "cpu-ns/op")
	}
}
