package sim

import (
	"fmt"
	goruntime "runtime"
)

// checkTrace is the event log a determinism check keeps of each run.
const checkTrace = 1 << 20

// CheckDeterminism makes sim.Test run every seed twice and compare the two
// runs (as -sim.checkdeterminism does). The second run yields the processor
// at every step, so that a stray goroutine, the wall clock or map order get
// every chance to show: the report names the first event at which the runs
// differ.
func CheckDeterminism() Option {
	return func(c *config) { c.checkDeterminism = true }
}

// perturb makes the second run of a determinism check yield the processor
// at every step.
func perturb() Option {
	return func(c *config) { c.perturb = true }
}

// compareRuns returns "" if two runs of one seed match, or where they
// first differ.
func compareRuns(a, b Result) string {
	n := min(len(a.Events), len(b.Events))
	for i := range n {
		if a.Events[i] != b.Events[i] {
			return fmt.Sprintf("the runs first differ at event %d:\n\tfirst run:  %v\n\tsecond run: %v", i, a.Events[i], b.Events[i])
		}
	}
	switch {
	case len(a.Events) != len(b.Events):
		return fmt.Sprintf("the first run has %d events, the second %d (the shorter ends at event %d)", len(a.Events), len(b.Events), n)
	case a.Hash != b.Hash:
		return fmt.Sprintf("the runs differ before the last %d events kept (hash %#016x vs %#016x)", n, a.Hash, b.Hash)
	}
	return ""
}

// gosched is where a perturbed run yields the processor.
func gosched() { goruntime.Gosched() }
