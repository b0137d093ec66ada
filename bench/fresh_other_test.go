//go:build !linux

package bench_test

// maxRSS returns 0: only Linux's peak resident memory is read.
func maxRSS() uint64 { return 0 }
