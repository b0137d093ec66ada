package sim_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// panicOf returns the panic value of the task whose error err is.
func panicOf(t *testing.T, err error) string {
	t.Helper()
	var pe *runtime.PanicError
	require.ErrorAs(t, err, &pe)
	return fmt.Sprint(pe.Value)
}

func TestMisuse_RootCtxInAChildsMutexLock(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		rootCtx := ctx
		var mu runtime.Mutex
		if err := mu.Lock(ctx); err != nil {
			return err
		}
		defer mu.Unlock()
		_, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, mu.Lock(rootCtx) // the root's ctx, while the root waits in Join
		}).Join(ctx)
		return err
	})
	assert.Equal(t, "runtime: a blocking call with the ctx of task 1, which is waiting already: its ctx is used by another task or goroutine; pass each task its own ctx",
		panicOf(t, res.Err))
}

func TestMisuse_TimerOfAnotherSimulation(t *testing.T) {
	var timer *clock.Timer
	var ticker *clock.Ticker
	require.NoError(t, sim.Run(func(ctx context.Context) error {
		timer = clock.NewTimer(ctx, time.Second)
		ticker = clock.NewTicker(ctx, time.Second, clock.Skip)
		return nil
	}).Err)
	tests := []struct {
		name string
		wait func(ctx context.Context) error
		want string
	}{
		{"timer", timer.Wait, "clock: Timer.Wait with the ctx of another runtime than the Timer's (another simulation?); make each simulation its own Timer"},
		{"ticker", func(ctx context.Context) error { _, err := ticker.Tick(ctx); return err }, "clock: Ticker.Tick with the ctx of another runtime than the Ticker's (another simulation?); make each simulation its own Ticker"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := sim.Run(tc.wait)
			assert.Equal(t, tc.want, panicOf(t, res.Err))
		})
	}
}

func TestMisuse_TimerOfTheSameSimulationIsFine(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		timer := clock.NewTimer(ctx, time.Second)
		_, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, timer.Wait(ctx) }).Join(ctx)
		return err
	})
	require.NoError(t, res.Err)
	assert.Equal(t, time.Second, res.Elapsed)
}
