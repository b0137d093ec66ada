package sim_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// racyPair has two tasks read, yield and write a counter: some schedules
// lose an update, some do not; one path is never taken.
func racyPair(testing.TB) func(ctx context.Context) {
	return func(ctx context.Context) {
		var n atomic.Int64 // atomic: updates are lost by the order, not by a data race
		var wg runtime.WaitGroup
		for range 2 {
			wg.Go(ctx, func(ctx context.Context) {
				v := n.Load()
				runtime.YieldNow(ctx)
				n.Store(v + 1)
			})
		}
		_ = wg.Wait(ctx)
		counter := n.Load()
		runtime.Sometimes(ctx, counter == 1, "an update was lost")
		runtime.Sometimes(ctx, counter == 3, "an update counted twice")
		if counter == 2 {
			runtime.Reachable(ctx, "both updates counted")
		}
	}
}

func TestSometimes_SummaryCountsTheRunsThatHitEachAssertion(t *testing.T) {
	tb := harness(t.TempDir(), "TestSometimes", racyPair, sim.WithStrategy(sim.Random()))
	require.False(t, tb.Failed(), "without RequireSometimes the summary only informs: %s", tb.output())
	out := tb.output()
	assert.Contains(t, out, "sim: sometimes assertions over 100 runs:")
	assert.Regexp(t, `"an update was lost": hit in [1-9]\d* runs \(reached in 100\)`, out)
	assert.Regexp(t, `"both updates counted": hit in [1-9]\d* runs \(reached in [1-9]\d*\)`, out)
	assert.Contains(t, out, `"an update counted twice": never hit (reached in 100 runs)`)
}

func TestSometimes_RequireSometimesFailsNamingTheOnesNeverHit(t *testing.T) {
	tests := []struct {
		name  string
		opt   sim.Option
		never string // the failure's list
	}{
		{"every assertion evaluated", sim.RequireSometimes(), `(s) "an update counted twice" (sim.RequireSometimes)`},
		{"named ones, one never reached", sim.RequireSometimes("an update was lost", "leader changed"),
			`(s) "leader changed" (sim.RequireSometimes)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := harness(t.TempDir(), "TestSometimes", racyPair, tc.opt)
			require.True(t, tb.Failed())
			out := tb.output()
			assert.Contains(t, out, "no run of 100 hit the sometimes assertion(s)")
			assert.Contains(t, out, tc.never)
		})
	}
	t.Run("all hit", func(t *testing.T) {
		tb := harness(t.TempDir(), "TestSometimes", racyPair, sim.RequireSometimes("an update was lost", "both updates counted"))
		assert.Contains(t, tb.output(), "sim: sometimes assertions over 100 runs:")
		// "an update counted twice" is evaluated but not required.
		assert.False(t, tb.Failed(), tb.output())
	})
}

func TestSometimes_OutsideASimulationDoesNothing(t *testing.T) {
	assert.NotPanics(t, func() {
		runtime.Sometimes(context.Background(), true, "x")
		runtime.Reachable(context.Background(), "y")
	})
	rt := runtime.New()
	defer rt.Shutdown()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		runtime.Sometimes(ctx, false, "production")
		return nil
	}))
}
