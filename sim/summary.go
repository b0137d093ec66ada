package sim

import (
	"fmt"
	"time"
)

// maxDistinct bounds the hashes a summary counts: past it, the count is
// a lower bound.
const maxDistinct = 1 << 20

// OnResult makes sim.Test call f with the Result of every seed it explores
// (not the runs of replay files, nor a determinism check's second runs),
// to gather statistics or check something across seeds. Calls never
// overlap; with Parallel they come in the order the runs end.
func OnResult(f func(Result)) Option {
	return func(c *config) { c.onResult = f }
}

// ExpectFailure makes sim.Test require that some seed fails, as a test of
// a planted bug does: it stops at the first failing seed and logs it, and
// fails the test if no seed explored fails. The failure must come through
// the run — a panic, a deadlock, a task's error — because t.Error and
// t.Fatal inside the body fail the test itself, expected or not. Replay
// files are neither read nor written.
func ExpectFailure() Option {
	return func(c *config) { c.expectFailure = true }
}

// summary is the line a passing sim.Test logs (shown with go test -v).
func (x *exploration) summary() string {
	distinct := fmt.Sprint(len(x.hashes))
	if len(x.hashes) >= maxDistinct {
		distinct = "at least " + distinct
	}
	return fmt.Sprintf("sim: %d seeds passed (strategy %v): %d steps, +%v virtual time, %s distinct hashes, in %v",
		x.tried, x.strategy(), x.steps, x.elapsed, distinct, time.Since(x.start).Round(time.Microsecond))
}
