package sim_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func blockOnNativeChannel(ch chan struct{}) { <-ch }

func TestWatchdog_TaskBlockedOnNativeChannel(t *testing.T) {
	block := make(chan struct{})
	start := time.Now()
	res := sim.Run(func(ctx context.Context) error {
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			blockOnNativeChannel(block)
			return 1, nil
		})
		_, err := h.Join(ctx)
		return err
	}, sim.WithWatchdog(200*time.Millisecond))
	elapsed := time.Since(start)
	close(block) // lets the abandoned simulation drop its tasks (TestMain checks)

	var se *sim.StuckTaskError
	require.ErrorAs(t, res.Err, &se)
	assert.Equal(t, runtime.TaskID(2), se.ID)
	assert.Contains(t, se.Stack, "blockOnNativeChannel")
	assert.Contains(t, se.Stack, "chan receive")
	assert.GreaterOrEqual(t, se.After, 200*time.Millisecond)
	assert.Less(t, elapsed, 2*time.Second)
}

func TestStepLimit_StopsALivelock(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		for {
			runtime.YieldNow(ctx)
		}
	}, sim.WithStepLimit(1000))
	var le *sim.StepLimitError
	require.ErrorAs(t, res.Err, &le)
	assert.Equal(t, uint64(1001), res.Steps, "1000 steps, then one to drop the task")
}

func TestRootPanicIsAPanicError(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error { panicky(); return nil })
	var pe *runtime.PanicError
	require.ErrorAs(t, res.Err, &pe)
	assert.Equal(t, runtime.TaskID(1), pe.ID)
	assert.Contains(t, string(pe.Stack), "panicky")
}

func TestS32_BlockingOutsideATaskPanics(t *testing.T) {
	rt := sim.New()
	defer rt.Shutdown()
	outside := rt.Enter(context.Background())
	assert.PanicsWithValue(t,
		"sim: YieldNow outside any task (S32); in a simulation, block only in a task, with the ctx it was given",
		func() { runtime.YieldNow(outside) })
	h := runtime.Spawn(outside, func(ctx context.Context) (int, error) { return 1, nil })
	assert.PanicsWithValue(t,
		"sim: blocking call outside any task (S32); in a simulation, block only in a task, with the ctx it was given",
		func() { _, _ = h.Join(outside) })
}

func TestMisuse_CtxOfAnotherTaskPanics(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		rootCtx := ctx
		_, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, clock.Sleep(rootCtx, time.Second)
		}).Join(ctx)
		var pe *runtime.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Contains(t, pe.Value, "with the ctx of task 1 from another task or goroutine; pass each task its own ctx")
		return nil
	})
}

func TestMisuse_NestedBlockOnPanics(t *testing.T) {
	rt := sim.New()
	defer rt.Shutdown()
	err := rt.BlockOn(func(ctx context.Context) error {
		return rt.BlockOn(func(ctx context.Context) error { return nil })
	})
	var pe *runtime.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, pe.Value, "spawn a task instead of nesting")
}

// fakeTB stands in for *testing.T so that failing sim.Test runs can be
// observed. FailNow ends the calling goroutine, as testing's does.
type fakeTB struct {
	testing.TB
	name   string
	mu     sync.Mutex
	failed bool
	logs   []string
}

func (f *fakeTB) Helper()      {}
func (f *fakeTB) Name() string { return f.name }
func (f *fakeTB) log(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, s)
}
func (f *fakeTB) Logf(format string, args ...any)   { f.log(fmt.Sprintf(format, args...)) }
func (f *fakeTB) Errorf(format string, args ...any) { f.log(fmt.Sprintf(format, args...)); f.Fail() }
func (f *fakeTB) Fatal(args ...any)                 { f.log(fmt.Sprint(args...)); f.FailNow() }
func (f *fakeTB) Fatalf(format string, args ...any) { f.Errorf(format, args...); f.FailNow() }
func (f *fakeTB) Fail() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = true
}
func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}
func (f *fakeTB) FailNow() { f.Fail(); goruntime.Goexit() }
func (f *fakeTB) output() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.logs, "\n")
}

// harness runs sim.Test against a fakeTB on a goroutine of its own, with
// replay files in dir.
func harness(dir, name string, f func(tb testing.TB) func(ctx context.Context), opts ...sim.Option) *fakeTB {
	tb := &fakeTB{name: name}
	opts = append(opts, sim.WithReplayDir(dir))
	done := make(chan struct{})
	go func() {
		defer close(done)
		sim.Test(tb, f(tb), opts...)
	}()
	<-done
	return tb
}

func TestTest_RequireInsideATaskFailsWithReplayCommand(t *testing.T) {
	tb := harness(t.TempDir(), "TestFake", func(tb testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {
			h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				require.Equal(tb, 1, 2, "inside a task")
				return 0, nil
			})
			_, err := h.Join(ctx)
			assert.ErrorIs(tb, err, runtime.ErrGoexit)
		}
	})
	require.True(t, tb.Failed())
	out := tb.output()
	assert.Contains(t, out, "inside a task")
	assert.Contains(t, out, "sim: seed 1 failed at step 3, virtual time +0s (run 1, strategy random")
	assert.Contains(t, out, "replay: go test "+raceFlag+"github.com/weftsim/weft/sim -run '^TestFake$' -sim.seed=1 -sim.strategy=random")
}

func TestTest_FatalInTheRootTask(t *testing.T) {
	tb := harness(t.TempDir(), "TestRoot", func(tb testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {
			_ = clock.Sleep(ctx, time.Second)
			tb.Fatal("root gives up")
		}
	}, sim.WithStrategy(sim.FIFO()))
	require.True(t, tb.Failed())
	assert.Contains(t, tb.output(), "root gives up")
	assert.Contains(t, tb.output(), "virtual time +1s")
	assert.Contains(t, tb.output(), "-sim.strategy=fifo")
}

// lostUpdate loses an increment when two tasks interleave across the yield
// point between reading and writing the counter.
func lostUpdate(tb testing.TB) func(ctx context.Context) {
	return func(ctx context.Context) {
		var counter atomic.Int64 // no data race: the bug is the lost update
		var js runtime.JoinSet[int]
		for range 2 {
			js.Spawn(ctx, func(ctx context.Context) (int, error) {
				v := counter.Load()
				runtime.YieldNow(ctx)
				counter.Store(v + 1)
				return 0, nil
			})
		}
		for js.Len() > 0 {
			_, _ = js.JoinNext(ctx)
		}
		if counter.Load() != 2 {
			tb.Fatalf("lost update: counter = %d", counter.Load())
		}
	}
}

func TestTest_FindsTheFailingSeedAndItReplays(t *testing.T) {
	dir := t.TempDir()
	tb := harness(dir, "TestLost", lostUpdate)
	require.True(t, tb.Failed())
	out := tb.output()
	assert.Contains(t, out, "lost update: counter = 1")
	var seed uint64
	i := strings.Index(out, "sim: seed ")
	require.GreaterOrEqual(t, i, 0)
	_, err := fmt.Sscanf(out[i:], "sim: seed %d failed", &seed)
	require.NoError(t, err)

	again := harness(t.TempDir(), "TestLost", lostUpdate, sim.WithSeed(seed))
	replayed := harness(dir, "TestLost", lostUpdate)
	require.True(t, replayed.Failed(), "the replay file written by the first run fails again")
	files, _ := filepath.Glob(filepath.Join(dir, "TestLost", fmt.Sprintf("seed-%d-random-*.replay", seed)))
	require.Len(t, files, 1)
	assert.Contains(t, replayed.output(), "replayed from "+files[0])
	require.True(t, again.Failed())
	assert.Contains(t, again.output(), fmt.Sprintf("sim: seed %d failed at step ", seed))
	assert.Contains(t, again.output(), "(run 1, strategy")
	hash := func(s string) string { return s[strings.Index(s, "hash "):][:23] }
	assert.Equal(t, hash(out), hash(again.output()))
}

func TestTest_PassingRunsAllSeeds(t *testing.T) {
	runs := 0
	sim.Test(t, func(ctx context.Context) {
		runs++
		require.NoError(t, fourWorkers(ctx))
	})
	assert.Equal(t, sim.DefaultSeeds, runs)
}

// raceFlag is how a replay command asks for the race detector: a race
// build's commands do.
var raceFlag = map[bool]string{true: "-race "}[kernel.RaceEnabled]

func TestReplayCommandQuotesSubtests(t *testing.T) {
	assert.Equal(t, "go test "+raceFlag+"github.com/weftsim/weft/sim -run '^TestA$/^sub\\.1$' -sim.seed=9 -sim.strategy=pct:3",
		sim.ReplayCommand("TestA/sub.1", 9, sim.PCT(3)), "the package is the caller's, by import path")
}

func TestParseStrategyRoundTrip(t *testing.T) {
	for _, s := range []sim.Strategy{sim.FIFO(), sim.Random(), sim.PCT(1), sim.PCT(4), sim.PCT(2).PCTHorizon(50), sim.Exhaustive(0), sim.Exhaustive(3)} {
		got, err := sim.ParseStrategy(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	got, err := sim.ParseStrategy("pct")
	require.NoError(t, err)
	assert.Equal(t, sim.PCT(3), got)
	got, err = sim.ParseStrategy("exhaustive")
	require.NoError(t, err)
	assert.Equal(t, sim.Exhaustive(2), got)
	for _, bad := range []string{"", "lifo", "pct:0", "pct:x", "pct:1:2:3", "fifo:2", "random:1", "exhaustive:-1", "exhaustive:x", "exhaustive:1:2"} {
		_, err := sim.ParseStrategy(bad)
		assert.Error(t, err, bad)
	}
	assert.Panics(t, func() { sim.PCT(0) })
}

func TestGoexitOfAnUnjoinedTaskFailsTheRun(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) { goruntime.Goexit(); return 0, nil })
		return clock.Sleep(ctx, time.Second)
	})
	require.True(t, errors.Is(res.Err, runtime.ErrGoexit), "%v", res.Err)
}
