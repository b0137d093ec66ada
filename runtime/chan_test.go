package runtime_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestChan_BufferedIsFIFOWithTrySendAndTryRecv(t *testing.T) {
	c := runtime.NewChan[int](2)
	assert.Equal(t, 2, c.Cap())
	require.NoError(t, c.TrySend(1))
	require.NoError(t, c.TrySend(2))
	assert.ErrorIs(t, c.TrySend(3), runtime.ErrFull)
	assert.Equal(t, 2, c.Len())
	v, err := c.TryRecv()
	require.NoError(t, err)
	assert.Equal(t, 1, v)
	v, _ = c.TryRecv()
	assert.Equal(t, 2, v)
	_, err = c.TryRecv()
	assert.ErrorIs(t, err, runtime.ErrEmpty)

	r := runtime.NewChan[int](0)
	assert.ErrorIs(t, r.TrySend(1), runtime.ErrFull, "a rendezvous send needs a waiting receiver")
	u := runtime.NewChan[int](-1)
	for i := range 1000 {
		require.NoError(t, u.TrySend(i), "an unbounded channel never fills")
	}
	assert.Equal(t, 1000, u.Len())
}

func TestS30_ChanServesWaitingReceiversInOrder(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		c := runtime.NewChan[int](0)
		got := make([]int, 3)
		var hs []*runtime.JoinHandle[struct{}]
		for i := range 3 {
			hs = append(hs, spawnUnit(ctx, func(ctx context.Context) error {
				v, err := c.Recv(ctx)
				got[i] = v
				return err
			}))
			waitQueued(ctx, c, i+1)
		}
		for i := range 3 {
			require.NoError(t, c.Send(ctx, 10+i))
		}
		joinAll(t, ctx, hs...)
		assert.Equal(t, []int{10, 11, 12}, got)
	})
}

func TestS30_ChanWaitingSendersKeepTheirOrder(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		c := runtime.NewChan[int](1)
		require.NoError(t, c.Send(ctx, 0))
		var hs []*runtime.JoinHandle[struct{}]
		for i := 1; i <= 3; i++ {
			hs = append(hs, spawnUnit(ctx, func(ctx context.Context) error { return c.Send(ctx, i) }))
			waitQueued(ctx, c, i)
		}
		var got []int
		for range 4 {
			v, err := c.Recv(ctx)
			require.NoError(t, err)
			got = append(got, v)
		}
		joinAll(t, ctx, hs...)
		assert.Equal(t, []int{0, 1, 2, 3}, got)
	})
}

func TestS30_ChanMPMCLosesAndDuplicatesNothing(t *testing.T) {
	for _, capacity := range []int{0, 1, 4, -1} {
		onBoth(t, func(t *testing.T, ctx context.Context) {
			c := runtime.NewChan[int](capacity)
			var producers, consumers runtime.WaitGroup
			for p := range 3 {
				producers.Go(ctx, func(ctx context.Context) {
					for i := range 50 {
						assert.NoError(t, c.Send(ctx, p*1000+i))
					}
				})
			}
			var mu sync.Mutex
			var got []int
			for range 3 {
				consumers.Go(ctx, func(ctx context.Context) {
					for v := range c.All(ctx) {
						mu.Lock()
						got = append(got, v)
						mu.Unlock()
					}
				})
			}
			require.NoError(t, producers.Wait(ctx))
			c.Close()
			require.NoError(t, consumers.Wait(ctx))
			slices.Sort(got)
			var want []int
			for p := range 3 {
				for i := range 50 {
					want = append(want, p*1000+i)
				}
			}
			assert.Equal(t, want, got)
		})
	}
}

func TestChan_CloseSemantics(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		c := runtime.NewChan[string](2)
		require.NoError(t, c.Send(ctx, "a"))
		recvWaiter := runtime.NewChan[string](0)
		r := spawnUnit(ctx, func(ctx context.Context) error {
			_, err := recvWaiter.Recv(ctx)
			assert.ErrorIs(t, err, runtime.ErrClosed, "a waiting receiver is released by Close")
			return nil
		})
		full := runtime.NewChan[string](0)
		s := spawnUnit(ctx, func(ctx context.Context) error {
			assert.ErrorIs(t, full.Send(ctx, "x"), runtime.ErrClosed, "a waiting sender fails")
			return nil
		})
		waitQueued(ctx, recvWaiter, 1)
		waitQueued(ctx, full, 1)
		c.Close()
		recvWaiter.Close()
		full.Close()
		joinAll(t, ctx, r, s)
		assert.ErrorIs(t, c.Send(ctx, "b"), runtime.ErrClosed)
		v, err := c.Recv(ctx)
		require.NoError(t, err, "a closed channel drains first")
		assert.Equal(t, "a", v)
		_, err = c.Recv(ctx)
		assert.ErrorIs(t, err, runtime.ErrClosed)
		_, err = c.TryRecv()
		assert.ErrorIs(t, err, runtime.ErrClosed)
		assert.ErrorIs(t, c.TrySend("c"), runtime.ErrClosed)
		assert.PanicsWithValue(t, "runtime: Close of a closed Chan; close a channel once, from its sender", c.Close)
	})
}

func TestS20_ChanSendCancelledSendsNothing(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		c := runtime.NewChan[int](1)
		require.NoError(t, c.Send(ctx, 1))
		sctx, cancel := context.WithCancel(ctx)
		s := spawnUnit(sctx, func(ctx context.Context) error { return c.Send(ctx, 2) })
		waitQueued(ctx, c, 1)
		cancel()
		_, err := s.Join(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		v, _ := c.Recv(ctx)
		assert.Equal(t, 1, v)
		_, err = c.TryRecv()
		assert.ErrorIs(t, err, runtime.ErrEmpty, "the cancelled send left nothing behind")
	})
}

func TestS15_ChanReceiverDroppedAfterHandOverLosesNoMessage(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		c := runtime.NewChan[int](0)
		r := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return c.Recv(ctx) })
		waitQueued(ctx, c, 1)
		require.NoError(t, c.Send(ctx, 7)) // handed to r, which has not run yet
		r.Abort()
		_, err := r.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		v, err := c.TryRecv()
		require.NoError(t, err, "the value handed to the dropped receiver is back in the channel")
		assert.Equal(t, 7, v)
	}, sim.WithStrategy(sim.FIFO()))
}
