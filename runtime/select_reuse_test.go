package runtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// A task's Selects share the task's case waiters. A Select that panics
// (here: a Chan of another simulation, §8) must withdraw the cases it had
// registered, so that the channel is left clean and the task's next Select
// works. The seed decides whether own is registered before the panic, so
// twenty seeds cover both orders.
func TestSelect_PanickingCaseWithdrawsTheOthers(t *testing.T) {
	foreign := runtime.NewChan[int](1)
	require.NoError(t, sim.Run(func(ctx context.Context) error { return foreign.Send(ctx, 1) }).Err)
	for seed := range uint64(20) {
		res := sim.Run(func(ctx context.Context) error {
			own := runtime.NewChan[int](1)
			assert.Panics(t, func() {
				_ = runtime.Select(ctx, runtime.OnRecv(own, nil), runtime.OnRecv(foreign, nil))
			})
			assert.Equal(t, 0, runtime.Queued(own), "seed %d: a case stayed queued", seed)
			sender := spawnUnit(ctx, func(ctx context.Context) error { return own.Send(ctx, 7) })
			got := 0
			err := runtime.Select(ctx, runtime.OnRecv(own, func(v int, err error) { got = v }))
			assert.NoError(t, err)
			assert.Equal(t, 7, got, "seed %d", seed)
			joinAll(t, ctx, sender)
			return nil
		}, sim.WithSeed(seed))
		require.NoError(t, res.Err, "seed %d", seed)
	}
}

// Only the timer case due first is armed; at equal instants the seed picks
// the case (S6, S31), and a Select that ends leaves no timer pending.
func TestSelect_TimerCasesTieBySeedAndLeaveNoTimer(t *testing.T) {
	choose := func(seed uint64) string {
		which := ""
		res := sim.Run(func(ctx context.Context) error {
			never := runtime.NewChan[int](0)
			before, _ := sim.StatsOf(ctx)
			start := clock.Now(ctx)
			err := runtime.Select(ctx,
				runtime.OnRecv(never, nil),
				runtime.OnAfter(time.Minute, func() { which = "after" }),
				runtime.OnDeadline(start.Add(time.Minute), func() { which = "deadline" }),
				runtime.OnAfter(time.Hour, func() { which = "late" }),
			)
			assert.Equal(t, time.Minute, clock.Since(ctx, start))
			after, _ := sim.StatsOf(ctx)
			assert.Equal(t, before.Timers, after.Timers, "no timer outlives the Select")
			assert.Equal(t, 0, runtime.Queued(never))
			return err
		}, sim.WithSeed(seed))
		require.NoError(t, res.Err)
		return which
	}
	wins := map[string]int{}
	for seed := range uint64(40) {
		w := choose(seed)
		assert.Equal(t, w, choose(seed), "same seed, same choice")
		wins[w]++
	}
	assert.Equal(t, 2, len(wins), "both cases due at the minute win for some seed: %v", wins)
	assert.Zero(t, wins["late"])

	sim.Test(t, func(ctx context.Context) {
		c := runtime.NewChan[int](1)
		require.NoError(t, c.Send(ctx, 1))
		before, _ := sim.StatsOf(ctx)
		require.NoError(t, runtime.Select(ctx, runtime.OnAfter(time.Second, nil), runtime.OnRecv(c, nil)))
		after, _ := sim.StatsOf(ctx)
		assert.Equal(t, before.Timers, after.Timers, "a Select won by a channel leaves no timer")
	})
}

// As in Go, a case on a nil channel is never ready: it disables the case.
func TestSelect_NilChannelCaseIsNeverReady(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		var off *runtime.Chan[int]
		on := runtime.NewChan[string](1)
		require.NoError(t, on.Send(ctx, "x"))
		got := ""
		for range 10 {
			require.NoError(t, runtime.Select(ctx,
				runtime.OnRecv(off, func(int, error) { got = "nil recv" }),
				runtime.OnSend(off, 1, func(error) { got = "nil send" }),
				runtime.OnRecv(on, func(v string, err error) { got = v }),
			))
			assert.Equal(t, "x", got)
			require.NoError(t, on.Send(ctx, "x"))
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		assert.ErrorIs(t, runtime.Select(cctx, runtime.OnRecv(off, nil)), context.Canceled)
	})
}

// A Case is a value: the same cases serve Select after Select, an OnAfter
// counting from the start of each one.
func TestSelect_CasesCanBeReused(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		c := runtime.NewChan[int](1)
		out := runtime.NewChan[int](1)
		var got []int
		timeouts := 0
		cases := []runtime.Case{
			runtime.OnRecv(c, func(v int, err error) { got = append(got, v) }),
			runtime.OnSend(out, 7, nil),
			runtime.OnAfter(time.Second, func() { timeouts++ }),
		}
		start := clock.Now(ctx)
		for i := range 3 {
			require.NoError(t, c.Send(ctx, i))
			if out.Len() == 1 {
				_, err := out.Recv(ctx)
				require.NoError(t, err)
			}
			for c.Len() > 0 || out.Len() == 0 {
				require.NoError(t, runtime.Select(ctx, cases...))
			}
		}
		assert.Equal(t, []int{0, 1, 2}, got)
		assert.Zero(t, timeouts)
		_, err := out.Recv(ctx)
		require.NoError(t, err)
		require.NoError(t, runtime.Select(ctx, cases[2]))
		require.NoError(t, runtime.Select(ctx, cases[2]))
		assert.Equal(t, 2, timeouts)
		assert.Equal(t, 2*time.Second, clock.Since(ctx, start), "each OnAfter counts from its own Select")
	})
}

// Building the cases and selecting allocates nothing once the task has
// selected before (receive cases, a timer case).
func TestSelect_AllocatesNothing(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		a, b := runtime.NewChan[int](1), runtime.NewChan[int](1)
		sum := 0
		f := func(v int, err error) { sum += v }
		allocs := testing.AllocsPerRun(100, func() {
			_ = a.Send(ctx, 1)
			_ = runtime.Select(ctx, runtime.OnRecv(a, f), runtime.OnRecv(b, f), runtime.OnAfter(time.Second, nil))
		})
		assert.Zero(t, allocs)
		assert.Equal(t, 101, sum)
	})
}

func TestSelect_ZeroCasePanics(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		assert.PanicsWithValue(t, "runtime: Select with a zero Case; make cases with OnRecv, OnSend, OnAfter or OnDeadline",
			func() { _ = runtime.Select(ctx, runtime.Case{}) })
	})
}
