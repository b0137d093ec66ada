package runtime_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
)

// A Mutex taken with TryLock before any Lock has no runtime yet; the first
// Lock must still find it held (in a simulation the lock then moves from
// the production state word to the simulated flag).
func TestMutex_TryLockBeforeAnyLockIsHeld(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var m runtime.Mutex
		require.True(t, m.TryLock())
		require.False(t, m.TryLock())
		var got atomic.Bool
		h := spawnUnit(ctx, func(ctx context.Context) error {
			if err := m.Lock(ctx); err != nil {
				return err
			}
			got.Store(true)
			m.Unlock()
			return nil
		})
		waitQueued(ctx, &m, 1)
		assert.False(t, got.Load(), "Lock went past a TryLock'ed Mutex")
		m.Unlock()
		joinAll(t, ctx, h)
		assert.True(t, got.Load())
		assert.True(t, m.TryLock(), "free again after the last Unlock")
		m.Unlock()
	})
}

// Production Lock/Unlock switch between the one-CAS path and the queue
// under the Mutex's lock; many tasks, some giving up while queued, must
// still exclude each other and leave it free.
func TestMutex_FastAndQueuedPathsExcludeEachOther(t *testing.T) {
	rt := newRuntime(t, quiet)
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		var m runtime.Mutex
		var inside atomic.Int32
		count, gaveUp := 0, atomic.Int32{}
		var hs []*runtime.JoinHandle[struct{}]
		for i := range 8 {
			hs = append(hs, spawnUnit(ctx, func(ctx context.Context) error {
				for j := range 2000 {
					lctx, cancel := ctx, context.CancelFunc(func() {})
					if (i+j)%7 == 0 { // some waits end early
						lctx, cancel = context.WithTimeout(ctx, time.Microsecond)
					}
					err := m.Lock(lctx)
					cancel()
					if err != nil {
						require.ErrorIs(t, err, context.DeadlineExceeded)
						gaveUp.Add(1)
						continue
					}
					if n := inside.Add(1); n != 1 {
						t.Errorf("%d tasks inside the Mutex", n)
					}
					count++
					if j%3 == 0 {
						runtime.YieldNow(ctx)
					}
					inside.Add(-1)
					m.Unlock()
				}
				return nil
			}))
		}
		joinAll(t, ctx, hs...)
		assert.Equal(t, 8*2000, count+int(gaveUp.Load()))
		assert.Equal(t, 0, runtime.Queued(&m))
		assert.True(t, m.TryLock(), "free after the last Unlock")
		m.Unlock()
		return nil
	}))
}
