package simrapid

import (
	"context"

	"pgregory.net/rapid"

	"github.com/weftsim/weft/sim"
)

// Source is a sim.DecisionSource that draws from rapid.
type Source struct{ T *rapid.T }

// IntN draws a choice among n options; rapid shrinks it towards 0 (the
// first runnable task in queue order).
func (s Source) IntN(n int) int { return rapid.IntRange(0, n-1).Draw(s.T, "decision") }

// Uint64 draws a raw value; rapid shrinks it towards 0.
func (s Source) Uint64() uint64 { return rapid.Uint64().Draw(s.T, "draw") }

// TraceSize is how many events Check keeps to print a failing schedule.
const TraceSize = 4096

// Check runs f as the root task of a simulation whose decisions rapid
// draws, and fails t if the run fails, printing the failure and the
// schedule step by step; rapid then shrinks it. The strategy (default
// Random) and other options come from opts; the decisions replace the seed.
func Check(t *rapid.T, f func(ctx context.Context) error, opts ...sim.Option) sim.Result {
	t.Helper()
	opts = append(opts[:len(opts):len(opts)], sim.WithDecisions(Source{t}), sim.WithTrace(TraceSize))
	res := sim.Run(f, opts...)
	if res.Err != nil {
		t.Fatalf("%v\nschedule (%d steps):\n%s", res.Err, res.Steps, res.Schedule())
	}
	return res
}
