package sim_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// helperEnv turns on the helper tests below, which fail on purpose and
// are run by other tests through go test.
const helperEnv = "WEFT_SIM_TEST_HELPER"

// TestHelperLostUpdate fails (a lost update, found on some seed) when run
// by TestReplayLine_ReproducesFromTheModuleRoot.
func TestHelperLostUpdate(t *testing.T) {
	if os.Getenv(helperEnv) != "lostupdate" {
		t.Skip("a helper of TestReplayLine_ReproducesFromTheModuleRoot")
	}
	sim.Test(t, func(ctx context.Context) {
		counter := 0
		var wg runtime.WaitGroup
		for range 2 {
			wg.Go(ctx, func(ctx context.Context) {
				v := counter
				runtime.YieldNow(ctx)
				counter = v + 1
			})
		}
		_ = wg.Wait(ctx)
		if counter != 2 {
			t.Fatalf("lost update: counter = %d", counter)
		}
	}, sim.WithReplayDir(os.Getenv("WEFT_SIM_TEST_REPLAYDIR")))
}

// moduleRoot returns the directory of the module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err, "the module root is sim's parent")
	return root
}

// goTest runs a go test command line through the shell in dir, with the
// helper's environment, and returns its output; it must fail.
func goTest(t *testing.T, dir, line string, env ...string) string {
	t.Helper()
	cmd := exec.Command("sh", "-c", line+" -count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "%s fails:\n%s", line, out)
	return string(out)
}

func TestReplayLine_ReproducesFromTheModuleRoot(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test twice")
	}
	root := moduleRoot(t)
	env := []string{helperEnv + "=lostupdate", "WEFT_SIM_TEST_REPLAYDIR=" + t.TempDir()}
	first := goTest(t, root, "go test ./sim -run '^TestHelperLostUpdate$'", env...)
	m := regexp.MustCompile(`replay: (go test \S+ -run .*)`).FindStringSubmatch(first)
	require.NotNil(t, m, "the report has a replay line:\n%s", first)
	assert.Contains(t, m[1], "go test github.com/weftsim/weft/sim -run '^TestHelperLostUpdate$' -sim.seed=")

	again := goTest(t, root, m[1], env...)
	failed := regexp.MustCompile(`sim: seed (\d+) failed at step \d+, virtual time \S+ \(run \d+, strategy \S+, hash (0x[0-9a-f]+)\)`)
	want, got := failed.FindStringSubmatch(first), failed.FindStringSubmatch(again)
	require.NotNil(t, want, first)
	require.NotNil(t, got, "the line pasted in the module root reruns the test:\n%s", again)
	assert.Equal(t, want[1:], got[1:], "the same seed fails with the same hash")
	assert.NotContains(t, again, "replayed from", "the seed alone runs, not the replay file")
}
