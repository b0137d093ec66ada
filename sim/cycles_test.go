package sim_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// ticker runs for ever, so the simulation never runs out of work.
func ticker(ctx context.Context) (int, error) {
	for {
		if err := clock.Sleep(ctx, time.Second); err != nil {
			return 0, err
		}
	}
}

// lockBoth locks first, then, after a pause, second.
func lockBoth(first, second *runtime.Mutex, pause time.Duration) func(ctx context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		if err := first.Lock(ctx); err != nil {
			return 0, err
		}
		defer first.Unlock()
		if err := clock.Sleep(ctx, pause); err != nil {
			return 0, err
		}
		if err := second.Lock(ctx); err != nil {
			return 0, err
		}
		second.Unlock()
		return 0, nil
	}
}

func TestCycle_ReportedTheMomentItFormsBesideARunningTask(t *testing.T) {
	tests := []struct {
		name string
		// body spawns the ticker's company and returns the IDs of the
		// tasks of the cycle it makes, and when the cycle forms.
		body func(ctx context.Context) ([]runtime.TaskID, time.Duration)
	}{
		{"two Mutexes locked in opposite orders", func(ctx context.Context) ([]runtime.TaskID, time.Duration) {
			var a, b runtime.Mutex
			x := runtime.Spawn(ctx, lockBoth(&a, &b, 10*time.Millisecond))
			y := runtime.Spawn(ctx, lockBoth(&b, &a, 20*time.Millisecond))
			return []runtime.TaskID{x.ID(), y.ID()}, 20 * time.Millisecond
		}},
		{"two tasks joining each other", func(ctx context.Context) ([]runtime.TaskID, time.Duration) {
			var y atomic.Pointer[runtime.JoinHandle[int]] // set after x is spawned
			x := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				_ = clock.Sleep(ctx, 5*time.Millisecond)
				return y.Load().Join(ctx)
			})
			y.Store(runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return x.Join(ctx) }))
			return []runtime.TaskID{x.ID(), y.Load().ID()}, 5 * time.Millisecond
		}},
		{"a Mutex holder joining its waiter", func(ctx context.Context) ([]runtime.TaskID, time.Duration) {
			var m runtime.Mutex
			var w atomic.Pointer[runtime.JoinHandle[int]] // set after h is spawned
			h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				_ = m.Lock(ctx)
				defer m.Unlock()
				_ = clock.Sleep(ctx, 3*time.Millisecond)
				return w.Load().Join(ctx)
			})
			w.Store(runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				_ = clock.Sleep(ctx, time.Millisecond)
				return 0, m.Lock(ctx) // waits for h, which is not waiting yet
			}))
			return []runtime.TaskID{h.ID(), w.Load().ID()}, 3 * time.Millisecond
		}},
		{"a task locking a Mutex it holds", func(ctx context.Context) ([]runtime.TaskID, time.Duration) {
			var m runtime.Mutex
			x := runtime.Spawn(ctx, lockBoth(&m, &m, 7*time.Millisecond))
			return []runtime.TaskID{x.ID()}, 7 * time.Millisecond
		}},
		{"a reader locking again behind a queued writer", func(ctx context.Context) ([]runtime.TaskID, time.Duration) {
			var rw runtime.RWMutex
			r := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				_ = rw.RLock(ctx)
				_ = clock.Sleep(ctx, 2*time.Millisecond)
				_ = rw.RLock(ctx) // behind the writer, which waits for this reader
				return 0, nil
			})
			w := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				_ = clock.Sleep(ctx, time.Millisecond)
				return 0, rw.Lock(ctx)
			})
			return []runtime.TaskID{r.ID(), w.ID()}, 2 * time.Millisecond
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var want []runtime.TaskID
			var at time.Duration
			res := sim.Run(func(ctx context.Context) error {
				runtime.Spawn(ctx, ticker)
				want, at = tc.body(ctx)
				return clock.Sleep(ctx, time.Hour)
			}, sim.WithStrategy(sim.FIFO()))
			var de *sim.DeadlockError
			require.ErrorAs(t, res.Err, &de, "a cycle beside a ticking task is a deadlock")
			assert.Equal(t, at, de.At, "reported at the instant it forms")
			assert.Equal(t, at, res.Elapsed)
			assert.ElementsMatch(t, want, de.Cycle)
			require.Len(t, de.Tasks, len(de.Cycle))
			for i, bt := range de.Tasks {
				assert.Equal(t, de.Cycle[(i+1)%len(de.Cycle)], bt.WaitsFor, "each task waits for the next")
				assert.NotEmpty(t, bt.Stack)
			}
			assert.Contains(t, de.Error(), "a cycle of waiting")
		})
	}
}

func TestCycle_NotReportedWhileAWaitCanStillEnd(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		runtime.Spawn(ctx, ticker)
		var a, b runtime.Mutex
		x := runtime.Spawn(ctx, lockBoth(&a, &b, time.Millisecond))
		y := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			_ = b.Lock(ctx)
			defer b.Unlock()
			_ = clock.Sleep(ctx, 2*time.Millisecond)
			tctx, cancel := clock.WithTimeout(ctx, time.Second)
			defer cancel()
			if err := a.Lock(tctx); err != nil { // gives up, breaking the cycle
				return 0, nil
			}
			a.Unlock()
			return 0, nil
		})
		if _, err := x.Join(ctx); err != nil {
			return err
		}
		_, err := y.Join(ctx)
		return err
	}, sim.WithStrategy(sim.FIFO()))
	require.NoError(t, res.Err)
}
