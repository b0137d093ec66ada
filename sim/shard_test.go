package sim_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// TestHelperShards, run by TestShards_UnionIsTheUnshardedRun, writes the
// first random draw of each run (a fingerprint of its seed) to a file of
// its shard, and with WEFT_SIM_TEST_FAIL fails on the seeds whose
// fingerprint is a multiple of 5.
func TestHelperShards(t *testing.T) {
	if os.Getenv(helperEnv) != "shards" {
		t.Skip("a helper of TestShards_UnionIsTheUnshardedRun")
	}
	label := "all"
	if _, sharded := os.LookupEnv("WEFT_SIM_SHARD"); sharded {
		label = "shard-" + os.Getenv("JOB_COMPLETION_INDEX")
	}
	out, err := os.OpenFile(filepath.Join(os.Getenv("WEFT_SIM_TEST_OUT"), label), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	defer out.Close()
	fail := os.Getenv("WEFT_SIM_TEST_FAIL") != ""
	sim.Test(t, func(ctx context.Context) {
		fp := runtime.Rand(ctx).Uint64()
		fmt.Fprintln(out, fp)
		if fail && fp%5 == 0 {
			t.Fatalf("fingerprint %d", fp)
		}
	}, sim.WithReplayDir(filepath.Join(os.Getenv("WEFT_SIM_TEST_REPLAYDIR"), label)))
}

// fingerprints maps the first random draw of seeds 1..n to the seed.
func fingerprints(n uint64) map[uint64]uint64 {
	m := map[uint64]uint64{}
	for s := uint64(1); s <= n; s++ {
		sim.Run(func(ctx context.Context) error { m[runtime.Rand(ctx).Uint64()] = s; return nil }, sim.WithSeed(s))
	}
	return m
}

// seedsIn reads a helper's file of fingerprints as seeds, sorted.
func seedsIn(t *testing.T, file string, fps map[uint64]uint64) []uint64 {
	t.Helper()
	data, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var seeds []uint64
	for _, l := range strings.Fields(string(data)) {
		fp, err := strconv.ParseUint(l, 10, 64)
		require.NoError(t, err)
		s, ok := fps[fp]
		require.True(t, ok, "fingerprint %d is a seed's of 1..N", fp)
		seeds = append(seeds, s)
	}
	slices.Sort(seeds)
	return seeds
}

func TestShards_UnionIsTheUnshardedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test eight times")
	}
	const seeds, shards = 30, 3
	root := moduleRoot(t)
	fps := fingerprints(seeds)
	run := func(t *testing.T, fail bool) (all string, perShard []string, dir string) {
		dir = t.TempDir()
		env := append(os.Environ(), helperEnv+"=shards", "WEFT_SIM_TEST_OUT="+dir, "WEFT_SIM_TEST_REPLAYDIR="+filepath.Join(dir, "replays"),
			fmt.Sprintf("WEFT_SIM_SEEDS=%d", seeds), "WEFT_SIM_SHRINK=off", "WEFT_SHARDS_OUT="+filepath.Join(dir, "logs"))
		if fail {
			env = append(env, "WEFT_SIM_TEST_FAIL=1")
		}
		env = slices.DeleteFunc(env, func(kv string) bool {
			return strings.HasPrefix(kv, "WEFT_SIM_SHARD=") || strings.HasPrefix(kv, "JOB_COMPLETION_INDEX=")
		})
		args := []string{"./sim", "-run", "^TestHelperShards$"}
		script := exec.Command("sh", append([]string{"docs/ci/run-shards.sh", strconv.Itoa(shards)}, args...)...)
		script.Dir, script.Env = root, env
		sout, err := script.CombinedOutput()
		if !fail {
			require.NoError(t, err, "%s", sout)
		}
		plain := exec.Command("go", append([]string{"test", "-count=1"}, args...)...)
		plain.Dir, plain.Env = root, env
		pout, _ := plain.CombinedOutput()
		for k := 1; k <= shards; k++ {
			log, err := os.ReadFile(filepath.Join(dir, "logs", fmt.Sprintf("shard-%d.log", k)))
			require.NoError(t, err)
			perShard = append(perShard, string(log))
		}
		return string(pout), perShard, dir
	}

	t.Run("every seed once", func(t *testing.T) {
		_, _, dir := run(t, false)
		var union []uint64
		for k := 1; k <= shards; k++ {
			got := seedsIn(t, filepath.Join(dir, fmt.Sprintf("shard-%d", k-1)), fps)
			require.NotEmpty(t, got)
			for _, s := range got {
				assert.Equal(t, uint64(k-1), s%shards, "seed %d belongs to shard %d", s, k)
			}
			union = append(union, got...)
		}
		slices.Sort(union)
		assert.Equal(t, seedsIn(t, filepath.Join(dir, "all"), fps), union, "the shards ran exactly the unsharded run's seeds")
		assert.Len(t, union, seeds)
	})

	t.Run("the same failures", func(t *testing.T) {
		all, perShard, dir := run(t, true)
		failing := []uint64{}
		for fp, s := range fps {
			if fp%5 == 0 {
				failing = append(failing, s)
			}
		}
		slices.Sort(failing)
		require.NotEmpty(t, failing, "some seed of 1..%d fails", seeds)
		failedSeed := regexp.MustCompile(`sim: seed (\d+) failed`)
		firstOf := func(out string) uint64 {
			m := failedSeed.FindStringSubmatch(out)
			if m == nil {
				return 0
			}
			s, _ := strconv.ParseUint(m[1], 10, 64)
			return s
		}
		assert.Equal(t, failing[0], firstOf(all), "the unsharded run reports the first failing seed")
		var smallest uint64
		for k, out := range perShard {
			want := uint64(0)
			for _, s := range failing {
				if s%shards == uint64(k) {
					want = s
					break
				}
			}
			assert.Equal(t, want, firstOf(out), "shard %d reports its first failing seed", k+1)
			if want != 0 {
				files, _ := filepath.Glob(filepath.Join(dir, "replays", fmt.Sprintf("shard-%d", k), "TestHelperShards", "*.replay"))
				assert.Len(t, files, 1, "shard %d wrote its replay file", k+1)
				if smallest == 0 || want < smallest {
					smallest = want
				}
			}
		}
		assert.Equal(t, firstOf(all), smallest, "the smallest of the shards' failures is the unsharded run's")
	})
}
