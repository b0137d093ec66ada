package clock_test

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

func TestOnTimer_FiresInASelectAtItsDeadline(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		never := runtime.NewChan[int](0)
		tm := clock.NewTimer(ctx, 5*time.Second)
		fired := false
		require.NoError(t, runtime.Select(ctx,
			runtime.OnRecv(never, func(int, error) { t.Error("nothing was sent") }),
			clock.OnTimer(tm, func(err error) { fired = err == nil }),
		))
		assert.True(t, fired)
		assert.Equal(t, 5*time.Second, clock.Since(ctx, clock.Epoch))
		// A fired timer stays fired: its case is ready at once.
		require.NoError(t, runtime.Select(ctx, clock.OnTimer(tm, nil)))
		assert.Equal(t, 5*time.Second, clock.Since(ctx, clock.Epoch))
	})
}

func TestOnTimer_StopAndReset(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		tm := clock.NewTimer(ctx, time.Hour)
		h := runtime.Spawn(ctx, func(ctx context.Context) (error, error) {
			var got error
			err := runtime.Select(ctx, clock.OnTimer(tm, func(err error) { got = err }))
			return got, err
		})
		require.NoError(t, clock.Sleep(ctx, time.Second))
		assert.True(t, tm.Reset(time.Minute), "the case keeps waiting, for the new deadline")
		require.NoError(t, clock.Sleep(ctx, 30*time.Second))
		assert.True(t, tm.Stop())
		got, err := h.Join(ctx)
		require.NoError(t, err)
		assert.ErrorIs(t, got, clock.ErrStopped)
		assert.Equal(t, 31*time.Second, clock.Since(ctx, clock.Epoch))
	})
}

func TestOnTimer_LosingCaseLeavesTheTimerAlone(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		tm := clock.NewTimer(ctx, time.Hour)
		ch := runtime.NewChan[int](1)
		require.NoError(t, ch.Send(ctx, 7))
		got := 0
		require.NoError(t, runtime.Select(ctx,
			clock.OnTimer(tm, func(error) { t.Error("the timer has not fired") }),
			runtime.OnRecv(ch, func(v int, _ error) { got = v }),
		))
		assert.Equal(t, 7, got)
		tctx, cancel := clock.WithTimeout(ctx, time.Minute)
		defer cancel()
		assert.ErrorIs(t, runtime.Select(tctx, clock.OnTimer(tm, nil)), context.DeadlineExceeded)
		require.NoError(t, tm.Wait(ctx), "Wait still works after the cases left")
		assert.Equal(t, time.Hour, clock.Since(ctx, clock.Epoch))
	})
}

func TestOnTick_DeliversEachTickToTheCaseThatWins(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		tk := clock.NewTicker(ctx, time.Minute, clock.Burst)
		msgs := runtime.NewChan[string](0)
		runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			clock.Sleep(ctx, 90*time.Second)
			return struct{}{}, msgs.Send(ctx, "hello")
		})
		var log []string
		for len(log) < 4 {
			require.NoError(t, runtime.Select(ctx,
				clock.OnTick(tk, func(at time.Time, err error) {
					require.NoError(t, err)
					log = append(log, "tick "+at.Sub(clock.Epoch).String()+" at "+clock.Since(ctx, clock.Epoch).String())
				}),
				runtime.OnRecv(msgs, func(m string, _ error) {
					log = append(log, m+" at "+clock.Since(ctx, clock.Epoch).String())
				}),
			))
		}
		assert.Equal(t, []string{"tick 1m0s at 1m0s", "hello at 1m30s", "tick 2m0s at 2m0s", "tick 3m0s at 3m0s"}, log)
		st, _ := sim.StatsOf(ctx)
		assert.Equal(t, 0, st.Timers, "no case waits: the ticker arms no timer")
		tk.Stop()
		var stopped error
		require.NoError(t, runtime.Select(ctx, clock.OnTick(tk, func(_ time.Time, err error) { stopped = err })))
		assert.ErrorIs(t, stopped, clock.ErrStopped)
	})
}

func TestOnTick_StopWakesAWaitingCase(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		tk := clock.NewTicker(ctx, time.Hour, clock.Burst)
		h := runtime.Spawn(ctx, func(ctx context.Context) (error, error) {
			var got error
			err := runtime.Select(ctx, clock.OnTick(tk, func(_ time.Time, err error) { got = err }))
			return got, err
		})
		require.NoError(t, clock.Sleep(ctx, time.Minute))
		tk.Stop()
		got, err := h.Join(ctx)
		require.NoError(t, err)
		assert.ErrorIs(t, got, clock.ErrStopped)
		assert.Equal(t, time.Minute, clock.Since(ctx, clock.Epoch))
	})
}

func TestOnTimerAndOnTick_Production(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		start := time.Now()
		tm := clock.NewTimer(ctx, 5*time.Millisecond)
		require.NoError(t, runtime.Select(ctx, clock.OnTimer(tm, nil)))
		assert.GreaterOrEqual(t, time.Since(start), 5*time.Millisecond)
		tk := clock.NewTicker(ctx, 2*time.Millisecond, clock.Burst)
		defer tk.Stop()
		for range 3 {
			require.NoError(t, runtime.Select(ctx, clock.OnTick(tk, func(_ time.Time, err error) { require.NoError(t, err) })))
		}
		assert.GreaterOrEqual(t, time.Since(start), 11*time.Millisecond)
		return nil
	}))
}
