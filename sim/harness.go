package sim

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/weftsim/weft/runtime"
)

// reportEvents is how many of the last events a failure report shows.
const reportEvents = 20

// Test runs f as the root task of a simulation once per seed and fails t at
// the first failing run, with a report that names the seed, the strategy,
// the steps and virtual time, the failure (panic or deadlock, with stacks),
// the last events, and the command that replays it.
//
// Seeds are 1..N with N = -sim.seeds (default DefaultSeeds), the same on
// every run so that CI is reproducible; -sim.seed=S runs S alone;
// -sim.explore starts from a fresh random seed instead, and logs it. The
// strategy is -sim.strategy, else WithStrategy, else Random. Each flag can
// also be set with an environment variable (WEFT_SIM_SEED, WEFT_SIM_SEEDS,
// WEFT_SIM_STRATEGY, WEFT_SIM_EXPLORE).
//
// t.Fatal, t.FailNow and testify's require may be called inside tasks: the
// task ends (runtime.Goexit), the simulation drops the other tasks, and the
// test fails with the report.
func Test(t testing.TB, f func(ctx context.Context), opts ...Option) {
	t.Helper()
	s, err := parseSettings(commandLine)
	if err != nil {
		t.Fatal(err)
	}
	c := buildConfig(opts)
	first, n := uint64(1), s.seeds
	switch {
	case s.seedSet:
		first, n = s.seed, 1
	case s.explore:
		first = freshSeed()
		t.Logf("sim: exploring %d seeds from %d (strategy %v)", n, first, c.strategy)
	case c.seedGiven:
		first, n = c.seed, 1
	}
	if s.stratSet {
		c.strategy = s.strategy
	}
	body := func(ctx context.Context) error {
		f(ctx)
		return nil
	}
	for i := range n {
		seed := first + uint64(i)
		run := append(opts[:len(opts):len(opts)], WithSeed(seed), WithStrategy(c.strategy))
		res := Run(body, run...)
		if res.Err != nil || t.Failed() {
			t.Fatal(report(t.Name(), res, i+1, n))
		}
	}
}

// report formats a failed run.
func report(name string, r Result, tried, of int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "sim: seed %d failed (run %d of %d, strategy %v, %d steps, virtual time +%v, hash %#016x)\n",
		r.Seed, tried, of, r.Strategy, r.Steps, r.Elapsed, r.Hash)
	if r.Err == nil {
		b.WriteString("failure: the test failed inside a task (see the messages above)\n")
	} else {
		fmt.Fprintf(&b, "failure: %v\n", r.Err)
		var pe *runtime.PanicError
		var ue *UnobservedPanicError
		if errors.As(r.Err, &pe) && !errors.As(r.Err, &ue) {
			fmt.Fprintf(&b, "\n%s\n", pe.Stack)
		}
		var de *DeadlockError
		if errors.As(r.Err, &de) {
			for _, bt := range de.Tasks {
				fmt.Fprintf(&b, "\ntask %d:\n%s\n", bt.ID, bt.Stack)
			}
		}
	}
	if ev := r.Events; len(ev) > 0 {
		if len(ev) > reportEvents {
			ev = ev[len(ev)-reportEvents:]
		}
		b.WriteString("last events:\n")
		for _, e := range ev {
			fmt.Fprintf(&b, "\t%v\n", e)
		}
	}
	fmt.Fprintf(&b, "replay: %s", ReplayCommand(name, r.Seed, r.Strategy))
	return b.String()
}

// ReplayCommand returns the go test command line that reruns the named test
// with one seed and strategy.
func ReplayCommand(testName string, seed uint64, s Strategy) string {
	parts := strings.Split(testName, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return fmt.Sprintf("go test -run '%s' -sim.seed=%d -sim.strategy=%v", strings.Join(parts, "/"), seed, s)
}
