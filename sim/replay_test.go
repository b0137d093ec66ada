package sim_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func sampleReplay(t *testing.T) *sim.Replay {
	res := sim.Run(fourWorkers, sim.WithSeed(3), sim.WithStrategy(sim.PCT(2)), sim.WithRecording())
	require.NoError(t, res.Err)
	require.NotEmpty(t, res.Decisions)
	return res.Replay("TestSample/sub")
}

func TestReplay_RoundTripAndRerun(t *testing.T) {
	r := sampleReplay(t)
	back, err := sim.ParseReplay(r.Marshal())
	require.NoError(t, err)
	assert.Equal(t, r, back)

	again := sim.Run(fourWorkers, back.Options()...)
	require.NoError(t, again.Err)
	assert.Equal(t, r.Hash, again.Hash, "a replay reproduces the run")
}

func TestReplay_TakesTheRecordedDecisionsNotTheSeed(t *testing.T) {
	r := sampleReplay(t)
	r.Seed = 999 // the decisions, not the seed, drive a replay
	res := sim.Run(fourWorkers, r.Options()...)
	require.NoError(t, res.Err)
	assert.Equal(t, r.Hash, res.Hash)
}

func TestReplay_DivergenceNamesTheFirstDecision(t *testing.T) {
	r := sampleReplay(t)
	changed := func(ctx context.Context) error { // one more yield than recorded
		runtime.YieldNow(ctx)
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, nil })
		runtime.YieldNow(ctx)
		return fourWorkers(ctx)
	}
	res := sim.Run(changed, r.Options()...)
	var de *sim.DivergenceError
	require.ErrorAs(t, res.Err, &de)
	assert.Contains(t, de.Error(), "replay diverged at decision")

	short := *r
	short.Decisions = r.Decisions[:len(r.Decisions)/2]
	res = sim.Run(fourWorkers, short.Options()...)
	require.ErrorAs(t, res.Err, &de)
	assert.Contains(t, de.Error(), "the recording ended")

	res = sim.Run(func(ctx context.Context) error { return nil }, r.Options()...)
	require.ErrorAs(t, res.Err, &de)
	assert.Contains(t, de.Error(), "the run ended, the recording holds more")
}

func TestReplay_CorruptFilesAreRejectedClearly(t *testing.T) {
	good := string(sampleReplay(t).Marshal())
	lines := strings.Split(good, "\n")
	replace := func(i int, with string) string {
		l := append([]string(nil), lines...)
		l[i] = with
		return strings.Join(l, "\n")
	}
	tests := []struct{ name, data, want string }{
		{"empty", "", "empty file"},
		{"not a replay", "hello\n", "not a weft replay file"},
		{"future version", replace(0, "weft replay v9"), "replay format v9"},
		{"bad seed", replace(2, "seed minus-one"), `line 3: bad seed`},
		{"bad strategy", replace(3, "strategy lifo"), "bad strategy"},
		{"missing field", replace(4, "timelimit 1h"), `want "steplimit"`},
		{"bad start", replace(6, "start yesterday"), "bad start"},
		{"bad hash", replace(8, "hash 0xzz"), "bad hash"},
		{"bad decision", replace(11, "7/3 1/2"), "bad choice"},
		{"bad raw draw", replace(11, "rxyz"), "bad raw draw"},
		{"count mismatch", replace(10, "decisions 3"), "the header says 3"},
		{"truncated", strings.Join(lines[:len(lines)-2], "\n"), "truncated"},
		{"truncated header", strings.Join(lines[:5], "\n"), "truncated: missing"},
		{"trailing data", good + "more\n", "after \"end\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sim.ParseReplay([]byte(tc.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func FuzzParseReplay(f *testing.F) {
	res := sim.Run(fourWorkers, sim.WithSeed(3), sim.WithRecording())
	f.Add(res.Replay("TestX").Marshal())
	f.Add([]byte("weft replay v1\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := sim.ParseReplay(data)
		if err != nil {
			return
		}
		back, err := sim.ParseReplay(r.Marshal())
		if err != nil {
			t.Fatalf("a parsed replay does not parse back: %v", err)
		}
		if len(back.Decisions) != len(r.Decisions) || back.Seed != r.Seed || back.Hash != r.Hash {
			t.Fatalf("round trip changed the replay")
		}
	})
}

// buggy guards the lost-update check, so a test can "fix" the bug without
// changing the schedule.
var buggy = true

func checkedLostUpdate(tb testing.TB) func(ctx context.Context) {
	return func(ctx context.Context) {
		var counter atomic.Int64 // no data race: the bug is the lost update
		var wg runtime.WaitGroup
		for range 2 {
			wg.Go(ctx, func(ctx context.Context) {
				v := counter.Load()
				_ = clock.Sleep(ctx, time.Millisecond)
				counter.Store(v + 1)
			})
		}
		_ = wg.Wait(ctx)
		if buggy && counter.Load() != 2 {
			tb.Fatalf("lost update")
		}
	}
}

func TestTest_ReplayFilesAreRegressionTests(t *testing.T) {
	dir := t.TempDir()
	first := harness(dir, "TestReg", checkedLostUpdate, sim.WithStrategy(sim.FIFO()))
	require.True(t, first.Failed())
	assert.Contains(t, first.output(), "replay file: ")

	again := harness(dir, "TestReg", checkedLostUpdate, sim.WithStrategy(sim.FIFO()))
	require.True(t, again.Failed())
	assert.Contains(t, again.output(), "replayed from ", "the file is replayed before any exploration")

	buggy = false
	defer func() { buggy = true }()
	fixed := harness(dir, "TestReg", checkedLostUpdate, sim.WithStrategy(sim.FIFO()))
	assert.False(t, fixed.Failed(), "once fixed, the replay passes: %s", fixed.output())

	buggy = true
	changed := func(tb testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {
			runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, clock.Sleep(ctx, time.Millisecond) })
			checkedLostUpdate(tb)(ctx)
		}
	}
	input := harness(dir, "TestReg", changed, sim.WithStrategy(sim.FIFO()))
	require.True(t, input.Failed(), "a changed program still has the bug: the file, run as an input, finds it")
	assert.Contains(t, input.output(), "replayed from ")
	assert.Contains(t, input.output(), "it diverged")

	t.Setenv("WEFT_SIM_STRICTREPLAY", "true")
	strict := harness(dir, "TestReg", changed, sim.WithStrategy(sim.FIFO()))
	require.True(t, strict.Failed())
	assert.Contains(t, strict.output(), "diverged")
	assert.Contains(t, strict.output(), "delete the file")
}

func TestTest_ParallelReportsTheSmallestFailingSeed(t *testing.T) {
	lost := func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {
			if err := lostUpdateProgram(ctx); err != nil {
				panic(err)
			}
		}
	}
	seq := harness(t.TempDir(), "TestPar", lost, sim.WithStrategy(sim.PCT(3)), sim.AllowUnobservedPanics())
	par := harness(t.TempDir(), "TestPar", lost, sim.WithStrategy(sim.PCT(3)), sim.AllowUnobservedPanics(), sim.Parallel(4))
	require.True(t, seq.Failed())
	require.True(t, par.Failed())
	seedOf := func(out string) string { return out[strings.Index(out, "sim: seed "):][:14] }
	assert.Equal(t, seedOf(seq.output()), seedOf(par.output()), "the same first failing seed, run in parallel or not")

	ok := harness(t.TempDir(), "TestParOK", func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) { _ = fourWorkers(ctx) }
	}, sim.Parallel(0))
	assert.False(t, ok.Failed(), ok.output())
}
