package sim_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// nodePanicsEarly is a cluster in which one node panics at +1.4s, unjoined,
// while the others go on exchanging messages until +6s.
func nodePanicsEarly(ctx context.Context) error {
	runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		if err := clock.Sleep(ctx, 1400*time.Millisecond); err != nil {
			return 0, err
		}
		panic("node 3: term went backwards")
	})
	ch := runtime.NewChan[int](0)
	runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		for i := 0; ; i++ {
			if err := ch.Send(ctx, i); err != nil {
				return 0, err
			}
		}
	})
	for clock.Since(ctx, clock.Epoch) < 6*time.Second {
		if _, err := ch.Recv(ctx); err != nil {
			return err
		}
		if err := clock.Sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

func TestReport_UnobservedPanicIsReportedWhereItHappened(t *testing.T) {
	res := sim.Run(nodePanicsEarly, sim.WithSeed(1))
	var ue *sim.UnobservedPanicError
	require.ErrorAs(t, res.Err, &ue)
	assert.Equal(t, 1400*time.Millisecond, ue.At, "the time of the panic, not of the end")
	assert.Greater(t, res.Elapsed, 5*time.Second, "the run went on")
	assert.Less(t, ue.Step, res.Steps)

	tb := harness(t.TempDir(), "TestRaft", func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) { _ = nodePanicsEarly(ctx) }
	})
	out := tb.output()
	assert.Contains(t, out, fmt.Sprintf("failed at step %d, virtual time +1.4s", ue.Step))
	assert.Contains(t, out, "the run went on to step")
	events := failureEvents(out)
	assert.Regexp(t, `@1\.4s task 2 exit panicked\nreplay`, events, "the events end at the panic")
	assert.NotContains(t, events, "@6", "no event after the panic")
	assert.Contains(t, out, "term went backwards")
	assert.Contains(t, out, "nodePanicsEarly", "the panic's stack")
}

func TestReport_StopOnPanicStopsTheRunThere(t *testing.T) {
	res := sim.Run(nodePanicsEarly, sim.WithSeed(1), sim.StopOnPanic())
	var ue *sim.UnobservedPanicError
	require.ErrorAs(t, res.Err, &ue)
	assert.Equal(t, 1400*time.Millisecond, ue.At)
	assert.Equal(t, 1400*time.Millisecond, res.Elapsed, "nothing ran after the panic")

	// A panic that a Join observes fails nothing: the Join sees it.
	res = sim.Run(func(ctx context.Context) error {
		_, err := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { panic("seen") }).Join(ctx)
		var pe *runtime.PanicError
		if !errors.As(err, &pe) {
			return fmt.Errorf("join: %v", err)
		}
		return nil
	}, sim.StopOnPanic())
	var pe *runtime.PanicError
	require.ErrorAs(t, res.Err, &ue, "the run stops before the join")
	require.ErrorAs(t, res.Err, &pe)
}

func TestReport_RootFailureShowsEventsBeforeTheShutdown(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		for range 40 { // tasks the shutdown will drop, with events of their own
			runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, clock.Sleep(ctx, time.Hour) })
		}
		_ = clock.Sleep(ctx, time.Second)
		return errors.New("root gives up")
	})
	require.EqualError(t, res.Err, "root gives up")
	tb := harness(t.TempDir(), "TestRoot", func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {
			for range 40 {
				runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, clock.Sleep(ctx, time.Hour) })
			}
			_ = clock.Sleep(ctx, time.Second)
			panic("root gives up")
		}
	})
	out := tb.output()
	events := failureEvents(out)
	assert.Regexp(t, `task 1 exit panicked\nreplay`, events)
	assert.NotContains(t, events, "abort", "the shutdown's drops come after the failure")
}

// The text of a failure is a function of the seed: no stack, no goroutine
// numbers, no addresses.
func TestReport_ErrorTextIsStableForASeed(t *testing.T) {
	a := sim.Run(nodePanicsEarly, sim.WithSeed(4))
	b := sim.Run(nodePanicsEarly, sim.WithSeed(4))
	require.Error(t, a.Err)
	assert.Equal(t, a.Err.Error(), b.Err.Error())
	assert.NotContains(t, a.Err.Error(), "goroutine")
	assert.NotRegexp(t, `0x[0-9a-f]{6,}`, a.Err.Error())
	var pe *runtime.PanicError
	require.ErrorAs(t, a.Err, &pe)
	assert.Contains(t, string(pe.Stack), "nodePanicsEarly", "the stack is kept in the Stack field")
	assert.Equal(t, a.Replay("T").Failure, b.Replay("T").Failure, "replay files record it alike")
}

// childEnv runs the named test in a child go test process with env set,
// and returns its output: for what a real *testing.T prints.
func childEnv(t *testing.T, test string, env ...string) string {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the child test fails:\n%s", out)
	return string(out)
}

func TestReport_FatalInTheRootNamesTheUsersLine(t *testing.T) {
	out := childEnv(t, "TestChild_FatalInRoot", "WEFT_RECORD_CHILD="+t.TempDir())
	// The child's t.Fatal is at the line after "sim.Test(t, func".
	line := regexp.MustCompile(`report_test\.go:(\d+): root gives up`).FindStringSubmatch(out)
	require.NotNil(t, line, out)
	assert.Contains(t, out, "failure: the test failed at report_test.go:"+line[1]+" (task 1 called t.Fatal", out)
	assert.NotContains(t, out, "harness.go", "the report is attributed to the caller of sim.Test")
	assert.NotContains(t, out, "explore.go")
	assert.Regexp(t, `report_test\.go:\d+: sim: seed 1 failed`, out)
}

func TestChild_FatalInRoot(t *testing.T) {
	dir := os.Getenv("WEFT_RECORD_CHILD")
	if dir == "" {
		t.Skip("run by TestReport_FatalInTheRootNamesTheUsersLine")
	}
	sim.Test(t, func(ctx context.Context) {
		t.Fatal("root gives up")
	}, sim.WithReplayDir(dir))
}

func TestTest_SummaryLineOnSuccess(t *testing.T) {
	var seeds []uint64
	tb := harness(t.TempDir(), "TestOK", func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) { _ = fourWorkers(ctx) }
	}, sim.OnResult(func(r sim.Result) { seeds = append(seeds, r.Seed) }))
	require.False(t, tb.Failed(), tb.output())
	assert.Regexp(t, `^sim: 100 seeds passed \(strategy random\): \d+ steps, \+[0-9.]+m?s virtual time, \d+ distinct hashes, in [0-9.]+[µm]?s$`, tb.output())
	require.Len(t, seeds, sim.DefaultSeeds, "OnResult sees every seed")
	assert.Equal(t, uint64(1), seeds[0])
	assert.Equal(t, uint64(sim.DefaultSeeds), seeds[len(seeds)-1])
}

func TestTest_ExpectFailure(t *testing.T) {
	planted := func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {
			if err := lostUpdateProgram(ctx); err != nil {
				panic(err)
			}
		}
	}
	dir := t.TempDir()
	found := harness(dir, "TestPlanted", planted, sim.ExpectFailure())
	require.False(t, found.Failed(), found.output())
	assert.Regexp(t, `^sim: seed \d+ failed as expected \(run \d+, strategy random`, found.output())
	assert.Contains(t, found.output(), "lost update")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.replay"))
	assert.Empty(t, files, "an expected failure writes no replay file")

	missed := harness(t.TempDir(), "TestCorrect", func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) { _ = fourWorkers(ctx) }
	}, sim.ExpectFailure())
	require.True(t, missed.Failed())
	assert.Contains(t, missed.output(), "sim: no seed failed (100 seeds, strategy random")
}

func TestTest_TimeBudgetRunsAtLeastOneSeed(t *testing.T) {
	t.Setenv("WEFT_SIM_TIME", "1ns")
	runs := 0
	tb := harness(t.TempDir(), "TestBudget", func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) { _ = fourWorkers(ctx) }
	}, sim.OnResult(func(sim.Result) { runs++ }))
	require.False(t, tb.Failed(), tb.output())
	assert.Equal(t, 1, runs)

	runs = 0
	tb = harness(t.TempDir(), "TestBudgetPar", func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) { _ = fourWorkers(ctx) }
	}, sim.OnResult(func(sim.Result) { runs++ }), sim.Parallel(2))
	require.False(t, tb.Failed(), tb.output())
	assert.GreaterOrEqual(t, runs, 1)
}

func TestTest_EmptyKnobIsAnError(t *testing.T) {
	t.Setenv("WEFT_SIM_SEEDS", "")
	tb := harness(t.TempDir(), "TestEmpty", func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {}
	})
	require.True(t, tb.Failed())
	assert.Contains(t, tb.output(), "sim: WEFT_SIM_SEEDS is given but empty")
}

func TestTest_ReplayFileOfAnotherTestIsRejected(t *testing.T) {
	dir := t.TempDir()
	first := harness(dir, "TestA", lostUpdate)
	require.True(t, first.Failed())
	files, _ := filepath.Glob(filepath.Join(dir, "TestA", "*.replay"))
	require.Len(t, files, 1)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "TestB"), 0o755))
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "TestB", "x.replay"), data, 0o644))

	other := harness(dir, "TestB", lostUpdate)
	require.True(t, other.Failed())
	assert.Contains(t, other.output(), `was recorded by test "TestA", not by TestB`)
	assert.NotContains(t, other.output(), "diverged")
}

func TestOptions_OutOfRangePanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"time limit", func() { sim.WithTimeLimit(-time.Second) }, "sim: WithTimeLimit(-1s): a negative limit; use 0 for no limit"},
		{"watchdog", func() { sim.WithWatchdog(-1) }, "sim: WithWatchdog(-1ns): a negative limit"},
		{"trace", func() { sim.WithTrace(-1) }, "sim: WithTrace(-1): a negative number of events"},
		{"parallel", func() { sim.Parallel(1000000) }, "sim: Parallel(1000000): more than 256 goroutines"},
		{"pct depth", func() { sim.PCT(1000) }, "sim: PCT(1000): the depth must be from 1 to 100"},
		{"pct horizon", func() { sim.PCT(2).PCTHorizon(0) }, "sim: PCTHorizon(0) on pct:2"},
		{"start", func() { sim.WithStart(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)) }, "the year must be from 1 to 9999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				require.NotNil(t, r)
				assert.Contains(t, fmt.Sprint(r), tc.want)
			}()
			tc.f()
		})
	}
}

// failureEvents returns a report's events up to the failure and what
// follows them, up to the shrinker's part (whose shrunk schedule goes on
// through the shutdown).
func failureEvents(out string) string {
	events := out[strings.Index(out, "events up to the failure:"):]
	if i := strings.Index(events, "\nshrunk from "); i >= 0 {
		events = events[:i]
	}
	return events
}
