package bench_test

import (
	"os"
	"syscall"
)

// maxRSS returns the peak resident memory of an ended process, in bytes.
func maxRSS(ps *os.ProcessState) uint64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return uint64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	return 0
}
