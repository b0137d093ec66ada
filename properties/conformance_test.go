package properties_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// The conformance cases are behaviours that mature async runtimes (Tokio's
// task, time and sync suites among them) assert of themselves, restated for
// weft. Each runs in a simulation unless its name says otherwise.
var conformance = []struct {
	name string
	body func(t *testing.T, ctx context.Context)
}{
	{"AbortBeforeFirstRunNeverRuns", func(t *testing.T, ctx context.Context) {
		ran := false
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { ran = true; return 0, nil })
		h.Abort()
		_, err := h.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		assert.False(t, ran)
	}},
	{"AbortAfterCompletionKeepsResult", func(t *testing.T, ctx context.Context) {
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 7, nil })
		_, _ = h.Join(ctx)
		h.Abort()
		v, err := h.Join(ctx)
		assert.NoError(t, err)
		assert.Equal(t, 7, v)
	}},
	{"AbortIsIdempotent", func(t *testing.T, ctx context.Context) {
		h := runtime.Spawn(ctx, sleepy(time.Hour))
		runtime.YieldNow(ctx)
		for range 3 {
			h.Abort()
		}
		_, err := h.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
	}},
	{"AbortedTaskErrorNamesTheTask", func(t *testing.T, ctx context.Context) {
		h := runtime.Spawn(ctx, sleepy(time.Hour))
		h.Abort()
		_, err := h.Join(ctx)
		assert.EqualError(t, err, fmt.Sprintf("runtime: task %d was cancelled", h.ID()))
	}},
	{"AbortWhileSleepingRunsDefersAndFreesTheTimer", func(t *testing.T, ctx context.Context) {
		deferred := false
		var started atomic.Bool // no data race (S2a)
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer func() { deferred = true }()
			started.Store(true)
			return 0, clock.Sleep(ctx, time.Hour)
		})
		waitFor(ctx, &started)
		h.Abort()
		_, _ = h.Join(ctx)
		assert.True(t, deferred)
		st, _ := sim.StatsOf(ctx)
		assert.Equal(t, 0, st.Timers)
	}},
	{"RecoveringTheDropDoesNotResurrect", func(t *testing.T, ctx context.Context) {
		after := false
		var started atomic.Bool
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			started.Store(true)
			func() {
				defer func() { _ = recover() }()
				_ = clock.Sleep(ctx, time.Hour)
			}()
			runtime.YieldNow(ctx)
			after = true
			return 1, nil
		})
		waitFor(ctx, &started)
		h.Abort()
		_, err := h.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		assert.False(t, after)
	}},
	{"PanicInDeferDuringAbortIsAPanic", func(t *testing.T, ctx context.Context) {
		var started atomic.Bool
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer panic("from a defer")
			started.Store(true)
			return 0, clock.Sleep(ctx, time.Hour)
		})
		waitFor(ctx, &started)
		h.Abort()
		_, err := h.Join(ctx)
		var pe *runtime.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "from a defer", pe.Value)
	}},
	{"PanicDoesNotCrashAndJoinReportsIt", func(t *testing.T, ctx context.Context) {
		_, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { panic(errors.New("boom")) }).Join(ctx)
		var pe *runtime.PanicError
		require.ErrorAs(t, err, &pe)
		assert.EqualError(t, errors.Unwrap(err), "boom", "a panic(err) unwraps to err")
	}},
	{"PanicErrorCarriesThePanickingStack", func(t *testing.T, ctx context.Context) {
		_, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { deepPanic(3); return 0, nil }).Join(ctx)
		var pe *runtime.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Contains(t, string(pe.Stack), "deepPanic")
	}},
	{"GoexitInTaskIsReported", func(t *testing.T, ctx context.Context) {
		_, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { goexit(); return 0, nil }).Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrGoexit)
	}},
	{"JoinTwiceGivesTheSameOutcome", func(t *testing.T, ctx context.Context) {
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 2, errors.New("e") })
		v1, e1 := h.Join(ctx)
		v2, e2 := h.Join(ctx)
		assert.Equal(t, v1, v2)
		assert.Equal(t, e1, e2)
	}},
	{"UnjoinedTaskKeepsRunning", func(t *testing.T, ctx context.Context) {
		var done atomic.Bool
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			_ = clock.Sleep(ctx, time.Second)
			done.Store(true)
			return 0, nil
		})
		_ = clock.Sleep(ctx, 2*time.Second)
		assert.True(t, done.Load())
	}},
	{"JoinWithCancelledCtxLeavesHandleJoinable", func(t *testing.T, ctx context.Context) {
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 3, clock.Sleep(ctx, time.Second) })
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := h.Join(cctx)
		assert.ErrorIs(t, err, context.Canceled)
		v, err := h.Join(ctx)
		assert.NoError(t, err)
		assert.Equal(t, 3, v)
	}},
	{"JoinSetAbortAllLeavesTasksUntilJoined", func(t *testing.T, ctx context.Context) {
		var js runtime.JoinSet[int]
		for range 3 {
			js.Spawn(ctx, sleepy(time.Hour))
		}
		js.AbortAll()
		assert.Equal(t, 3, js.Len())
		for range 3 {
			_, err := js.JoinNext(ctx)
			assert.ErrorIs(t, err, runtime.ErrCancelled)
		}
		assert.Equal(t, 0, js.Len())
	}},
	{"JoinSetEmptyIsErrNoTasks", func(t *testing.T, ctx context.Context) {
		var js runtime.JoinSet[int]
		_, err := js.JoinNext(ctx)
		assert.ErrorIs(t, err, runtime.ErrNoTasks)
	}},
	{"JoinSetLenCountsFinishedUnjoinedTasks", func(t *testing.T, ctx context.Context) {
		var js runtime.JoinSet[int]
		js.Spawn(ctx, func(ctx context.Context) (int, error) { return 1, nil })
		_ = clock.Sleep(ctx, time.Second)
		assert.Equal(t, 1, js.Len())
		_, _ = js.JoinNext(ctx)
		assert.Equal(t, 0, js.Len())
	}},
	{"JoinSetShutdownWaitsForAll", func(t *testing.T, ctx context.Context) {
		var js runtime.JoinSet[int]
		var deferred atomic.Int32
		for range 4 {
			js.Spawn(ctx, func(ctx context.Context) (int, error) {
				defer func() { deferred.Add(1) }()
				return 0, clock.Sleep(ctx, time.Hour)
			})
		}
		runtime.YieldNow(ctx)
		js.Shutdown(ctx)
		assert.Equal(t, 0, js.Len())
		assert.LessOrEqual(t, deferred.Load(), int32(4))
	}},
	{"TaskIDsAreUniqueAndVisibleInside", func(t *testing.T, ctx context.Context) {
		var js runtime.JoinSet[runtime.TaskID]
		ids := map[runtime.TaskID]bool{}
		for range 20 {
			id := js.Spawn(ctx, func(ctx context.Context) (runtime.TaskID, error) {
				id, _ := runtime.CurrentTask(ctx)
				return id, nil
			})
			assert.False(t, ids[id])
			ids[id] = true
		}
		for js.Len() > 0 {
			id, _ := js.JoinNext(ctx)
			assert.True(t, ids[id], "the ID seen inside is the one Spawn returned")
		}
	}},
	{"SpawnersLockReleasedLetsTheChildProceed", func(t *testing.T, ctx context.Context) {
		var m runtime.Mutex
		require.NoError(t, m.Lock(ctx))
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			if err := m.Lock(ctx); err != nil {
				return 0, err
			}
			defer m.Unlock()
			return 1, nil
		})
		runtime.YieldNow(ctx)
		assert.False(t, h.IsFinished(), "the child waits for the lock")
		m.Unlock()
		v, err := h.Join(ctx)
		assert.NoError(t, err)
		assert.Equal(t, 1, v)
	}},
	{"YieldNowLetsAnotherTaskRun", func(t *testing.T, ctx context.Context) {
		var ran atomic.Bool
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) { ran.Store(true); return 0, nil })
		for !ran.Load() {
			runtime.YieldNow(ctx)
		}
	}},
	{"TimeDoesNotMoveWhileATaskCanRun", func(t *testing.T, ctx context.Context) {
		start := clock.Now(ctx)
		runtime.Spawn(ctx, sleepy(time.Second))
		for range 100 {
			runtime.YieldNow(ctx)
		}
		assert.Equal(t, start, clock.Now(ctx))
	}},
	{"SleepOfZeroDoesNotWait", func(t *testing.T, ctx context.Context) {
		before, _ := sim.StatsOf(ctx)
		require.NoError(t, clock.Sleep(ctx, 0))
		after, _ := sim.StatsOf(ctx)
		assert.Equal(t, before.Steps, after.Steps, "no scheduling step was taken")
	}},
	{"SimultaneousTimersFireTogether", func(t *testing.T, ctx context.Context) {
		start := clock.Now(ctx)
		var js runtime.JoinSet[time.Time]
		for range 5 {
			js.Spawn(ctx, func(ctx context.Context) (time.Time, error) {
				err := clock.Sleep(ctx, time.Second)
				return clock.Now(ctx), err
			})
		}
		for js.Len() > 0 {
			at, err := js.JoinNext(ctx)
			require.NoError(t, err)
			assert.Equal(t, start.Add(time.Second), at)
		}
	}},
	{"ChanCloseWakesEveryReceiver", func(t *testing.T, ctx context.Context) {
		c := runtime.NewChan[int](0)
		var js runtime.JoinSet[int]
		for range 3 {
			js.Spawn(ctx, func(ctx context.Context) (int, error) { return c.Recv(ctx) })
		}
		runtime.YieldNow(ctx)
		c.Close()
		for js.Len() > 0 {
			_, err := js.JoinNext(ctx)
			assert.ErrorIs(t, err, runtime.ErrClosed)
		}
	}},
	{"NotifyOneBeforeWaitIsNotLost", func(t *testing.T, ctx context.Context) {
		var n runtime.Notify
		n.NotifyOne()
		assert.NoError(t, n.Wait(ctx))
	}},
	{"BlockOnReturnsTheRootError (production)", nil},
	{"ShutdownRunsDefersBeforeReturning (production)", nil},
	{"JoinAfterShutdownReportsCancellation (production)", nil},
	{"TwoRunsOf10000RandomSleepsGiveIdenticalTraces", nil},
}

func TestConformance(t *testing.T) {
	special := map[string]func(t *testing.T){
		"BlockOnReturnsTheRootError (production)":           blockOnReturnsRootError,
		"ShutdownRunsDefersBeforeReturning (production)":    shutdownRunsDefers,
		"JoinAfterShutdownReportsCancellation (production)": joinAfterShutdown,
		"TwoRunsOf10000RandomSleepsGiveIdenticalTraces":     identicalTraces,
	}
	require.GreaterOrEqual(t, len(conformance), 25)
	for _, c := range conformance {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			if f := special[c.name]; f != nil {
				f(t)
				return
			}
			sim.Test(t, func(ctx context.Context) { c.body(t, ctx) }, sim.AllowUnobservedPanics())
		})
	}
}

// waitFor yields until *flag is set (by another task).
func waitFor(ctx context.Context, flag *atomic.Bool) {
	for !flag.Load() {
		runtime.YieldNow(ctx)
	}
}

func sleepy(d time.Duration) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) { return 0, clock.Sleep(ctx, d) }
}

func deepPanic(n int) {
	if n == 0 {
		panic("deep")
	}
	deepPanic(n - 1)
}

func blockOnReturnsRootError(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	boom := errors.New("root")
	assert.ErrorIs(t, rt.BlockOn(func(ctx context.Context) error { return boom }), boom)
}

func shutdownRunsDefers(t *testing.T) {
	rt := runtime.New()
	var mu sync.Mutex
	deferred := 0
	started := make(chan struct{}, 3)
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		for range 3 {
			runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				defer func() { mu.Lock(); deferred++; mu.Unlock() }()
				started <- struct{}{}
				return 0, clock.Sleep(ctx, time.Hour)
			})
		}
		for range 3 {
			<-started
		}
		return nil
	}))
	rt.Shutdown()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 3, deferred, "every deferred function ran before Shutdown returned")
}

func joinAfterShutdown(t *testing.T) {
	rt := runtime.New()
	var h *runtime.JoinHandle[int]
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		h = runtime.Spawn(ctx, sleepy(time.Hour))
		return nil
	}))
	rt.Shutdown()
	_, err := h.Join(context.Background())
	assert.ErrorIs(t, err, runtime.ErrCancelled)
}

func identicalTraces(t *testing.T) {
	prog := func(ctx context.Context) error {
		r := rand.New(rand.NewPCG(1, 2))
		var wg runtime.WaitGroup
		for range 100 {
			d := make([]time.Duration, 100)
			for i := range d {
				d[i] = time.Duration(1+r.IntN(1000)) * time.Millisecond
			}
			wg.Go(ctx, func(ctx context.Context) {
				for _, x := range d {
					_ = clock.Sleep(ctx, x)
				}
			})
		}
		return wg.Wait(ctx)
	}
	a := sim.Run(prog, sim.WithSeed(9), sim.WithTrace(1<<15))
	b := sim.Run(prog, sim.WithSeed(9), sim.WithTrace(1<<15))
	require.NoError(t, a.Err)
	assert.Equal(t, a.Hash, b.Hash)
	assert.True(t, slices.Equal(a.Events, b.Events))
	assert.Equal(t, a.Elapsed, b.Elapsed)
}
