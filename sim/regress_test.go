package sim_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// counters has three tasks add one to a counter each, reading it, yielding,
// then writing it back: an update is lost unless the fix (a Mutex around
// the update) is in. The fix adds decisions of its own (the Mutex's
// waits), so a replay file recorded before it no longer fits the program.
func counters(fixed bool) func(tb testing.TB) func(ctx context.Context) {
	return func(tb testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {
			var counter atomic.Int64 // atomic: the bug is the lost update, not a data race
			var mu runtime.Mutex
			var wg runtime.WaitGroup
			for range 3 {
				wg.Go(ctx, func(ctx context.Context) {
					if fixed {
						_ = mu.Lock(ctx)
						defer mu.Unlock()
					}
					v := counter.Load()
					runtime.YieldNow(ctx)
					counter.Store(v + 1)
				})
			}
			_ = wg.Wait(ctx)
			if n := counter.Load(); n != 3 {
				tb.Fatalf("lost update: counter = %d", n)
			}
		}
	}
}

// committedReplays copies the replay files committed under
// testdata/regress for the named test into a fresh directory, where a
// failing run may write.
func committedReplays(t *testing.T, test string) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join("testdata", "regress", test, "*.replay"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "the committed replay files of %s", test)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, test), 0o755))
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, test, filepath.Base(f)), data, 0o644))
	}
	return dir
}

func TestReplayFile_OfAFixedBugPassesAndSaysSo(t *testing.T) {
	dir := committedReplays(t, "TestCounters")
	fixed := harness(dir, "TestCounters", counters(true), sim.WithStrategy(sim.Random()))
	require.False(t, fixed.Failed(), "the fix makes the committed file pass: %s", fixed.output())
	assert.Contains(t, fixed.output(), "sim: replay file "+filepath.Join(dir, "TestCounters"))
	assert.Contains(t, fixed.output(), "passes (it diverged at decision")
	assert.Contains(t, fixed.output(), "the failure it recorded no longer happens")

	buggy := harness(dir, "TestCounters", counters(false), sim.WithStrategy(sim.Random()))
	require.True(t, buggy.Failed(), "with the bug restored the committed file fails")
	assert.Contains(t, buggy.output(), "lost update")
	assert.Contains(t, buggy.output(), "replayed from "+filepath.Join(dir, "TestCounters"))
	assert.Contains(t, buggy.output(), "it followed the file exactly")
}

func TestSeedFlag_RunsThatSeedAloneIgnoringReplayFiles(t *testing.T) {
	// The program fails on seed 1's first random draw only.
	var first uint64
	sim.Run(func(ctx context.Context) error { first = runtime.Rand(ctx).Uint64(); return nil }, sim.WithSeed(1))
	failsOnSeed1 := func(tb testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {
			if runtime.Rand(ctx).Uint64() == first {
				tb.Fatalf("seed 1's draw")
			}
		}
	}
	dir := t.TempDir()
	all := harness(dir, "TestSeed", failsOnSeed1)
	require.True(t, all.Failed())
	require.Contains(t, all.output(), "replay file: ")

	t.Setenv("WEFT_SIM_SEED", "2")
	two := harness(dir, "TestSeed", failsOnSeed1)
	assert.False(t, two.Failed(), "-sim.seed=2 runs seed 2 alone, not seed 1's replay file: %s", two.output())
	assert.NotContains(t, two.output(), "replay file")

	t.Setenv("WEFT_SIM_SEED", "1")
	one := harness(dir, "TestSeed", failsOnSeed1)
	require.True(t, one.Failed())
	assert.Contains(t, one.output(), "sim: seed 1 failed")
	assert.NotContains(t, one.output(), "replayed from")
}
