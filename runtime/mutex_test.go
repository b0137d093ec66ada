package runtime_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestMutex_MutualExclusionAcrossYieldPoints(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var m runtime.Mutex
		inside, count := 0, 0
		var guardMu sync.Mutex // for the production executor's parallel tasks
		var hs []*runtime.JoinHandle[struct{}]
		for range 4 {
			hs = append(hs, spawnUnit(ctx, func(ctx context.Context) error {
				for range 20 {
					if err := m.Lock(ctx); err != nil {
						return err
					}
					guardMu.Lock()
					inside++
					assert.Equal(t, 1, inside)
					guardMu.Unlock()
					runtime.YieldNow(ctx)
					guardMu.Lock()
					inside--
					count++
					guardMu.Unlock()
					m.Unlock()
				}
				return nil
			}))
		}
		joinAll(t, ctx, hs...)
		assert.Equal(t, 80, count)
	})
}

func TestS30_MutexServesWaitersInArrivalOrder(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var m runtime.Mutex
		require.NoError(t, m.Lock(ctx))
		var order []int
		var hs []*runtime.JoinHandle[struct{}]
		for i := range 5 {
			hs = append(hs, spawnUnit(ctx, func(ctx context.Context) error {
				if err := m.Lock(ctx); err != nil {
					return err
				}
				order = append(order, i) // under m
				m.Unlock()
				return nil
			}))
			waitQueued(ctx, &m, i+1)
		}
		assert.False(t, m.TryLock(), "no barging while waiters queue")
		m.Unlock()
		joinAll(t, ctx, hs...)
		assert.Equal(t, []int{0, 1, 2, 3, 4}, order)
	})
}

func TestS20_MutexLockCancelledLeavesNoTrace(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var m runtime.Mutex
		require.NoError(t, m.Lock(ctx))
		lctx, cancel := context.WithCancel(ctx)
		h := spawnUnit(lctx, func(ctx context.Context) error { return m.Lock(ctx) })
		waitQueued(ctx, &m, 1)
		cancel()
		_, err := h.Join(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 0, runtime.Queued(&m))
		m.Unlock()
		assert.True(t, m.TryLock(), "the cancelled waiter does not hold the lock")
		m.Unlock()
	})
}

func TestS15_AbortWhileWaitingForMutexPassesItOn(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var m runtime.Mutex
		require.NoError(t, m.Lock(ctx))
		deferred := make(chan struct{}, 1)
		a := spawnUnit(ctx, func(ctx context.Context) error {
			defer func() { deferred <- struct{}{} }()
			return m.Lock(ctx)
		})
		waitQueued(ctx, &m, 1)
		b := spawnUnit(ctx, func(ctx context.Context) error {
			if err := m.Lock(ctx); err != nil {
				return err
			}
			m.Unlock()
			return nil
		})
		waitQueued(ctx, &m, 2)
		a.Abort()
		_, err := a.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		assert.Len(t, deferred, 1)
		m.Unlock()
		joinAll(t, ctx, b)
		assert.True(t, m.TryLock())
	})
}

func TestMutex_UnlockOfUnlockedPanics(t *testing.T) {
	var m runtime.Mutex
	assert.PanicsWithValue(t, "runtime: Unlock of an unlocked Mutex; pair each Unlock with a successful Lock", m.Unlock)
}

func TestS11_SpawnWhileHoldingRuntimeMutex(t *testing.T) {
	prog := func(ctx context.Context) error {
		var m runtime.Mutex
		var sm sync.Mutex
		if err := m.Lock(ctx); err != nil {
			return err
		}
		sm.Lock()
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			if err := m.Lock(ctx); err != nil {
				return 0, err
			}
			defer m.Unlock()
			sm.Lock()
			defer sm.Unlock()
			return 1, nil
		})
		sm.Unlock()
		m.Unlock()
		v, err := h.Join(ctx)
		if v != 1 {
			return fmt.Errorf("child returned %d", v)
		}
		return err
	}
	for _, s := range []sim.Strategy{sim.FIFO(), sim.Random(), sim.PCT(2), sim.PCT(3)} {
		for seed := range uint64(1000) {
			res := sim.Run(prog, sim.WithSeed(seed), sim.WithStrategy(s))
			require.NoError(t, res.Err, "seed %d strategy %v", seed, s)
		}
	}
	rt := newRuntime(t)
	for range 100 {
		require.NoError(t, rt.BlockOn(prog))
	}
}

func TestMutex_DeadlockNamesTheHolders(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		var a, b runtime.Mutex
		lockBoth := func(first, second *runtime.Mutex) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				if err := first.Lock(ctx); err != nil {
					return err
				}
				if err := clock.Sleep(ctx, time.Millisecond); err != nil {
					return err
				}
				return second.Lock(ctx)
			}
		}
		h1 := spawnUnit(ctx, lockBoth(&a, &b))
		h2 := spawnUnit(ctx, lockBoth(&b, &a))
		_, err := h1.Join(ctx)
		if err != nil {
			return err
		}
		_, err = h2.Join(ctx)
		return err
	})
	var de *sim.DeadlockError
	require.ErrorAs(t, res.Err, &de)
	waits := map[runtime.TaskID]runtime.TaskID{}
	for _, bt := range de.Tasks {
		if bt.Op == "Mutex.Lock" {
			waits[bt.ID] = bt.WaitsFor
		}
	}
	assert.Equal(t, map[runtime.TaskID]runtime.TaskID{2: 3, 3: 2}, waits, "each waits for the other holder")
	assert.Contains(t, res.Err.Error(), "task 2 blocked in Mutex.Lock, waiting for task 3")
}

func TestS32_WaitingOutsideATaskInSimulationPanics(t *testing.T) {
	rt := sim.New()
	defer rt.Shutdown()
	var m runtime.Mutex
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error { return m.Lock(ctx) }))
	outside := rt.Enter(context.Background())
	assert.PanicsWithValue(t,
		"sim: blocking call outside any task (S32); in a simulation, block only in a task, with the ctx it was given",
		func() { _ = m.Lock(outside) })
}

func TestMisuse_PrimitiveSharedBetweenSimulationsPanics(t *testing.T) {
	var m runtime.Mutex
	require.NoError(t, sim.Run(func(ctx context.Context) error {
		if err := m.Lock(ctx); err != nil {
			return err
		}
		m.Unlock()
		return nil
	}).Err)
	res := sim.Run(func(ctx context.Context) error { return m.Lock(ctx) })
	var pe *runtime.PanicError
	require.ErrorAs(t, res.Err, &pe)
	assert.Contains(t, pe.Value, "Mutex used by two runtimes")
}

func TestRWMutex_ReadersShareWritersExclude(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var rw runtime.RWMutex
		require.NoError(t, rw.RLock(ctx))
		assert.True(t, rw.TryRLock(), "readers share")
		assert.False(t, rw.TryLock(), "a writer waits for readers")
		w := spawnUnit(ctx, func(ctx context.Context) error {
			if err := rw.Lock(ctx); err != nil {
				return err
			}
			rw.Unlock()
			return nil
		})
		waitQueued(ctx, &rw, 1)
		assert.False(t, rw.TryRLock(), "a waiting writer holds back later readers (S30)")
		rw.RUnlock()
		rw.RUnlock()
		joinAll(t, ctx, w)
		assert.True(t, rw.TryLock())
		assert.Panics(t, rw.RUnlock)
		rw.Unlock()
		assert.Panics(t, rw.Unlock)
	})
}
