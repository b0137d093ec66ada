package bench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// Some workloads are measured in a process of their own, as a user meets
// them. In a process that ran other work first, the Go runtime hands out
// again what that work left behind — goroutines with their stacks, heap
// spans, memory the kernel has already mapped — so whichever side of a
// comparison runs second parks faster and seems to hold less memory (W5's
// simulator column measured 3.23 KiB per task on its first run and 2.72 on
// its second; plain goroutines parked 4.9 µs each in a fresh process and
// 1.9 after a simulation). BenchmarkW5Parked, BenchmarkScaleParkDrop and
// BenchmarkScaleMillionParkDrop therefore run each measurement in a new process
// of the test binary (TestFreshChild), one after another, so the sides of a
// comparison are measured alike within one `go test -bench` run.

// freshEnv names the measurement a child process makes: "name:n".
const freshEnv = "WEFT_BENCH_FRESH"

// freshPrefix starts the line on which a child reports its measurement.
const freshPrefix = "weft-bench-fresh: "

// freshResult is one child's measurement.
type freshResult struct {
	Park, Drop time.Duration // BenchmarkScaleParkDrop's phases: parking n tasks, then dropping or releasing them
	Peak       uint64        // heap and stack in use with every task parked, above the start
	MaxRSS     uint64        // the child's peak resident memory, in bytes (0 where unknown)
}

// freshRuns are the measurements a child can make, by name; n is the
// task count.
var freshRuns = map[string]func(t *testing.T, n int) freshResult{
	"parkdrop-sim": func(t *testing.T, n int) (r freshResult) {
		var end time.Time
		f := parkDropSim(n, &r)
		inSim(t, func(ctx context.Context) error {
			err := f(ctx)
			end = time.Now()
			return err
		})
		r.Drop = time.Since(end)
		return r
	},
	"parkdrop-goroutines": func(_ *testing.T, n int) (r freshResult) {
		parkDropGoroutines(n, &r)
		return r
	},
	"w5-sim": func(t *testing.T, n int) (r freshResult) {
		inSim(t, w5Run(n, func(v uint64) { r.Peak = v }))
		return r
	},
	"w5-prod": func(t *testing.T, n int) (r freshResult) {
		inProd(t, w5Run(n, func(v uint64) { r.Peak = v }))
		return r
	},
	"w5-goroutines": func(_ *testing.T, n int) (r freshResult) {
		w5Goroutines(n, func(v uint64) { r.Peak = v })
		return r
	},
	"w5-synctest": func(t *testing.T, n int) (r freshResult) {
		synctest.Test(t, func(*testing.T) { w5Goroutines(n, func(v uint64) { r.Peak = v }) })
		return r
	},
}

// TestFreshChild is a child process's measurement (see freshEnv); without
// the variable it has nothing to do.
func TestFreshChild(t *testing.T) {
	spec, ok := os.LookupEnv(freshEnv)
	if !ok {
		t.Skip("a benchmark's measurement in a process of its own: the benchmarks run it")
	}
	name, count, _ := strings.Cut(spec, ":")
	run := freshRuns[name]
	n, err := strconv.Atoi(count)
	if run == nil || err != nil || n <= 0 {
		names := make([]string, 0, len(freshRuns))
		for k := range freshRuns {
			names = append(names, k)
		}
		slices.Sort(names)
		t.Fatalf("%s=%q: want NAME:N, N a task count and NAME one of %s", freshEnv, spec, strings.Join(names, ", "))
	}
	r := run(t, n)
	r.MaxRSS = maxRSS()
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s%s\n", freshPrefix, out)
}

// inFresh makes the measurement name with n tasks in a new process of the
// test binary and returns it.
func inFresh(b *testing.B, name string, n int) freshResult {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFreshChild$", "-test.bench=^$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%d", freshEnv, name, n))
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("the measurement %s of %d tasks in a process of its own: %v\n%s", name, n, err, out)
	}
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, freshPrefix); ok {
			var r freshResult
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				b.Fatalf("the measurement %s of %d tasks: %v in %q", name, n, err, rest)
			}
			return r
		}
	}
	b.Fatalf("the measurement %s of %d tasks reported nothing:\n%s", name, n, out)
	return freshResult{}
}
