package clock_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestProductionSleepUsesTheWallClock(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		start := clock.Now(ctx)
		assert.WithinDuration(t, time.Now(), start, time.Second)
		require.NoError(t, clock.Sleep(ctx, 10*time.Millisecond))
		assert.GreaterOrEqual(t, clock.Since(ctx, start), 10*time.Millisecond)
		return nil
	}))
}

func TestSleepWithoutRuntimeAndCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, clock.Sleep(ctx, time.Millisecond))
	cancel()
	assert.ErrorIs(t, clock.Sleep(ctx, time.Hour), context.Canceled)
	assert.ErrorIs(t, clock.Sleep(ctx, 0), context.Canceled, "an ended ctx wins even for d <= 0")
}

func TestProductionSleepReturnsCtxErr(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		sctx, cancel := context.WithCancel(ctx)
		h := runtime.Spawn(sctx, func(ctx context.Context) (int, error) {
			return 0, clock.Sleep(ctx, time.Hour)
		})
		cancel()
		_, err := h.Join(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		return nil
	}))
}

// S40: a simulated sleeper wakes at exactly its deadline.
func TestS40_SleepWakesAtExactlyItsDeadline(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		var js runtime.JoinSet[time.Duration]
		for _, d := range []time.Duration{time.Nanosecond, 3 * time.Millisecond, time.Hour, 90 * time.Minute} {
			js.Spawn(ctx, func(ctx context.Context) (time.Duration, error) {
				start := clock.Now(ctx)
				if err := clock.Sleep(ctx, d); err != nil {
					return 0, err
				}
				if got := clock.Since(ctx, start); got != d {
					t.Errorf("slept %v, want exactly %v", got, d)
				}
				return d, nil
			})
		}
		for js.Len() > 0 {
			_, err := js.JoinNext(ctx)
			require.NoError(t, err)
		}
		assert.Equal(t, 90*time.Minute, clock.Since(ctx, clock.Epoch))
	}, sim.WithStrategy(sim.Random()))
}

func ExampleSleep() {
	res := sim.Run(func(ctx context.Context) error {
		return clock.Sleep(ctx, 24*time.Hour) // a day of virtual time
	})
	fmt.Println(res.Err, res.Elapsed)
	// Output: <nil> 24h0m0s
}

func ExampleNewTicker() {
	res := sim.Run(func(ctx context.Context) error {
		start := clock.Now(ctx)
		tk := clock.NewTicker(ctx, time.Minute, clock.Burst)
		defer tk.Stop()
		for range 3 {
			at, err := tk.Tick(ctx)
			if err != nil {
				return err
			}
			fmt.Println(at.Sub(start))
		}
		return nil
	})
	fmt.Println(res.Err)
	// Output:
	// 1m0s
	// 2m0s
	// 3m0s
	// <nil>
}

func ExampleWithTimeout() {
	res := sim.Run(func(ctx context.Context) error {
		ctx, cancel := clock.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		err := clock.Sleep(ctx, time.Hour) // a call that takes too long
		fmt.Println(err, clock.Since(ctx, clock.Epoch))
		return nil
	})
	fmt.Println(res.Err)
	// Output:
	// context deadline exceeded 30s
	// <nil>
}

func ExampleOnTick() {
	res := sim.Run(func(ctx context.Context) error {
		tk := clock.NewTicker(ctx, time.Second, clock.Burst)
		defer tk.Stop()
		done := clock.NewTimer(ctx, 2500*time.Millisecond)
		for {
			stop := false
			err := runtime.Select(ctx,
				clock.OnTick(tk, func(at time.Time, err error) { fmt.Println("tick", at.Sub(clock.Epoch)) }),
				clock.OnTimer(done, func(error) { stop = true }),
			)
			if err != nil || stop {
				return err
			}
		}
	})
	fmt.Println(res.Err, res.Elapsed)
	// Output:
	// tick 1s
	// tick 2s
	// <nil> 2.5s
}
