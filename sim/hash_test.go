package sim_test

import (
	"context"
	"errors"
	goruntime "runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// A run's outcome that depends on one runtime.Rand draw and nothing else:
// the schedule is the same for every seed.
func TestHash_CoversRandDraws(t *testing.T) {
	outcomeOf := map[uint64]bool{}
	outcomes := map[bool]int{}
	for seed := range uint64(200) {
		var heads bool
		res := sim.Run(func(ctx context.Context) error {
			heads = runtime.Rand(ctx).IntN(2) == 0
			return nil
		}, sim.WithSeed(seed+1))
		require.NoError(t, res.Err)
		outcomes[heads]++
		if prev, seen := outcomeOf[res.Hash]; seen {
			require.Equal(t, prev, heads, "seed %d: hash %#x is shared by runs with different outcomes", seed+1, res.Hash)
		}
		outcomeOf[res.Hash] = heads
	}
	require.Len(t, outcomes, 2, "both outcomes occur")
}

func TestHash_CoversBuggify(t *testing.T) {
	hashes := map[bool]map[uint64]bool{false: {}, true: {}}
	for seed := range uint64(100) {
		var fault bool
		res := sim.Run(func(ctx context.Context) error {
			fault = runtime.Buggify(ctx, 0.5)
			return nil
		}, sim.WithSeed(seed+1))
		hashes[fault][res.Hash] = true
	}
	require.NotEmpty(t, hashes[false])
	require.NotEmpty(t, hashes[true])
	for h := range hashes[true] {
		assert.False(t, hashes[false][h], "hash %#x is shared by a faulty and a clean run", h)
	}
}

// The four ways a task can end give four hashes, in the root and in a
// child task alike.
func TestHash_CoversHowATaskEnded(t *testing.T) {
	endings := map[string]func() error{
		"returns": func() error { return nil },
		"fails":   func() error { return errors.New("no") },
		"panics":  func() error { panic("no") },
		"goexits": func() error { goruntime.Goexit(); return nil },
	}
	for _, where := range []string{"root", "child"} {
		seen := map[uint64]string{}
		for name, end := range endings {
			res := sim.Run(func(ctx context.Context) error {
				if where == "root" {
					return end()
				}
				_, _ = runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, end() }).Join(ctx)
				return nil
			}, sim.AllowUnobservedPanics())
			if other, dup := seen[res.Hash]; dup {
				t.Errorf("%s: a task that %s and one that %s hash alike (%#x)", where, name, other, res.Hash)
			}
			seen[res.Hash] = name
		}
	}
}
