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

func TestS41_WithTimeoutExpiresInVirtualTime(t *testing.T) {
	wall := time.Now()
	sim.Test(t, func(ctx context.Context) {
		start := clock.Now(ctx)
		tctx, cancel := clock.WithTimeout(ctx, time.Hour)
		defer cancel()
		dl, ok := tctx.Deadline()
		require.True(t, ok)
		assert.Equal(t, start.Add(time.Hour), dl)
		child, cancelChild := context.WithCancel(tctx)
		defer cancelChild()

		err := clock.Sleep(tctx, 24*time.Hour)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, time.Hour, clock.Since(ctx, start), "expired at exactly its deadline")
		assert.ErrorIs(t, tctx.Err(), context.DeadlineExceeded)
		assert.ErrorIs(t, context.Cause(tctx), context.DeadlineExceeded)
		assert.ErrorIs(t, context.Cause(child), context.DeadlineExceeded, "a std child learns the cause")
		assert.Error(t, child.Err())
	})
	assert.Less(t, time.Since(wall), 5*time.Second, "100 simulated hours take milliseconds")
}

func TestS41_WithTimeoutCancelReleasesTheTimer(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		before, _ := sim.StatsOf(ctx)
		tctx, cancel := clock.WithTimeout(ctx, time.Minute)
		during, _ := sim.StatsOf(ctx)
		assert.Equal(t, before.Timers+1, during.Timers)
		cancel()
		after, _ := sim.StatsOf(ctx)
		assert.Equal(t, before.Timers, after.Timers)
		assert.ErrorIs(t, tctx.Err(), context.Canceled)
		assert.Equal(t, clock.Epoch, clock.Now(ctx))
	})
}

func TestS41_ParentDeadlineFirstAndPastDeadline(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		outer, cancel := clock.WithTimeout(ctx, time.Second)
		defer cancel()
		inner, cancelInner := clock.WithTimeout(outer, time.Hour)
		defer cancelInner()
		dl, _ := inner.Deadline()
		assert.Equal(t, clock.Epoch.Add(time.Second), dl, "the parent's earlier deadline wins")
		assert.ErrorIs(t, clock.Sleep(inner, time.Hour), context.DeadlineExceeded)

		past, cancelPast := clock.WithDeadline(ctx, clock.Epoch)
		defer cancelPast()
		assert.ErrorIs(t, past.Err(), context.DeadlineExceeded, "a deadline already past has expired")
	})
}

func TestAbortedSleepReleasesItsTimer(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		var hs []*runtime.JoinHandle[int]
		for range 10 {
			hs = append(hs, runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				return 0, clock.Sleep(ctx, time.Hour)
			}))
		}
		for {
			st, _ := sim.StatsOf(ctx)
			if st.Timers == 10 {
				break
			}
			runtime.YieldNow(ctx)
		}
		for _, h := range hs {
			h.Abort()
			_, err := h.Join(ctx)
			assert.ErrorIs(t, err, runtime.ErrCancelled)
		}
		st, _ := sim.StatsOf(ctx)
		assert.Equal(t, 0, st.Timers, "no timer outlives its aborted sleep")
		assert.Equal(t, clock.Epoch, clock.Now(ctx))
	})
}

func TestTimeoutHelper(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		v, err := clock.Timeout(ctx, time.Second, func(ctx context.Context) (int, error) {
			return 1, clock.Sleep(ctx, time.Minute)
		})
		assert.Equal(t, 1, v)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		v, err = clock.Timeout(ctx, time.Minute, func(ctx context.Context) (int, error) {
			return 2, clock.Sleep(ctx, time.Second)
		})
		assert.Equal(t, 2, v)
		assert.NoError(t, err)
	})
}

func TestWithTimeoutInProductionIsTheStandardLibrarys(t *testing.T) {
	ctx, cancel := clock.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
}

func TestTimeLimitStopsAnEndlessRun(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		for {
			if err := clock.Sleep(ctx, time.Hour); err != nil {
				return err
			}
		}
	}, sim.WithTimeLimit(10*time.Hour))
	var tle *sim.TimeLimitError
	require.ErrorAs(t, res.Err, &tle)
	assert.Equal(t, 10*time.Hour, tle.Limit)
	assert.Equal(t, 10*time.Hour, res.Elapsed)
	assert.Contains(t, res.Err.Error(), "virtual time limit of 10h0m0s")
}
