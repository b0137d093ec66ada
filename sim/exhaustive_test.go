package sim_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// abcBA fails only on the schedule that writes "abcBA": task A writes a,
// yields, and is preempted by B, which writes b, yields and is preempted
// by C; C writes c and ends; then B and A write their capitals. Two
// preemptions, no fewer, among three tasks.
func abcBA(tb testing.TB) func(ctx context.Context) {
	return func(ctx context.Context) {
		var s strings.Builder
		var mu sync.Mutex // the log's own lock: the bug is the order, not a data race
		write := func(x string) { mu.Lock(); s.WriteString(x); mu.Unlock() }
		step := func(first, second string) func(ctx context.Context) (int, error) {
			return func(ctx context.Context) (int, error) {
				write(first)
				if second != "" {
					runtime.YieldNow(ctx)
					write(second)
				}
				return 0, nil
			}
		}
		hs := []*runtime.JoinHandle[int]{
			runtime.Spawn(ctx, step("a", "A")), runtime.Spawn(ctx, step("b", "B")), runtime.Spawn(ctx, step("c", "")),
		}
		for _, h := range hs {
			_, _ = h.Join(ctx)
		}
		if s.String() == "abcBA" {
			tb.Fatalf("the bug: %s", s.String())
		}
	}
}

// threeByThree has three tasks add to a counter under a Mutex three times
// each, yielding between: a correct program.
func threeByThree(tb testing.TB) func(ctx context.Context) {
	return func(ctx context.Context) {
		counter := 0
		var mu runtime.Mutex
		var wg runtime.WaitGroup
		for range 3 {
			wg.Go(ctx, func(ctx context.Context) {
				for range 3 {
					_ = mu.Lock(ctx)
					v := counter
					runtime.YieldNow(ctx)
					counter = v + 1
					mu.Unlock()
				}
			})
		}
		_ = wg.Wait(ctx)
		if counter != 9 {
			tb.Fatalf("counter = %d", counter)
		}
	}
}

var explored = regexp.MustCompile(`sim: explored (\d+) schedules with at most (\d+) preemptions in \S+, complete`)

func TestExhaustive_FindsABugThatNeedsTwoPreemptions(t *testing.T) {
	one := harness(t.TempDir(), "TestABC", abcBA, sim.WithStrategy(sim.Exhaustive(1)))
	require.False(t, one.Failed(), "no schedule with one preemption fails: %s", one.output())
	assert.Regexp(t, explored, one.output())

	dir := t.TempDir()
	two := harness(dir, "TestABC", abcBA, sim.WithStrategy(sim.Exhaustive(2)))
	require.True(t, two.Failed())
	out := two.output()
	assert.Contains(t, out, "the bug: abcBA")
	assert.Contains(t, out, "with 2 preemptions (no schedule with fewer fails)")
	m := regexp.MustCompile(`sim: seed (\d+) failed at step \d+, virtual time \S+ \(run \d+, strategy exhaustive:2,`).FindStringSubmatch(out)
	require.NotNil(t, m, out)

	files, _ := filepath.Glob(filepath.Join(dir, "TestABC", "*.replay"))
	require.Len(t, files, 1)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	r, err := sim.ParseReplay(data)
	require.NoError(t, err)
	res := sim.Run(func(ctx context.Context) error { abcBA(&fakeTB{name: "TestABC"})(ctx); return nil }, r.Options()...)
	require.Error(t, res.Err, "the replay file fails")
	assert.Equal(t, r.Hash, res.Hash)

	t.Setenv("WEFT_SIM_SEED", m[1])
	t.Setenv("WEFT_SIM_STRATEGY", "exhaustive:2")
	again := harness(t.TempDir(), "TestABC", abcBA)
	require.True(t, again.Failed(), "the replay line runs the failing schedule")
	assert.Contains(t, again.output(), "sim: seed "+m[1]+" failed")
	assert.Contains(t, again.output(), "the bug: abcBA")
}

func TestExhaustive_CompletesOnACorrectProgramWithTheCount(t *testing.T) {
	tb := harness(t.TempDir(), "Test3x3", threeByThree, sim.WithStrategy(sim.Exhaustive(2)))
	require.False(t, tb.Failed(), tb.output())
	m := explored.FindStringSubmatch(tb.output())
	require.NotNil(t, m, tb.output())
	n, _ := strconv.Atoi(m[1])
	assert.Greater(t, n, 1)
	t.Logf("3 tasks x 3 locked updates: %d schedules with at most 2 preemptions", n)
	// The property test below checks such counts against a brute force,
	// on programs small enough for one.
}

// treeSource takes every decision of a run in turn, depth first: run
// after run it enumerates every schedule there is. Raw draws are 0, so
// timers due together fire in a fixed order.
type treeSource struct {
	prefix, choices, options []int
}

func (s *treeSource) IntN(n int) int {
	c := 0
	if i := len(s.choices); i < len(s.prefix) {
		c = s.prefix[i]
	}
	s.choices, s.options = append(s.choices, c), append(s.options, n)
	return c
}

func (s *treeSource) Uint64() uint64 { return 0 }

// scheduleOf returns the tasks a run ran, step by step, and how many of
// its switches were preemptions: away from a task whose step ended
// without parking or ending.
func scheduleOf(events []sim.Event) (string, int) {
	var seq []string
	var prev runtime.TaskID
	blocked, preemptions := false, 0
	for _, ev := range events {
		switch {
		case ev.Kind == sim.EvRun:
			if prev != 0 && !blocked && ev.Task != prev {
				preemptions++
			}
			prev, blocked = ev.Task, false
			seq = append(seq, fmt.Sprint(ev.Task))
		case (ev.Kind == sim.EvPark || ev.Kind == sim.EvExit) && ev.Task == prev:
			blocked = true
		}
	}
	return strings.Join(seq, " "), preemptions
}

// bruteForce runs body under every schedule (Random's choices, all of
// them) and returns those with at most p preemptions.
func bruteForce(t *testing.T, body func(ctx context.Context) error, p int) map[string]bool {
	t.Helper()
	found := map[string]bool{}
	var prefix []int
	for runs := 0; ; runs++ {
		require.Less(t, runs, 1_000_000, "the brute force is too large")
		src := &treeSource{prefix: prefix}
		res := sim.Run(body, sim.WithStrategy(sim.Random()), sim.WithDecisions(src), sim.WithTrace(1<<16))
		if seq, pre := scheduleOf(res.Events); pre <= p {
			found[seq] = true
		}
		i := len(src.choices) - 1
		for i >= 0 && src.choices[i]+1 >= src.options[i] {
			i--
		}
		if i < 0 {
			return found
		}
		prefix = append(slices.Clone(src.choices[:i]), src.choices[i]+1)
	}
}

// randomProgram returns a program of two tasks, each a few
// operations: yields, and a Mutex (of two) locked across a yield.
func randomProgram(r *rand.Rand) (func(ctx context.Context) error, string) {
	type op int // 0 yield, 1 lock m0 across a yield, 2 lock m1 across a yield
	tasks := make([][]op, 2)
	total := 0
	for i := range tasks {
		for range 1 + r.IntN(2) {
			if total < 3 {
				tasks[i] = append(tasks[i], op(r.IntN(3)))
				total++
			}
		}
	}
	return func(ctx context.Context) error {
		var ms [2]runtime.Mutex
		var hs []*runtime.JoinHandle[int]
		for _, ops := range tasks {
			hs = append(hs, runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				for _, o := range ops {
					if o == 0 {
						runtime.YieldNow(ctx)
						continue
					}
					m := &ms[o-1]
					_ = m.Lock(ctx)
					runtime.YieldNow(ctx)
					m.Unlock()
				}
				return 0, nil
			}))
		}
		for _, h := range hs {
			_, _ = h.Join(ctx)
		}
		return nil
	}, fmt.Sprint(tasks)
}

func TestExhaustive_VisitsExactlyTheSchedulesABruteForceFinds(t *testing.T) {
	for i := range uint64(18) {
		body, desc := randomProgram(rand.New(rand.NewPCG(i, 17)))
		p := int(i % 3)
		t.Run(fmt.Sprintf("%d preemptions, tasks %s", p, desc), func(t *testing.T) {
			want := bruteForce(t, body, p)
			got := map[string]bool{}
			n, complete, err := sim.ExploreSchedules(body, []sim.Option{sim.WithTrace(1 << 16)}, p, func(res sim.Result, b int) bool {
				seq, pre := scheduleOf(res.Events)
				assert.Equal(t, b, pre, "the schedule %s has the preemptions of its round", seq)
				assert.False(t, got[seq], "schedule %s visited twice", seq)
				got[seq] = true
				return true
			})
			require.NoError(t, err)
			assert.True(t, complete)
			assert.Equal(t, len(got), n)
			assert.Equal(t, want, got)
		})
	}
}
