package sim_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

var strategies = []sim.Strategy{sim.FIFO(), sim.Random(), sim.PCT(3)}

// mustRun runs f and fails the test if the run failed.
func mustRun(t *testing.T, f func(ctx context.Context) error, opts ...sim.Option) sim.Result {
	t.Helper()
	res := sim.Run(f, opts...)
	require.NoError(t, res.Err)
	return res
}

func TestS1_ContextCarriesRuntimeAndTask(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		id, ok := runtime.CurrentTask(ctx)
		assert.True(t, ok)
		assert.Equal(t, runtime.TaskID(1), id)
		derived, cancel := context.WithCancel(context.WithValue(ctx, struct{}{}, 1))
		defer cancel()
		h := runtime.Spawn(derived, func(ctx context.Context) (runtime.TaskID, error) {
			id, _ := runtime.CurrentTask(ctx)
			return id, nil
		})
		got, err := h.Join(derived)
		require.NoError(t, err)
		assert.Equal(t, h.ID(), got)
		assert.Equal(t, clock.Epoch, clock.Now(ctx), "a simulated ctx reads virtual time")
		return nil
	})
	_, ok := runtime.CurrentTask(context.Background())
	assert.False(t, ok)
}

func TestS2_OneTaskRunsBetweenYieldPoints(t *testing.T) {
	for _, s := range strategies {
		t.Run(s.String(), func(t *testing.T) {
			for seed := range uint64(20) {
				var inside, maxInside atomic.Int32 // no data race (S2a)
				mustRun(t, func(ctx context.Context) error {
					var js runtime.JoinSet[int]
					for range 8 {
						js.Spawn(ctx, func(ctx context.Context) (int, error) {
							for range 10 {
								maxInside.Store(max(maxInside.Load(), inside.Add(1)))
								for range 100 { // work without a yield point
								}
								inside.Add(-1)
								runtime.YieldNow(ctx)
							}
							return 0, nil
						})
					}
					for js.Len() > 0 {
						if _, err := js.JoinNext(ctx); err != nil {
							return err
						}
					}
					return nil
				}, sim.WithSeed(seed), sim.WithStrategy(s))
				require.Equal(t, int32(1), maxInside.Load())
			}
		})
	}
}

func TestS3_CoroutinesAreReused(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		before := goroutines()
		for range 1000 {
			if _, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 1, nil }).Join(ctx); err != nil {
				return err
			}
		}
		assert.LessOrEqual(t, goroutines()-before, 2, "sequential tasks share one coroutine")
		return nil
	})
}

func TestS4_TimeMovesOnlyWhenNothingCanRun(t *testing.T) {
	mustRun(t, func(ctx context.Context) error {
		start := clock.Now(ctx)
		sleeper := runtime.Spawn(ctx, func(ctx context.Context) (time.Time, error) {
			err := clock.Sleep(ctx, time.Second)
			return clock.Now(ctx), err
		})
		spinner := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			for i := range 1000 {
				if !clock.Now(ctx).Equal(start) {
					return i, errors.New("time moved while a task was runnable")
				}
				runtime.YieldNow(ctx)
			}
			return 0, nil
		})
		if _, err := spinner.Join(ctx); err != nil {
			return err
		}
		woke, err := sleeper.Join(ctx)
		require.NoError(t, err)
		assert.Equal(t, start.Add(time.Second), woke, "S40: wakes exactly at its deadline")
		return nil
	})
}

func TestS4_NothingRunnableNoTimerIsDeadlock(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		var n runtime.Notify                             // nobody notifies: no cycle, just nothing left to run
		var a, b atomic.Pointer[runtime.JoinHandle[int]] // set before the tasks run (S10)
		a.Store(runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			runtime.YieldNow(ctx)
			return b.Load().Join(ctx)
		}))
		b.Store(runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, n.Wait(ctx)
		}))
		_, err := a.Load().Join(ctx)
		return err
	}, sim.WithStrategy(sim.FIFO()))
	var de *sim.DeadlockError
	require.ErrorAs(t, res.Err, &de)
	require.Len(t, de.Tasks, 3)
	assert.Empty(t, de.Cycle)
	byID := map[runtime.TaskID]sim.BlockedTask{}
	for _, bt := range de.Tasks {
		byID[bt.ID] = bt
		assert.Contains(t, bt.Stack, "goroutine ")
	}
	assert.Equal(t, "JoinHandle.Join", byID[2].Op)
	assert.Equal(t, "Notify.Wait", byID[3].Op)
	assert.Equal(t, runtime.TaskID(3), byID[2].WaitsFor)
	assert.Equal(t, runtime.TaskID(2), byID[1].WaitsFor)
	assert.Contains(t, byID[2].SpawnedAt, "exec_test.go")
	assert.Contains(t, res.Err.Error(), "no task can run and no timer is pending")
	assert.Contains(t, res.Err.Error(), "task 2 blocked in JoinHandle.Join, waiting for task 3")
	assert.Contains(t, res.Err.Error(), "task 3 blocked in Notify.Wait")
}

// order records the order in which n tasks first run after each yield.
func order(t *testing.T, s sim.Strategy, seed uint64) []int {
	var got taskLog[int]
	mustRun(t, func(ctx context.Context) error {
		var js runtime.JoinSet[int]
		for i := range 5 {
			js.Spawn(ctx, func(ctx context.Context) (int, error) {
				for range 3 {
					got.add(i)
					runtime.YieldNow(ctx)
				}
				return i, nil
			})
		}
		return joinAll(ctx, &js)
	}, sim.WithSeed(seed), sim.WithStrategy(s))
	return got.all()
}

func TestS5_FIFORunsInQueueOrder(t *testing.T) {
	want := []int{0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4}
	for seed := range uint64(5) {
		assert.Equal(t, want, order(t, sim.FIFO(), seed))
	}
}

func TestS5_SeededStrategiesVaryWithTheSeed(t *testing.T) {
	for _, s := range []sim.Strategy{sim.Random(), sim.PCT(2), sim.PCT(3)} {
		t.Run(s.String(), func(t *testing.T) {
			seen := map[string]bool{}
			for seed := range uint64(20) {
				o := order(t, s, seed)
				assert.Equal(t, o, order(t, s, seed), "same seed, same order")
				seen[fmt.Sprint(o)] = true
			}
			assert.Greater(t, len(seen), 10)
		})
	}
}

// fourWorkers is a program with four concurrently runnable tasks that
// yield, sleep and join.
func fourWorkers(ctx context.Context) error {
	var js runtime.JoinSet[int]
	for i := range 4 {
		js.Spawn(ctx, func(ctx context.Context) (int, error) {
			for j := range 4 {
				runtime.YieldNow(ctx)
				if j == 2 {
					if err := clock.Sleep(ctx, time.Millisecond); err != nil {
						return 0, err
					}
				}
			}
			return i, nil
		})
	}
	for js.Len() > 0 {
		if _, err := js.JoinNext(ctx); err != nil {
			return err
		}
	}
	return nil
}

func TestDeterminism_SameSeedSameHashAndLog(t *testing.T) {
	for _, s := range strategies {
		a := mustRun(t, fourWorkers, sim.WithSeed(42), sim.WithStrategy(s), sim.WithTrace(10_000))
		b := mustRun(t, fourWorkers, sim.WithSeed(42), sim.WithStrategy(s), sim.WithTrace(10_000))
		assert.Equal(t, a.Hash, b.Hash, s.String())
		assert.Equal(t, a.Events, b.Events, s.String())
		assert.Equal(t, a.Steps, b.Steps)
		assert.Greater(t, len(a.Events), 50)
	}
}

func TestDeterminism_DifferentSeedsDifferentRuns(t *testing.T) {
	for _, s := range []sim.Strategy{sim.Random(), sim.PCT(3)} {
		hashes := map[uint64]bool{}
		for seed := range uint64(100) {
			hashes[mustRun(t, fourWorkers, sim.WithSeed(seed), sim.WithStrategy(s)).Hash] = true
		}
		assert.GreaterOrEqual(t, len(hashes), 90, "%v: distinct hashes over 100 seeds", s)
	}
}

func TestS6_EqualDeadlinesFireInSeededOrder(t *testing.T) {
	wake := func(seed uint64) []int {
		var got taskLog[int]
		mustRun(t, func(ctx context.Context) error {
			var js runtime.JoinSet[int]
			for i := range 6 {
				js.Spawn(ctx, func(ctx context.Context) (int, error) {
					err := clock.Sleep(ctx, time.Second)
					got.add(i)
					return i, err
				})
			}
			return joinAll(ctx, &js)
		}, sim.WithSeed(seed), sim.WithStrategy(sim.FIFO()))
		return got.all()
	}
	seen := map[string]bool{}
	for seed := range uint64(20) {
		o := wake(seed)
		require.Len(t, o, 6)
		assert.Equal(t, o, wake(seed))
		seen[fmt.Sprint(o)] = true
	}
	assert.Greater(t, len(seen), 5, "FIFO still orders simultaneous timers by seed")
}

func TestS7_VirtualClockStartsAtEpoch(t *testing.T) {
	assert.Equal(t, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), clock.Epoch)
	mustRun(t, func(ctx context.Context) error {
		assert.Equal(t, clock.Epoch, clock.Now(ctx))
		return nil
	})
	other := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	mustRun(t, func(ctx context.Context) error {
		assert.Equal(t, other, clock.Now(ctx))
		require.NoError(t, clock.Sleep(ctx, time.Hour))
		assert.Equal(t, time.Hour, clock.Since(ctx, other))
		return nil
	}, sim.WithStart(other))
}
