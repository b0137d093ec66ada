package sim_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestWallClockEscape_StdTimeoutIsNamedNotADeadlock(t *testing.T) {
	tests := []struct {
		name string
		wait func(ctx context.Context) error
	}{
		{"Select", func(ctx context.Context) error { return runtime.Select(ctx) }},
		{"Mutex.Lock", func(ctx context.Context) error {
			var mu runtime.Mutex
			require.NoError(t, mu.Lock(ctx))
			return mu.Lock(ctx)
		}},
		{"no report while a virtual timer is pending", func(ctx context.Context) error {
			return clock.Sleep(context.WithoutCancel(ctx), time.Hour)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := sim.Run(func(ctx context.Context) error {
				h := runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
					ctx, cancel := context.WithTimeout(ctx, time.Hour) // the mistake
					defer cancel()
					return struct{}{}, tc.wait(ctx)
				})
				_, err := h.Join(ctx)
				return err
			})
			if tc.name == "no report while a virtual timer is pending" {
				// The sleep's own timer is virtual: the run ends in an hour
				// of virtual time, nothing is reported.
				require.NoError(t, res.Err)
				return
			}
			var wc *sim.WallClockError
			require.ErrorAs(t, res.Err, &wc)
			assert.Equal(t, runtime.TaskID(2), wc.Task)
			assert.Contains(t, res.Err.Error(), "task 2 waits on a wall-clock timer (context.WithTimeout?): use clock.WithTimeout")
			var dl *sim.DeadlockError
			assert.ErrorAs(t, res.Err, &dl, "still a deadlock for errors.As")
		})
	}
}

func TestWallClockEscape_PlainDeadlockStaysOne(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		return runtime.Select(ctx)
	})
	var wc *sim.WallClockError
	assert.False(t, errors.As(res.Err, &wc))
	var dl *sim.DeadlockError
	assert.ErrorAs(t, res.Err, &dl)
}

func TestWallClockEscape_StuckTaskNamesWhatItWaitsOn(t *testing.T) {
	var mu sync.Mutex
	tests := []struct {
		name string
		body func(ctx context.Context)
		want string
		racy bool // unblocks on its own (see underRace)
	}{
		{"time.Sleep", func(context.Context) { time.Sleep(600 * time.Millisecond) },
			"it waits on a wall-clock timer (time.Sleep?), which the simulator cannot see: use clock.Sleep", true},
		{"time.After", func(context.Context) { <-time.After(600 * time.Millisecond) },
			"waits on a native channel (time.After", true},
		{"sync.Mutex", func(context.Context) {
			mu.Lock()
			mu.Unlock()
		}, "it waits on a sync.Mutex, which the simulator cannot see: use runtime.Mutex", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.racy && underRace {
				t.Skip("the stuck goroutine resumes with no happens-before edge to the report")
			}
			if tc.name == "sync.Mutex" {
				mu.Lock()
			}
			res := sim.Run(func(ctx context.Context) error {
				tc.body(ctx)
				return nil
			}, sim.WithWatchdog(50*time.Millisecond))
			var st *sim.StuckTaskError
			require.ErrorAs(t, res.Err, &st)
			assert.Contains(t, res.Err.Error(), tc.want)
			// Unblock the stuck goroutine only now that Run has returned
			// (its simulation then drops its tasks), and let it end before
			// the leak check.
			if tc.name == "sync.Mutex" {
				mu.Unlock()
			}
			time.Sleep(700 * time.Millisecond)
		})
	}
}
