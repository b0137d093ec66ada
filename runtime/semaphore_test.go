package runtime_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
)

func TestS30_SemaphoreServesRequestsInOrder(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		s := runtime.NewSemaphore(3)
		require.NoError(t, s.Acquire(ctx, 3))
		var order []int
		var hs []*runtime.JoinHandle[struct{}]
		// No two requests fit together, so grant order is run order.
		for i, n := range []int64{2, 3, 2, 2} {
			hs = append(hs, spawnUnit(ctx, func(ctx context.Context) error {
				if err := s.Acquire(ctx, n); err != nil {
					return err
				}
				order = append(order, i) // appended while holding permits
				s.Release(n)
				return nil
			}))
			waitQueued(ctx, s, i+1)
		}
		s.Release(1)
		assert.False(t, s.TryAcquire(1), "a queued request holds back later ones")
		s.Release(2)
		joinAll(t, ctx, hs...)
		assert.Equal(t, []int{0, 1, 2, 3}, order)
		assert.True(t, s.TryAcquire(3))
		s.Release(3)
	})
}

func TestS20_SemaphoreAcquireCancelledLeavesItUnchanged(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		s := runtime.NewSemaphore(2)
		require.NoError(t, s.Acquire(ctx, 1))
		actx, cancel := context.WithCancel(ctx)
		big := spawnUnit(actx, func(ctx context.Context) error { return s.Acquire(ctx, 2) })
		waitQueued(ctx, s, 1)
		small := spawnUnit(ctx, func(ctx context.Context) error { return s.Acquire(ctx, 1) })
		waitQueued(ctx, s, 2)
		cancel()
		_, err := big.Join(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		// The head request left: the one behind it fits and is served.
		joinAll(t, ctx, small)
		s.Release(2)
		assert.True(t, s.TryAcquire(2), "all permits are back")
	})
}

func TestSemaphore_Misuse(t *testing.T) {
	s := runtime.NewSemaphore(1)
	assert.Panics(t, func() { s.Release(1) }, "release of more than held")
	assert.Panics(t, func() { _ = s.Acquire(context.Background(), 2) }, "more than the size")
	assert.Panics(t, func() { runtime.NewSemaphore(-1) })
}

func TestNotify_PermitAndFIFO(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var n runtime.Notify
		n.NotifyOne()
		n.NotifyOne() // at most one permit is kept
		require.NoError(t, n.Wait(ctx), "the stored permit")
		var order []int
		var hs []*runtime.JoinHandle[struct{}]
		for i := range 3 {
			hs = append(hs, spawnUnit(ctx, func(ctx context.Context) error {
				err := n.Wait(ctx)
				order = append(order, i)
				return err
			}))
			waitQueued(ctx, &n, i+1)
		}
		for i := range 3 {
			n.NotifyOne()
			joinAll(t, ctx, hs[i])
		}
		assert.Equal(t, []int{0, 1, 2}, order)
	})
}

func TestNotify_NotifyAllWakesWaitersAndStoresNothing(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var n runtime.Notify
		var hs []*runtime.JoinHandle[struct{}]
		for i := range 3 {
			hs = append(hs, spawnUnit(ctx, n.Wait))
			waitQueued(ctx, &n, i+1)
		}
		n.NotifyAll()
		joinAll(t, ctx, hs...)
		wctx, cancel := context.WithCancel(ctx)
		cancel()
		assert.ErrorIs(t, n.Wait(wctx), context.Canceled, "no permit left behind")
	})
}

func TestS15_NotifyAbortAfterNotifyOnePassesItOn(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var n runtime.Notify
		a := spawnUnit(ctx, n.Wait)
		waitQueued(ctx, &n, 1)
		b := spawnUnit(ctx, n.Wait)
		waitQueued(ctx, &n, 2)
		a.Abort()
		_, err := a.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		n.NotifyOne()
		joinAll(t, ctx, b)
	})
}

func TestWaitGroup(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var wg runtime.WaitGroup
		done := 0
		var mu runtime.Mutex
		for range 5 {
			wg.Go(ctx, func(ctx context.Context) {
				runtime.YieldNow(ctx)
				if mu.Lock(ctx) == nil {
					done++
					mu.Unlock()
				}
			})
		}
		require.NoError(t, wg.Wait(ctx))
		assert.Equal(t, 5, done)
		require.NoError(t, wg.Wait(ctx), "a zero counter does not wait")

		wg.Add(1)
		wctx, cancel := context.WithCancel(ctx)
		w := spawnUnit(wctx, wg.Wait)
		waitQueued(ctx, &wg, 1)
		cancel()
		_, err := w.Join(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		wg.Done()
	})
	var wg runtime.WaitGroup
	assert.PanicsWithValue(t, "runtime: negative WaitGroup counter; call Done once per Add", wg.Done)
}

func TestOnce_RunsOnceWhileOthersWait(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var once runtime.Once
		calls := 0
		var hs []*runtime.JoinHandle[struct{}]
		for range 4 {
			hs = append(hs, spawnUnit(ctx, func(ctx context.Context) error {
				return once.Do(ctx, func(ctx context.Context) {
					calls++
					runtime.YieldNow(ctx) // others arrive and wait meanwhile
				})
			}))
		}
		joinAll(t, ctx, hs...)
		assert.Equal(t, 1, calls)

		get := runtime.OnceValue(func(ctx context.Context) (int, error) { calls++; return 42, nil })
		for range 3 {
			v, err := get(ctx)
			require.NoError(t, err)
			assert.Equal(t, 42, v)
		}
		assert.Equal(t, 2, calls)
	})
}

func TestOnce_DroppedRunnerHandsOver(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var once runtime.Once
		var n runtime.Notify
		runner := spawnUnit(ctx, func(ctx context.Context) error {
			return once.Do(ctx, func(ctx context.Context) { _ = n.Wait(ctx) }) // never notified
		})
		waitQueued(ctx, &n, 1)
		ran := false
		other := spawnUnit(ctx, func(ctx context.Context) error {
			return once.Do(ctx, func(ctx context.Context) { ran = true })
		})
		waitQueued(ctx, &once, 1)
		runner.Abort()
		_, err := runner.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		joinAll(t, ctx, other)
		assert.True(t, ran, "f did not complete in the dropped task, so a waiter ran it")
	})
}

func TestBarrier(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		b := runtime.NewBarrier(3)
		leaders := make(chan bool, 6)
		var hs []*runtime.JoinHandle[struct{}]
		for range 3 {
			hs = append(hs, spawnUnit(ctx, func(ctx context.Context) error {
				for range 2 { // two rounds
					leader, err := b.Wait(ctx)
					if err != nil {
						return err
					}
					leaders <- leader
				}
				return nil
			}))
		}
		joinAll(t, ctx, hs...)
		close(leaders)
		n := 0
		for l := range leaders {
			if l {
				n++
			}
		}
		assert.Equal(t, 2, n, "one leader per round")

		wctx, cancel := context.WithCancel(ctx)
		w := spawnUnit(wctx, func(ctx context.Context) error { _, err := b.Wait(ctx); return err })
		waitQueued(ctx, b, 1)
		cancel()
		_, err := w.Join(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		// The cancelled waiter no longer counts: a full round still needs 3.
		x := spawnUnit(ctx, func(ctx context.Context) error { _, err := b.Wait(ctx); return err })
		y := spawnUnit(ctx, func(ctx context.Context) error { _, err := b.Wait(ctx); return err })
		waitQueued(ctx, b, 2)
		leader, err := b.Wait(ctx)
		require.NoError(t, err)
		assert.True(t, leader)
		joinAll(t, ctx, x, y)
	})
	assert.Panics(t, func() { runtime.NewBarrier(0) })
}
