package sim

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func lookupFrom(m map[string]string) lookupFunc {
	return func(flagName, envName string) (string, bool) {
		if v, ok := m[flagName]; ok {
			return v, true
		}
		v, ok := m[envName]
		return v, ok
	}
}

func TestParseSettings(t *testing.T) {
	base := settings{count: DefaultSeeds, strategy: Random(), shard: shard{1, 1}}
	tests := []struct {
		name string
		in   map[string]string
		want func(s *settings)
	}{
		{"defaults", nil, func(*settings) {}},
		{"flags", map[string]string{
			"sim.seed": "17", "sim.seeds": "5", "sim.strategy": "pct:2", "sim.explore": "true",
			"sim.replay": "x.replay", "sim.checkdeterminism": "1", "sim.time": "30s", "sim.shard": "2/3",
			"sim.parallel": "4",
		}, func(s *settings) {
			s.parallel = 4
			s.seeds, s.count, s.strategy, s.stratSet, s.explore = []seedRange{{17, 17}}, 5, PCT(2), true, true
			s.replay, s.check, s.budget, s.shard = "x.replay", true, 30*time.Second, shard{2, 3}
		}},
		{"env", map[string]string{envSeed: "0x10-20, 40", envStrategy: "FIFO"}, func(s *settings) {
			s.seeds, s.strategy, s.stratSet = []seedRange{{16, 20}, {40, 40}}, FIFO(), true
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := base
			tc.want(&want)
			got, err := parseSettings(lookupFrom(tc.in))
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestParseSettingsRejectsBadInput(t *testing.T) {
	for _, in := range []map[string]string{
		{"sim.seed": "abc"},
		{"sim.seed": "-1"},
		{"sim.seed": "9-3"},
		{"sim.seed": "1-2,,3"},
		{"sim.seeds": "0"},
		{"sim.seeds": "many"},
		{"sim.strategy": "lifo"},
		{envStrategy: "pct:0"},
		{"sim.explore": "maybe"},
		{"sim.time": "soon"},
		{"sim.time": "-1s"},
		{"sim.shard": "3/2"},
		{"sim.shard": "0/2"},
		{"sim.shard": "1"},
		{"sim.parallel": "0"},
	} {
		_, err := parseSettings(lookupFrom(in))
		assert.Error(t, err, "%v", in)
	}
}

// Shards of a seed set are disjoint and together cover it exactly once.
func TestShardsPartitionTheSeeds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var ranges []seedRange
		for range rapid.IntRange(1, 4).Draw(t, "ranges") {
			lo := rapid.Uint64Range(0, 200).Draw(t, "lo")
			ranges = append(ranges, seedRange{lo, lo + rapid.Uint64Range(0, 50).Draw(t, "len")})
		}
		all := slices.Collect(seedsOf(ranges, shard{1, 1}))
		for _, n := range []uint64{1, 2, 3, 7} {
			seen := map[uint64]int{}
			var union []uint64
			for k := uint64(1); k <= n; k++ {
				for s := range seedsOf(ranges, shard{k, n}) {
					seen[s]++
					union = append(union, s)
				}
			}
			for s, c := range seen {
				if c != 1 {
					t.Fatalf("N=%d: seed %d is in %d shards", n, s, c)
				}
			}
			slices.Sort(union)
			want := slices.Clone(all)
			slices.Sort(want)
			if !slices.Equal(union, want) {
				t.Fatalf("N=%d: the shards cover %v, the set is %v", n, union, want)
			}
		}
	})
}
