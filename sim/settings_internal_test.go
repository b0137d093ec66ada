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
	return func(flagName, envName string) (string, string, bool) {
		if v, ok := m[flagName]; ok {
			return v, "-" + flagName, true
		}
		v, ok := m[envName]
		return v, envName, ok
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
	tests := []struct {
		name string
		in   map[string]string
		want string // in the error
	}{
		{"seed not a number", map[string]string{"sim.seed": "abc"}, `sim: -sim.seed="abc": "abc" is not a seed; want N, A-B`},
		{"negative seed", map[string]string{"sim.seed": "-1"}, `-sim.seed="-1"`},
		{"backward range", map[string]string{"sim.seed": "9-3"}, `"9-3" is not a range A-B with A <= B`},
		{"empty list item", map[string]string{"sim.seed": "1-2,,3"}, `"" is not a seed`},
		{"zero seeds", map[string]string{"sim.seeds": "0"}, `sim: -sim.seeds="0": out of range; want a seed count from 1 to 1000000000`},
		{"too many seeds", map[string]string{"sim.seeds": "1000000001"}, `out of range`},
		{"seeds not a number", map[string]string{"sim.seeds": "many"}, `not an integer`},
		{"unknown strategy", map[string]string{"sim.strategy": "lifo"}, `sim: -sim.strategy="lifo": bad strategy "lifo": unknown strategy`},
		{"pct depth zero", map[string]string{envStrategy: "pct:0"}, `sim: WEFT_SIM_STRATEGY="pct:0"`},
		{"pct depth huge", map[string]string{"sim.strategy": "pct:100000000"}, `depth 100000000 is more than 100`},
		{"pct depth overflows", map[string]string{"sim.strategy": "pct:99999999999999999999"}, `is not a positive integer`},
		{"pct horizon huge", map[string]string{"sim.strategy": "pct:3:99999999999"}, `horizon 99999999999 is more than 1000000000`},
		{"explore not a bool", map[string]string{"sim.explore": "maybe"}, `sim: -sim.explore="maybe": not a boolean; want true or false`},
		{"time not a duration", map[string]string{"sim.time": "soon"}, `not a duration; want a positive duration`},
		{"negative time", map[string]string{"sim.time": "-1s"}, `not positive`},
		{"shard past N", map[string]string{"sim.shard": "3/2"}, `sim: -sim.shard="3/2": not a shard; want K/N with 1 <= K <= N`},
		{"shard zero", map[string]string{"sim.shard": "0/2"}, `not a shard`},
		{"shard without K and no job index", map[string]string{"sim.shard": "1"}, `N alone names no shard: set JOB_COMPLETION_INDEX`},
		{"parallel zero", map[string]string{"sim.parallel": "0"}, `want a goroutine count from 1 to 256`},
		{"parallel huge", map[string]string{"sim.parallel": "1000000"}, `sim: -sim.parallel="1000000": out of range`},
		{"empty flag", map[string]string{"sim.seeds": ""}, `sim: -sim.seeds is given but empty; want a seed count from 1 to 1000000000, or leave it unset`},
		{"blank env", map[string]string{envSeeds: "  "}, `sim: WEFT_SIM_SEEDS is given but empty`},
		{"empty seed", map[string]string{envSeed: ""}, `WEFT_SIM_SEED is given but empty`},
		{"empty strategy", map[string]string{"sim.strategy": ""}, `-sim.strategy is given but empty; want a strategy`},
		{"empty explore", map[string]string{envExplore: ""}, `WEFT_SIM_EXPLORE is given but empty; want true or false`},
		{"empty replay", map[string]string{envReplay: ""}, `WEFT_SIM_REPLAY is given but empty; want the path of a replay file`},
		{"empty check", map[string]string{envCheck: ""}, `WEFT_SIM_CHECKDETERMINISM is given but empty`},
		{"empty time", map[string]string{"sim.time": ""}, `-sim.time is given but empty`},
		{"empty shard", map[string]string{envShard: ""}, `WEFT_SIM_SHARD is given but empty`},
		{"empty parallel", map[string]string{"sim.parallel": ""}, `-sim.parallel is given but empty`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSettings(lookupFrom(tc.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
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

func TestParseSettings_ShardIndexFromTheJob(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want shard
		err  string
	}{
		{"K/N as given", map[string]string{envShard: "2/5", envJobIndex: "0"}, shard{2, 5}, ""},
		{"N alone, index from the job", map[string]string{envShard: "4", envJobIndex: "3"}, shard{4, 4}, ""},
		{"the first pod", map[string]string{"sim.shard": "4", envJobIndex: "0"}, shard{1, 4}, ""},
		{"no index", map[string]string{envShard: "4"}, shard{}, "JOB_COMPLETION_INDEX to the shard's index 0..3"},
		{"index out of range", map[string]string{envShard: "4", envJobIndex: "4"}, shard{}, `JOB_COMPLETION_INDEX="4" is not a shard index 0..3`},
		{"bad index", map[string]string{envShard: "4", envJobIndex: "x"}, shard{}, "is not a shard index"},
		{"bad count", map[string]string{envShard: "0", envJobIndex: "0"}, shard{}, "not a shard"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseSettings(lookupFrom(tc.in))
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				assert.Regexp(t, `-sim\.shard=|WEFT_SIM_SHARD=`, err.Error(), "the error names the knob as it was given")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, s.shard)
		})
	}
}
