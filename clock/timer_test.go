package clock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestTimer_FiresAtItsDeadlineForEveryWaiter(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		start := clock.Now(ctx)
		tm := clock.NewTimer(ctx, 5*time.Second)
		assert.Equal(t, start.Add(5*time.Second), tm.Deadline())
		assert.Equal(t, 5*time.Second, clock.Until(ctx, tm.Deadline()))
		var js runtime.JoinSet[time.Time]
		for range 3 {
			js.Spawn(ctx, func(ctx context.Context) (time.Time, error) {
				err := tm.Wait(ctx)
				return clock.Now(ctx), err
			})
		}
		for js.Len() > 0 {
			at, err := js.JoinNext(ctx)
			require.NoError(t, err)
			assert.Equal(t, start.Add(5*time.Second), at)
		}
		require.NoError(t, tm.Wait(ctx), "a fired timer stays fired")
		assert.False(t, tm.Stop(), "Stop after firing reports false")
	})
}

func TestTimer_StopAndReset(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		start := clock.Now(ctx)
		tm := clock.NewTimer(ctx, time.Second)
		waiter := runtime.Spawn(ctx, func(ctx context.Context) (error, error) { return tm.Wait(ctx), nil })
		runtime.YieldNow(ctx)
		assert.True(t, tm.Stop(), "Stop of a pending timer reports true")
		assert.False(t, tm.Stop(), "a second Stop reports false")
		werr, _ := waiter.Join(ctx)
		assert.ErrorIs(t, werr, clock.ErrStopped)
		assert.ErrorIs(t, tm.Wait(ctx), clock.ErrStopped)

		assert.False(t, tm.Reset(2*time.Second), "Reset of a stopped timer reports false")
		assert.True(t, tm.Reset(3*time.Second), "Reset of a pending timer reports true")
		require.NoError(t, tm.Wait(ctx))
		assert.Equal(t, 3*time.Second, clock.Since(ctx, start), "the reset deadline, not the first one")
		assert.False(t, tm.Reset(time.Second), "Reset of a fired timer reports false")
		require.NoError(t, tm.Wait(ctx))
		assert.Equal(t, 4*time.Second, clock.Since(ctx, start))

		wctx, cancel := context.WithCancel(ctx)
		cancel()
		tm.Reset(time.Hour)
		assert.ErrorIs(t, tm.Wait(wctx), context.Canceled)
		tm.Stop()
	})
}

func TestTimer_Production(t *testing.T) {
	start := time.Now() // before the timer: the goroutine may be descheduled right after
	tm := clock.NewTimer(context.Background(), 5*time.Millisecond)
	require.NoError(t, tm.Wait(context.Background()))
	assert.GreaterOrEqual(t, time.Since(start), 5*time.Millisecond, "never early")
	assert.False(t, tm.Reset(time.Hour), "Reset of a fired timer reports false")
	assert.True(t, tm.Stop())
}

// tickTimes returns the instants (offsets from the start) at which a slow
// consumer gets its ticks, and the scheduled instants Tick returns.
func tickTimes(t *testing.T, missed clock.MissedTick) (got, scheduled []time.Duration) {
	res := sim.Run(func(ctx context.Context) error {
		start := clock.Now(ctx)
		tk := clock.NewTicker(ctx, 10*time.Millisecond, missed)
		for i := range 5 {
			at, err := tk.Tick(ctx)
			if err != nil {
				return err
			}
			got = append(got, clock.Since(ctx, start))
			scheduled = append(scheduled, at.Sub(start))
			if i == 0 {
				if err := clock.Sleep(ctx, 35*time.Millisecond); err != nil { // falls behind
					return err
				}
			}
		}
		tk.Stop()
		_, err := tk.Tick(ctx)
		if !errors.Is(err, clock.ErrStopped) {
			return errors.New("Tick after Stop did not report ErrStopped")
		}
		return nil
	})
	require.NoError(t, res.Err)
	return got, scheduled
}

func TestTicker_MissedTickBehaviours(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var d []time.Duration
		for _, x := range v {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	tests := []struct {
		name           string
		missed         clock.MissedTick
		got, scheduled []time.Duration
	}{
		{"burst", clock.Burst, ms(10, 45, 45, 45, 50), ms(10, 20, 30, 40, 50)},
		{"delay", clock.Delay, ms(10, 45, 55, 65, 75), ms(10, 20, 55, 65, 75)},
		{"skip", clock.Skip, ms(10, 45, 50, 60, 70), ms(10, 20, 50, 60, 70)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, scheduled := tickTimes(t, tc.missed)
			assert.Equal(t, tc.got, got, "when the consumer got each tick")
			assert.Equal(t, tc.scheduled, scheduled, "the instants Tick reported")
		})
	}
}

func TestTicker_Reset(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		start := clock.Now(ctx)
		tk := clock.NewTicker(ctx, time.Second, clock.Burst)
		tk.Stop()
		tk.Reset(2 * time.Second)
		at, err := tk.Tick(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2*time.Second, at.Sub(start))
	})
	assert.Panics(t, func() { clock.NewTicker(context.Background(), 0, clock.Burst) })
}
