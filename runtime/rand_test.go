package runtime_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func draws(t *testing.T, opts ...sim.Option) (vals []uint64, bugs int, res sim.Result) {
	res = sim.Run(func(ctx context.Context) error {
		r := runtime.Rand(ctx)
		for range 8 {
			vals = append(vals, r.Uint64())
		}
		for range 100 {
			if runtime.Buggify(ctx, 0.25) {
				bugs++
			}
		}
		return nil
	}, opts...)
	require.NoError(t, res.Err)
	return vals, bugs, res
}

func TestRandAndBuggifyFollowTheSeed(t *testing.T) {
	a, abugs, _ := draws(t, sim.WithSeed(1))
	b, bbugs, _ := draws(t, sim.WithSeed(1))
	c, _, _ := draws(t, sim.WithSeed(2))
	assert.Equal(t, a, b)
	assert.Equal(t, abugs, bbugs)
	assert.NotEqual(t, a, c)
	assert.InDelta(t, 25, abugs, 15, "Buggify(0.25) fires about a quarter of the time")

	_, _, rec := draws(t, sim.WithSeed(5), sim.WithRecording())
	replayed, _, again := draws(t, rec.Replay("x").Options()...)
	original, _, _ := draws(t, sim.WithSeed(5))
	assert.Equal(t, original, replayed, "application randomness is part of a replay")
	assert.Equal(t, rec.Hash, again.Hash)
}

func TestBuggifyIsOffInProduction(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		for range 100 {
			assert.False(t, runtime.Buggify(ctx, 1))
		}
		assert.NotEqual(t, runtime.Rand(ctx).Uint64(), runtime.Rand(ctx).Uint64())
		return nil
	}))
	assert.False(t, runtime.Buggify(context.Background(), 0.5))
	sim.Test(t, func(ctx context.Context) {
		assert.True(t, runtime.Buggify(ctx, 1))
		assert.False(t, runtime.Buggify(ctx, 0))
	})
}
