package runtime_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestSelect_ReadyCaseRunsAndTheOthersAreUntouched(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		a, b := runtime.NewChan[int](1), runtime.NewChan[int](1)
		require.NoError(t, a.Send(ctx, 1))
		require.NoError(t, b.Send(ctx, 2))
		var got []int
		require.NoError(t, runtime.Select(ctx,
			runtime.OnRecv(a, func(v int, err error) { got = append(got, v) }),
			runtime.OnRecv(b, func(v int, err error) { got = append(got, v) }),
		))
		require.Len(t, got, 1)
		assert.Equal(t, 1, a.Len()+b.Len(), "exactly one value was taken")
	})
}

func TestS31_SelectChoiceAmongReadyCasesFollowsTheSeed(t *testing.T) {
	choose := func(seed uint64) int {
		won := -1
		res := sim.Run(func(ctx context.Context) error {
			chans := []*runtime.Chan[int]{runtime.NewChan[int](1), runtime.NewChan[int](1), runtime.NewChan[int](1)}
			var cases []runtime.Case
			for i, c := range chans {
				if err := c.Send(ctx, i); err != nil {
					return err
				}
				cases = append(cases, runtime.OnRecv(c, func(v int, err error) { won = v }))
			}
			return runtime.Select(ctx, cases...)
		}, sim.WithSeed(seed))
		require.NoError(t, res.Err)
		return won
	}
	wins := map[int]int{}
	for seed := range uint64(60) {
		w := choose(seed)
		assert.Equal(t, w, choose(seed), "same seed, same choice")
		wins[w]++
	}
	assert.Len(t, wins, 3, "each ready case wins for some seed: %v", wins)
}

func TestSelect_WaitsForTheFirstCaseToBecomeReady(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		a, b := runtime.NewChan[int](0), runtime.NewChan[string](0)
		sender := spawnUnit(ctx, func(ctx context.Context) error {
			waitQueued(ctx, a, 1)
			waitQueued(ctx, b, 1)
			return b.Send(ctx, "b")
		})
		var got string
		require.NoError(t, runtime.Select(ctx,
			runtime.OnRecv(a, func(int, error) { got = "a" }),
			runtime.OnRecv(b, func(v string, err error) { got = v }),
		))
		joinAll(t, ctx, sender)
		assert.Equal(t, "b", got)
		assert.Equal(t, 0, runtime.Queued(a), "the losing case was withdrawn")
	})
}

func TestSelect_SendCaseAndClosedRecvCase(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		full := runtime.NewChan[int](1)
		require.NoError(t, full.Send(ctx, 1))
		drain := spawnUnit(ctx, func(ctx context.Context) error {
			waitQueued(ctx, full, 1)
			_, err := full.Recv(ctx)
			return err
		})
		sent := false
		require.NoError(t, runtime.Select(ctx, runtime.OnSend(full, 2, func(err error) {
			assert.NoError(t, err)
			sent = true
		})))
		joinAll(t, ctx, drain)
		assert.True(t, sent)
		v, _ := full.TryRecv()
		assert.Equal(t, 2, v)

		closed := runtime.NewChan[int](0)
		closed.Close()
		var rerr error
		require.NoError(t, runtime.Select(ctx, runtime.OnRecv(closed, func(_ int, err error) { rerr = err })))
		assert.ErrorIs(t, rerr, runtime.ErrClosed)
	})
}

func TestS20_SelectCancelledRunsNoCase(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		a := runtime.NewChan[int](0)
		sctx, cancel := context.WithCancel(ctx)
		fired := false
		h := spawnUnit(sctx, func(ctx context.Context) error {
			return runtime.Select(ctx, runtime.OnRecv(a, func(int, error) { fired = true }))
		})
		waitQueued(ctx, a, 1)
		cancel()
		_, err := h.Join(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		assert.False(t, fired)
		assert.Equal(t, 0, runtime.Queued(a))
		assert.ErrorIs(t, runtime.Select(sctx), context.Canceled, "no cases: waits for ctx")
	})
}

func TestSelect_TimerCasesUseTheRuntimeClock(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		never := runtime.NewChan[int](0)
		start := clock.Now(ctx)
		which := ""
		require.NoError(t, runtime.Select(ctx,
			runtime.OnRecv(never, func(int, error) { which = "recv" }),
			runtime.OnAfter(time.Second, func() { which = "after" }),
			runtime.OnDeadline(start.Add(time.Hour), func() { which = "deadline" }),
		))
		assert.Equal(t, "after", which)
		assert.Equal(t, time.Second, clock.Since(ctx, start), "fires at exactly its instant in virtual time")
		require.NoError(t, runtime.Select(ctx, runtime.OnDeadline(start, func() { which = "past" })))
		assert.Equal(t, "past", which, "a deadline in the past is ready at once")
		assert.Equal(t, 0, runtime.Queued(never))
	})
	onBoth(t, func(t *testing.T, ctx context.Context) {
		fired := false
		require.NoError(t, runtime.Select(ctx, runtime.OnAfter(time.Millisecond, func() { fired = true })))
		assert.True(t, fired)
	})
}

func TestS30_SelectLoopsLoseNoMessage(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		chans := []*runtime.Chan[int]{runtime.NewChan[int](0), runtime.NewChan[int](1), runtime.NewChan[int](2)}
		var producers runtime.WaitGroup
		for p, c := range chans {
			producers.Go(ctx, func(ctx context.Context) {
				for i := range 40 {
					assert.NoError(t, c.Send(ctx, p*100+i))
				}
			})
		}
		results := runtime.NewChan[int](-1)
		var consumers runtime.WaitGroup
		for range 2 {
			consumers.Go(ctx, func(ctx context.Context) {
				for range 60 {
					var cases []runtime.Case
					for _, c := range chans {
						cases = append(cases, runtime.OnRecv(c, func(v int, err error) {
							assert.NoError(t, err)
							assert.NoError(t, results.TrySend(v))
						}))
					}
					if !assert.NoError(t, runtime.Select(ctx, cases...)) {
						return
					}
				}
			})
		}
		require.NoError(t, producers.Wait(ctx))
		require.NoError(t, consumers.Wait(ctx))
		results.Close()
		var got []int
		for v := range results.All(ctx) {
			got = append(got, v)
		}
		slices.Sort(got)
		var want []int
		for p := range 3 {
			for i := range 40 {
				want = append(want, p*100+i)
			}
		}
		assert.Equal(t, want, got)
	})
}

func TestS15_AbortWhileInSelect(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		a, b := runtime.NewChan[int](0), runtime.NewChan[int](0)
		deferred := make(chan struct{}, 1)
		h := spawnUnit(ctx, func(ctx context.Context) error {
			defer func() { deferred <- struct{}{} }()
			return runtime.Select(ctx, runtime.OnRecv(a, nil), runtime.OnRecv(b, nil), runtime.OnAfter(time.Hour, nil))
		})
		waitQueued(ctx, a, 1)
		waitQueued(ctx, b, 1)
		h.Abort()
		_, err := h.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		assert.Len(t, deferred, 1)
		assert.Equal(t, 0, runtime.Queued(a)+runtime.Queued(b), "every case was withdrawn")
	})
	sim.Test(t, func(ctx context.Context) {
		a := runtime.NewChan[int](0)
		h := spawnUnit(ctx, func(ctx context.Context) error {
			return runtime.Select(ctx, runtime.OnRecv(a, nil), runtime.OnAfter(time.Hour, nil))
		})
		waitQueued(ctx, a, 1)
		require.NoError(t, a.Send(ctx, 5)) // granted to the Select, which has not run yet
		h.Abort()
		_, err := h.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		v, err := a.TryRecv()
		require.NoError(t, err, "the value granted to the dropped Select is back")
		assert.Equal(t, 5, v)
	})
}
