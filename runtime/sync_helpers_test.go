package runtime_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// onBoth runs body as the root task on the production executor, then under
// sim.Test (every seed of the run) with each strategy, so one test checks a
// primitive's contract on both executors.
func onBoth(t *testing.T, body func(t *testing.T, ctx context.Context)) {
	t.Run("prod", func(t *testing.T) {
		rt := newRuntime(t, quiet)
		require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
			body(t, ctx)
			return nil
		}))
	})
	for _, s := range []sim.Strategy{sim.FIFO(), sim.Random(), sim.PCT(3)} {
		t.Run("sim-"+s.String(), func(t *testing.T) {
			sim.Test(t, func(ctx context.Context) { body(t, ctx) }, sim.WithStrategy(s))
		})
	}
}

// waitQueued yields until p has n waiters: it orders waiters on the
// production executor without sleeping.
func waitQueued(ctx context.Context, p any, n int) {
	for runtime.Queued(p) < n {
		runtime.YieldNow(ctx)
	}
}

// spawnUnit spawns f as a task returning nothing.
func spawnUnit(ctx context.Context, f func(ctx context.Context) error) *runtime.JoinHandle[struct{}] {
	return runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, f(ctx) })
}

// joinAll joins every handle, failing the test on an error.
func joinAll(t *testing.T, ctx context.Context, hs ...*runtime.JoinHandle[struct{}]) {
	t.Helper()
	for _, h := range hs {
		_, err := h.Join(ctx)
		require.NoError(t, err)
	}
}

// recvViaSelect receives from c through a Select, with the cases more
// beside it: it returns what the receive case got, the Select's error, or
// zero and nil when another case won.
func recvViaSelect(ctx context.Context, c *runtime.Chan[int], more ...runtime.Case) (int, error) {
	var v int
	var recvErr error
	cases := append([]runtime.Case{runtime.OnRecv(c, func(x int, e error) { v, recvErr = x, e })}, more...)
	if err := runtime.Select(ctx, cases...); err != nil {
		return 0, err
	}
	return v, recvErr
}
