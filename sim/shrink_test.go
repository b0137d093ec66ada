package sim_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// noisyLostUpdate loses an update between two incrementers while ten
// noisy tasks spin beside them. Its shortest failing schedule takes 16
// steps: the root spawns everyone and waits; one incrementer reads and
// yields; the other reads and yields; both write and end; the root fails;
// the ten noisy tasks, dropped, end one step each. They need never run
// before, but a random schedule runs them a lot.
func noisyLostUpdate(tb testing.TB) func(ctx context.Context) {
	return func(ctx context.Context) {
		var counter atomic.Int64 // atomics: the bug is the lost update, not a data race
		var done atomic.Bool
		for range 10 {
			runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				for !done.Load() {
					runtime.YieldNow(ctx)
				}
				return 0, nil
			})
		}
		var wg runtime.WaitGroup
		for range 2 {
			wg.Go(ctx, func(ctx context.Context) {
				v := counter.Load()
				runtime.YieldNow(ctx)
				counter.Store(v + 1)
			})
		}
		_ = wg.Wait(ctx)
		done.Store(true)
		if n := counter.Load(); n != 2 {
			tb.Fatalf("lost update: counter = %d", n)
		}
	}
}

const noisyMinimalSteps = 16

func TestShrink_ReportsAShrunkScheduleAndWritesItsReplayFile(t *testing.T) {
	var failing []uint64 // the first six seeds on which the bug shows
	for seed := uint64(1); seed <= 20 && len(failing) < 6; seed++ {
		res := sim.Run(func(ctx context.Context) error { noisyLostUpdate(&fakeTB{name: "x"})(ctx); return nil }, sim.WithSeed(seed))
		if res.Err != nil {
			failing = append(failing, seed)
		}
	}
	require.Len(t, failing, 6)
	for _, seed := range failing {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) { shrinksNoisy(t, seed) })
	}
}

func shrinksNoisy(t *testing.T, seed uint64) {
	dir := t.TempDir()
	tb := harness(dir, "TestNoisy", noisyLostUpdate, sim.WithSeed(seed))
	require.True(t, tb.Failed())
	out := tb.output()
	m := regexp.MustCompile(`shrunk from (\d+) to (\d+) steps`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	from, _ := strconv.Atoi(m[1])
	to, _ := strconv.Atoi(m[2])
	assert.Contains(t, out, fmt.Sprintf("sim: seed %d failed at step ", seed), "the report names the failing seed's run")
	assert.Contains(t, out, "(run 1, strategy random, hash ")
	t.Logf("seed %d: shrunk from %d to %d steps", seed, from, to)
	assert.Greater(t, from, 2*noisyMinimalSteps, "the first failing run is long")
	assert.GreaterOrEqual(t, to, noisyMinimalSteps)
	assert.LessOrEqual(t, to, 2*noisyMinimalSteps, "shrunk to at most twice the shortest failing schedule")
	assert.Contains(t, out, fmt.Sprintf("shrunk schedule (%d steps):\n", to))
	assert.Regexp(t, `(?m)^\s+\d+\. @0s task \d+ runs`, out, "the schedule is printed step by step")

	files, _ := filepath.Glob(filepath.Join(dir, "TestNoisy", "*.replay"))
	require.Len(t, files, 1)
	assert.Contains(t, out, "replay file: "+files[0]+" (the shrunk run")
	assert.Contains(t, out, "-sim.replay="+files[0])
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	r, err := sim.ParseReplay(data)
	require.NoError(t, err)
	fake := &fakeTB{name: "TestNoisy"}
	res := sim.Run(func(ctx context.Context) error { noisyLostUpdate(fake)(ctx); return nil }, r.Options()...)
	require.Error(t, res.Err, "the replay file fails")
	assert.Equal(t, uint64(to), res.Steps, "the replay file is the shrunk run")
	assert.Equal(t, r.Hash, res.Hash)
}

func TestShrink_OffReportsTheRunAsFound(t *testing.T) {
	t.Setenv("WEFT_SIM_SHRINK", "off")
	tb := harness(t.TempDir(), "TestNoisy", noisyLostUpdate, sim.WithSeed(3))
	require.True(t, tb.Failed())
	assert.NotContains(t, tb.output(), "shrunk")
	assert.Contains(t, tb.output(), "replay file: ")
}
