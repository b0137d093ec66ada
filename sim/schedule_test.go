package sim_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestSchedule_ShutdownAbortsAndErrorsHaveLinesOfTheirOwn(t *testing.T) {
	boom := errors.New("boom")
	res := sim.Run(func(ctx context.Context) error {
		runtime.SpawnNamed(ctx, "sleeper", func(ctx context.Context) (int, error) {
			runtime.NewChan[int](0).Recv(ctx) // never returns: dropped by shutdown
			return 0, nil
		})
		runtime.YieldNow(ctx)
		return boom
	}, sim.WithStrategy(sim.FIFO()))
	assert.ErrorIs(t, res.Err, boom)
	lines := strings.Split(strings.TrimRight(res.Schedule(), "\n"), "\n")
	want := []string{
		"  1. @0s task 1 runs, spawns task 2 (sleeper), yields",
		"  2. @0s task 2 (sleeper) runs, yields at Chan.Recv",
		"  3. @0s task 2 (sleeper) runs, parks in Chan.Recv",
		"  4. @0s task 1 runs, ends (returned an error: boom)",
		"     shutdown: aborts task 2 (sleeper), wakes task 2 (sleeper)",
		"  5. @0s task 2 (sleeper) runs, ends (cancelled)",
	}
	assert.Equal(t, want, lines)
}
