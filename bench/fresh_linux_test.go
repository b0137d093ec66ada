package bench_test

import (
	"bytes"
	"os"
	"strconv"
)

// maxRSS returns the calling process's peak resident memory in bytes
// (VmHWM), or 0 if it cannot be read. The rusage of a waited-for child
// would not do: Linux folds into it the resident memory of the parent
// the child was started from.
func maxRSS() uint64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(status) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseUint(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}
