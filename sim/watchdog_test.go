package sim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// A task that overruns the watchdog's limit by a little, then moves on,
// is reported all the same, whenever its step begins: here just after the
// watchdog last looked (a step of its own takes a quarter of the limit
// and a bit first).
func TestWatchdog_ShortOverrunIsReported(t *testing.T) {
	const limit = 1200 * time.Millisecond
	for i := range 2 {
		res := sim.Run(func(ctx context.Context) error {
			time.Sleep(limit/4 + 5*time.Millisecond) // within the limit
			_, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				time.Sleep(limit * 110 / 100) // 10 % over, and back
				return 0, nil
			}).Join(ctx)
			return err
		}, sim.WithWatchdog(limit))
		var se *sim.StuckTaskError
		require.ErrorAs(t, res.Err, &se, "run %d: a 10 %% overrun went unreported", i)
		assert.Equal(t, runtime.TaskID(2), se.ID)
		assert.GreaterOrEqual(t, se.After, limit)
	}
}

func TestWatchdog_StepWithinTheLimitIsNotReported(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		time.Sleep(100 * time.Millisecond)
		return nil
	}, sim.WithWatchdog(time.Second))
	require.NoError(t, res.Err)
}

//go:noinline
func blockTagged(ch chan struct{}, tag int) int {
	<-ch
	return tag
}

// A stuck-task report shows this run's stuck goroutine first, not one an
// earlier, abandoned run left stuck in the same function.
func TestWatchdog_ReportShowsThisRunsTaskFirst(t *testing.T) {
	stuckIn := func(ch chan struct{}, tag int) *sim.StuckTaskError {
		res := sim.Run(func(ctx context.Context) error {
			_, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				return blockTagged(ch, tag), nil
			}).Join(ctx)
			return err
		}, sim.WithWatchdog(50*time.Millisecond))
		var se *sim.StuckTaskError
		require.ErrorAs(t, res.Err, &se)
		return se
	}
	first, second := make(chan struct{}), make(chan struct{})
	defer close(first)
	defer close(second)
	stuckIn(first, 0x1111)
	se := stuckIn(second, 0x2222)
	goroutines := strings.Split(se.Stack, "\n\n")
	require.Len(t, goroutines, 2, "both abandoned goroutines are candidates:\n%s", se.Stack)
	assert.Contains(t, goroutines[0], "0x2222", "this run's goroutine first:\n%s", se.Stack)
	assert.Contains(t, goroutines[1], "0x1111")
}
