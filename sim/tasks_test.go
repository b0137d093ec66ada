package sim_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// Tasks on the simulated executor: docs/CONTRACT.md S10-S20.

func TestS10_SpawnNeverRunsInline(t *testing.T) {
	for _, s := range strategies {
		for seed := range uint64(50) {
			mustRun(t, func(ctx context.Context) error {
				var ran atomic.Bool // no data race (S2a)
				h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { ran.Store(true); return 0, nil })
				require.False(t, ran.Load(), "child ran before the spawner's yield point")
				_, err := h.Join(ctx)
				require.True(t, ran.Load())
				return err
			}, sim.WithSeed(seed), sim.WithStrategy(s))
		}
	}
}

func TestS11_SpawnWhileHoldingSyncMutex(t *testing.T) {
	for _, s := range strategies {
		for seed := range uint64(200) {
			mustRun(t, func(ctx context.Context) error {
				var mu sync.Mutex
				mu.Lock()
				h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
					mu.Lock()
					defer mu.Unlock()
					return 7, nil
				})
				mu.Unlock()
				v, err := h.Join(ctx)
				require.Equal(t, 7, v)
				return err
			}, sim.WithSeed(seed), sim.WithStrategy(s))
		}
	}
}

func TestS12_SpawnWithoutRuntimePanics(t *testing.T) {
	require.PanicsWithValue(t,
		"runtime: Spawn called without a runtime in ctx; call it inside Runtime.BlockOn, a task, or a ctx from Runtime.Enter",
		func() {
			runtime.Spawn(context.Background(), func(ctx context.Context) (int, error) { return 0, nil })
		})
}

func TestS13_JoinReturnsValueErrorAndPanic(t *testing.T) {
	boom := errors.New("boom")
	mustRun(t, func(ctx context.Context) error {
		v, err := runtime.Spawn(ctx, func(ctx context.Context) (string, error) { return "v", boom }).Join(ctx)
		assert.Equal(t, "v", v)
		assert.ErrorIs(t, err, boom)

		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { panicky(); return 0, nil })
		_, err = h.Join(ctx)
		var pe *runtime.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, h.ID(), pe.ID)
		assert.Equal(t, "kaboom", pe.Value)
		assert.Contains(t, string(pe.Stack), "sim_test.panicky", "the panicking task's own stack")
		return nil
	})
}

func panicky() { panic("kaboom") }

func TestS13_JoinWithEndedCtxLeavesHandleJoinable(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 5, clock.Sleep(ctx, time.Minute)
		})
		jctx, cancel := context.WithCancel(ctx)
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			runtime.YieldNow(ctx)
			cancel()
			return 0, nil
		})
		_, err := h.Join(jctx)
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, clock.Epoch, clock.Now(ctx), "observed at the next step, not after the sleeper")
		v, err := h.Join(ctx)
		require.NoError(t, err)
		assert.Equal(t, 5, v)
		return nil
	})
}

func TestS14_UnjoinedTaskKeepsRunningAndJoinRepeats(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		var done atomic.Bool // no data race (S2a)
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			runtime.YieldNow(ctx)
			done.Store(true)
			return 0, nil
		})
		require.NoError(t, clock.Sleep(ctx, time.Second))
		assert.True(t, done.Load())

		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 3, errors.New("e") })
		v1, e1 := h.Join(ctx)
		v2, e2 := h.Join(ctx)
		assert.Equal(t, v1, v2)
		assert.Equal(t, e1, e2)
		return nil
	})
}

func TestS15_AbortBeforeStartNeverRuns(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		ran := false
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { ran = true; return 0, nil })
		h.Abort()
		h.Abort() // idempotent
		_, err := h.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		assert.Contains(t, err.Error(), fmt.Sprintf("task %d was cancelled", h.ID()))
		assert.False(t, ran)
		assert.True(t, h.IsFinished())
		return nil
	})
}

func TestS15_AbortDropsAtYieldPointRunningDefers(t *testing.T) {
	for _, s := range strategies {
		mustRun(t, func(ctx context.Context) error {
			var log taskLog[string]
			h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				defer func() { log.add("deferred") }()
				log.add("started")
				err := clock.Sleep(ctx, time.Hour)
				log.add(fmt.Sprint("sleep returned ", err))
				return 1, nil
			})
			for !slices.Contains(log.all(), "started") {
				runtime.YieldNow(ctx)
			}
			assert.False(t, h.IsFinished())
			h.Abort()
			_, err := h.Join(ctx)
			assert.ErrorIs(t, err, runtime.ErrCancelled)
			assert.Equal(t, []string{"started", "deferred"}, log.all())
			assert.True(t, h.IsFinished())
			assert.Equal(t, clock.Epoch, clock.Now(ctx), "the aborted sleep's timer does not hold the clock")
			return nil
		}, sim.WithStrategy(s))
	}
}

func TestS15_AbortAfterFinishKeepsResult(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 9, nil })
		for !h.IsFinished() {
			runtime.YieldNow(ctx)
		}
		h.Abort()
		v, err := h.Join(ctx)
		assert.NoError(t, err)
		assert.Equal(t, 9, v)
		return nil
	})
}

func TestS15_RecoveringTheUnwindDoesNotSaveTheTask(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		reached := false
		h := runtime.Spawn(ctx, func(ctx context.Context) (v int, err error) {
			defer func() {
				recover()
				runtime.YieldNow(ctx) // tries to go on: unwinds again
				reached = true
			}()
			runtime.YieldNow(ctx)
			runtime.YieldNow(ctx)
			return 1, nil
		})
		runtime.YieldNow(ctx)
		h.Abort()
		_, err := h.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		assert.False(t, reached)
		return nil
	}, sim.WithStrategy(sim.FIFO()))
}

func TestS15_PanicInDeferDuringAbortIsAPanic(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer panic("in defer")
			return 0, clock.Sleep(ctx, time.Hour)
		})
		runtime.YieldNow(ctx)
		require.False(t, h.IsFinished())
		h.Abort()
		_, err := h.Join(ctx)
		var pe *runtime.PanicError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "in defer", pe.Value)
		return nil
	}, sim.WithStrategy(sim.FIFO()))
}

func TestS16_ShutdownDropsEveryTask(t *testing.T) {
	rt := sim.New(sim.WithSeed(7))
	var log taskLog[string]
	var started atomic.Int32 // no data race (S2a)
	var handles []*runtime.JoinHandle[int]
	err := rt.BlockOn(func(ctx context.Context) error {
		for i := range 5 {
			handles = append(handles, runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				defer func() { log.add(fmt.Sprint("defer ", i)) }()
				started.Add(1)
				if err := clock.Sleep(ctx, time.Duration(i+1)*time.Hour); err != nil {
					return 0, err
				}
				log.add(fmt.Sprint("woke ", i))
				return i, nil
			}))
		}
		for started.Load() < 5 {
			runtime.YieldNow(ctx)
		}
		return nil
	})
	require.NoError(t, err)
	rt.Shutdown()
	assert.Len(t, log.all(), 5)
	for _, l := range log.all() {
		assert.Contains(t, l, "defer")
	}
	for _, h := range handles {
		assert.True(t, h.IsFinished())
		_, err := h.Join(context.Background())
		assert.ErrorIs(t, err, runtime.ErrCancelled)
	}
	late := runtime.Spawn(rt.Enter(context.Background()), func(ctx context.Context) (int, error) {
		log.add("late ran")
		return 0, nil
	})
	_, err = late.Join(context.Background())
	assert.ErrorIs(t, err, runtime.ErrCancelled)
	assert.Len(t, log.all(), 5)
	rt.Shutdown() // idempotent
}

func TestS17_UnobservedPanicFailsTheRun(t *testing.T) {
	body := func(ctx context.Context) error {
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) { panic("lost") })
		return clock.Sleep(ctx, time.Second)
	}
	res := sim.Run(body)
	var ue *sim.UnobservedPanicError
	require.ErrorAs(t, res.Err, &ue)
	var pe *runtime.PanicError
	require.ErrorAs(t, res.Err, &pe)
	assert.Equal(t, "lost", pe.Value)

	assert.NoError(t, sim.Run(body, sim.AllowUnobservedPanics()).Err)

	mustRun(t, func(ctx context.Context) error {
		_, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { panic("seen") }).Join(ctx)
		assert.Error(t, err)
		return nil
	})
}

func TestS18_JoinSetCompletionOrder(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		var js runtime.JoinSet[int]
		_, err := js.JoinNext(ctx)
		assert.ErrorIs(t, err, runtime.ErrNoTasks)
		for _, d := range []int{3, 1, 2} {
			js.Spawn(ctx, func(ctx context.Context) (int, error) {
				return d, clock.Sleep(ctx, time.Duration(d)*time.Second)
			})
		}
		assert.Equal(t, 3, js.Len())
		var got []int
		for js.Len() > 0 {
			v, err := js.JoinNext(ctx)
			require.NoError(t, err)
			got = append(got, v)
		}
		assert.Equal(t, []int{1, 2, 3}, got)
		_, err = js.JoinNext(ctx)
		assert.ErrorIs(t, err, runtime.ErrNoTasks)
		return nil
	})
}

func TestS18_AbortAllKeepsTasksUntilJoined(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		var js runtime.JoinSet[int]
		for range 3 {
			js.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, clock.Sleep(ctx, time.Hour) })
		}
		runtime.YieldNow(ctx)
		js.AbortAll()
		assert.Equal(t, 3, js.Len())
		for range 3 {
			_, err := js.JoinNext(ctx)
			assert.ErrorIs(t, err, runtime.ErrCancelled)
		}
		assert.Equal(t, 0, js.Len())
		return nil
	})
}

func TestS19_TaskIDsAreStableAndVisible(t *testing.T) {
	ids := func(seed uint64) []runtime.TaskID {
		var got []runtime.TaskID
		mustRun(t, func(ctx context.Context) error {
			var js runtime.JoinSet[runtime.TaskID]
			for range 4 {
				js.Spawn(ctx, func(ctx context.Context) (runtime.TaskID, error) {
					id, ok := runtime.CurrentTask(ctx)
					assert.True(t, ok)
					return id, nil
				})
			}
			for js.Len() > 0 {
				id, _ := js.JoinNext(ctx)
				got = append(got, id)
			}
			return nil
		}, sim.WithSeed(seed))
		slices.Sort(got)
		return got
	}
	want := []runtime.TaskID{2, 3, 4, 5}
	for seed := range uint64(10) {
		assert.Equal(t, want, ids(seed))
	}
}

func TestS20_StdlibCancelIsObservedAtTheNextStep(t *testing.T) {
	prog := func(ctx context.Context) error {
		wctx, cancel := context.WithCancel(ctx)
		sleeper := runtime.Spawn(wctx, func(ctx context.Context) (int, error) {
			return 0, clock.Sleep(ctx, time.Hour)
		})
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			runtime.YieldNow(ctx)
			cancel()
			return 0, nil
		})
		_, err := sleeper.Join(ctx)
		if !errors.Is(err, context.Canceled) {
			return fmt.Errorf("sleep returned %v, want context.Canceled", err)
		}
		if !clock.Now(ctx).Equal(clock.Epoch) {
			return errors.New("the cancellation waited for the timer")
		}
		return nil
	}
	for _, s := range strategies {
		for seed := range uint64(30) {
			a := mustRun(t, prog, sim.WithSeed(seed), sim.WithStrategy(s))
			b := mustRun(t, prog, sim.WithSeed(seed), sim.WithStrategy(s))
			require.Equal(t, a.Hash, b.Hash)
		}
	}
}

func TestS16_ShutdownEndsARestartLoop(t *testing.T) {
	rt := sim.New()
	restarts := 0
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			for { // a supervisor: restart the worker whenever it ends
				restarts++
				_, _ = runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
					return 0, clock.Sleep(ctx, time.Second)
				}).Join(ctx)
			}
		})
		return clock.Sleep(ctx, 9500*time.Millisecond)
	}))
	rt.Shutdown()
	assert.Equal(t, 10, restarts, "one restart per second, none after shutdown")
}
