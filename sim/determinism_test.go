package sim_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// Each program decides how to schedule itself from something outside the
// seed's control.
var nondeterministic = []struct {
	name string
	body func(ctx context.Context)
}{
	{"wall clock", func(ctx context.Context) {
		for range 64 {
			if time.Now().UnixNano()&1 == 0 {
				runtime.YieldNow(ctx)
			}
			runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, nil })
		}
	}},
	{"map iteration", func(ctx context.Context) {
		m := map[int]int{}
		for i := range 10 {
			m[i] = i
		}
		for range 20 {
			for k := range m {
				for range k {
					runtime.YieldNow(ctx)
				}
				break
			}
		}
	}},
	{"native goroutine", func(ctx context.Context) {
		var done atomic.Bool
		go func() {
			time.Sleep(time.Millisecond)
			done.Store(true)
		}()
		for i := 0; i < 1_000_000 && !done.Load(); i++ {
			runtime.YieldNow(ctx)
		}
		for !done.Load() {
			time.Sleep(time.Millisecond) // let it end before the run does
		}
	}},
}

func TestCheckDeterminismCatchesWhatTheSeedDoesNotControl(t *testing.T) {
	for _, tc := range nondeterministic {
		t.Run(tc.name, func(t *testing.T) {
			tb := harness(t.TempDir(), "TestND", func(testing.TB) func(ctx context.Context) { return tc.body },
				sim.CheckDeterminism(), sim.WithStrategy(sim.FIFO()), sim.WithStepLimit(0))
			require.True(t, tb.Failed(), "the check missed it")
			out := tb.output()
			assert.Contains(t, out, "is not deterministic")
			assert.Regexp(t, `first differ at event \d+:\n\tfirst run:  step \d+.*\n\tsecond run: step \d+`, out)
		})
	}
}

func TestCheckDeterminismPassesADeterministicProgram(t *testing.T) {
	tb := harness(t.TempDir(), "TestD", func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) { _ = fourWorkers(ctx) }
	}, sim.CheckDeterminism())
	assert.False(t, tb.Failed(), tb.output())
}
