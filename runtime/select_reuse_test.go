package runtime_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
