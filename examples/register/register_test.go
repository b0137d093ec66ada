package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/weftsim/weft/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRegister_SurvivesSwarmFaultsOver1000Seeds(t *testing.T) {
	for seed := uint64(1); seed <= 1000; seed++ {
		res := sim.Run(Scenario(false), sim.WithSeed(seed))
		require.NoError(t, res.Err, "seed %d", seed)
	}
}

func TestRegister_PlantedBugIsFoundAndReplaysBySeed(t *testing.T) {
	var failing sim.Result
	for seed := uint64(1); seed <= 1000 && failing.Err == nil; seed++ {
		failing = sim.Run(Scenario(true), sim.WithSeed(seed))
	}
	require.Error(t, failing.Err, "a stale read within 1000 seeds")
	assert.Contains(t, failing.Err.Error(), "stale read")
	again := sim.Run(Scenario(true), sim.WithSeed(failing.Seed))
	assert.Equal(t, failing.Hash, again.Hash)
	assert.Equal(t, failing.Err.Error(), again.Err.Error())
	t.Logf("found at seed %d: %v", failing.Seed, failing.Err)
}

// BenchmarkSeedsPerSecond runs the three-node register under swarm faults,
// one seed per iteration.
func BenchmarkSeedsPerSecond(b *testing.B) {
	b.ReportAllocs()
	for i := range b.N {
		if res := sim.Run(Scenario(false), sim.WithSeed(uint64(i))); res.Err != nil {
			b.Fatal(res.Err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
}
