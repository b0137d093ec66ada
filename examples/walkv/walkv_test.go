package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/weftsim/weft/lincheck"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestWalkv_IsLinearizableUnderCrashesAndDiskFaults explores -sim.seeds
// seeds (100 by default; 1,000 pass in about 14 s: go test
// ./examples/walkv -run Linearizable -sim.seeds=1000). A failure fails the
// test with lincheck's report, and porcupine's visualisation is written
// beside the replay file under testdata/sim/.
func TestWalkv_IsLinearizableUnderCrashesAndDiskFaults(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		h, err := Run(ctx, Bugs{})
		require.NoError(t, err)
		h.Require(ctx, t, lincheck.KV, "")
	})
}

// bugSeeds is how many seeds the planted bugs are given; the first failing
// seed is 10 for AckBeforeSync and 3 for RenameWithoutDirSync (35 and 92
// of the first 300 seeds fail).
const bugSeeds = 100

func TestWalkv_PlantedBugsAreFoundAndReplayExactly(t *testing.T) {
	for _, tc := range []struct {
		name string
		bugs Bugs
	}{
		{"ack before fsync", Bugs{AckBeforeSync: true}},
		{"rename without directory sync", Bugs{RenameWithoutDirSync: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var failing sim.Result
			for seed := uint64(1); seed <= bugSeeds && failing.Err == nil; seed++ {
				failing = sim.Run(Scenario(tc.bugs), sim.WithSeed(seed))
			}
			var le *lincheck.Error
			require.ErrorAs(t, failing.Err, &le, "a linearizability violation within %d seeds", bugSeeds)
			require.NotEmpty(t, le.Stuck, "the report names the operations")
			t.Logf("found at seed %d: %v", failing.Seed, failing.Err)

			again := sim.Run(Scenario(tc.bugs), sim.WithSeed(failing.Seed))
			assert.Equal(t, failing.Hash, again.Hash)
			assert.Equal(t, failing.Err.Error(), again.Err.Error())

			fixed := sim.Run(Scenario(Bugs{}), sim.WithSeed(failing.Seed))
			assert.NoError(t, fixed.Err, "the correct store passes the seed that finds the bug")

			file := filepath.Join(t.TempDir(), "linearizability.html")
			require.NoError(t, le.SaveHTML(file))
			html, err := os.ReadFile(file)
			require.NoError(t, err)
			assert.Contains(t, string(html), "<html")
			assert.Contains(t, le.Error(), "visualisation: "+file)
		})
	}
}

func TestWalkv_RecoversAfterAPlainRestart(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error { return putsAndRecovery(ctx, "/data") })
	require.NoError(t, res.Err)
}

func TestWalkv_TheSameStoreRunsOnPackageOS(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	dir := filepath.Join(t.TempDir(), "data")
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error { return putsAndRecovery(ctx, dir) }))
	names, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range names {
		got = append(got, e.Name())
	}
	assert.Equal(t, []string{"snap", "wal"}, got)
}

// putsAndRecovery stores a few puts in dir, opens the store again as a
// restart would, and checks what it recovered.
func putsAndRecovery(ctx context.Context, dir string) error {
	{
		s, err := open(ctx, dir, Bugs{})
		if err != nil {
			return err
		}
		for _, kv := range [][2]string{{"a", "1"}, {"b", "2"}, {"a", "3"}, {"c", "4"}, {"d", "5"}, {"a", "6"}} {
			if err := s.put(ctx, kv[0], kv[1], func() {}); err != nil {
				return err
			}
		}
		s.wal.Close()
	}
	s, err := open(ctx, dir, Bugs{}) // what a restart reads
	if err != nil {
		return err
	}
	defer s.wal.Close()
	for _, kv := range [][2]string{{"a", "6"}, {"b", "2"}, {"c", "4"}, {"d", "5"}} {
		if got, _ := s.get(ctx, kv[0]); got != kv[1] {
			return errors.New("recovered " + kv[0] + "=" + got + ", want " + kv[1])
		}
	}
	return nil
}
