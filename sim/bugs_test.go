package sim_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// Known-buggy programs: each fails only under some interleavings. What
// their tasks share is guarded or atomic: the bugs are in the order of
// the accesses, not data races (which go test -race reports instead).
var bugs = []struct {
	name string
	prog func(ctx context.Context) error
}{
	{"lost update", lostUpdateProgram},
	{"atomicity violation across two locks", func(ctx context.Context) error {
		var muA, muB runtime.Mutex
		a, b := 100, 0
		var wg runtime.WaitGroup
		wg.Go(ctx, func(ctx context.Context) { // transfer 10 from a to b, in two critical sections
			_ = muA.Lock(ctx)
			a -= 10
			muA.Unlock()
			runtime.YieldNow(ctx)
			_ = muB.Lock(ctx)
			b += 10
			muB.Unlock()
		})
		var seen int
		wg.Go(ctx, func(ctx context.Context) { // audit: reads each account under its lock
			runtime.YieldNow(ctx)
			_ = muA.Lock(ctx)
			ra := a
			muA.Unlock()
			_ = muB.Lock(ctx)
			rb := b
			muB.Unlock()
			seen = ra + rb
		})
		if err := wg.Wait(ctx); err != nil {
			return err
		}
		if seen != 100 {
			return fmt.Errorf("audit saw %d, not 100", seen)
		}
		return nil
	}},
	{"order violation", func(ctx context.Context) error {
		var cfg atomic.Pointer[struct{ limit int }]
		var wg runtime.WaitGroup
		var err error
		wg.Go(ctx, func(ctx context.Context) { // initialiser: takes two steps
			runtime.YieldNow(ctx)
			cfg.Store(&struct{ limit int }{10})
		})
		wg.Go(ctx, func(ctx context.Context) { // user: assumes the initialiser ran
			runtime.YieldNow(ctx)
			runtime.YieldNow(ctx)
			if cfg.Load() == nil {
				err = errors.New("used the configuration before it was set")
			}
		})
		if werr := wg.Wait(ctx); werr != nil {
			return werr
		}
		return err
	}},
	{"three-task deadlock", func(ctx context.Context) error {
		var locks [3]runtime.Mutex
		var wg runtime.WaitGroup
		for i := range 3 {
			wg.Go(ctx, func(ctx context.Context) {
				for range i { // later tasks start later: FIFO never deadlocks
					runtime.YieldNow(ctx)
				}
				_ = locks[i].Lock(ctx)
				runtime.YieldNow(ctx)
				_ = locks[(i+1)%3].Lock(ctx)
				locks[(i+1)%3].Unlock()
				locks[i].Unlock()
			})
		}
		return wg.Wait(ctx)
	}},
	{"depth-3 ordering", depth3},
}

// depth3 fails only if A's write precedes B's, and B's precedes C's, while
// the tasks are spawned (and, under FIFO, run) in the opposite order: two
// ordering constraints, a bug of depth 3.
func depth3(ctx context.Context) error {
	var x, y atomic.Int32
	bug := false
	var wg runtime.WaitGroup
	wg.Go(ctx, func(ctx context.Context) { // C
		runtime.YieldNow(ctx)
		if y.Load() == 1 {
			bug = true
		}
	})
	wg.Go(ctx, func(ctx context.Context) { // B
		runtime.YieldNow(ctx)
		if x.Load() == 1 {
			y.Store(1)
		}
	})
	wg.Go(ctx, func(ctx context.Context) { // A
		runtime.YieldNow(ctx)
		x.Store(1)
	})
	if err := wg.Wait(ctx); err != nil {
		return err
	}
	if bug {
		return errors.New("C saw B's write, which saw A's")
	}
	return nil
}

// seedsToFind returns the first seed (counting from 1) at which the
// program fails, or 0 if none of max seeds does.
func seedsToFind(prog func(ctx context.Context) error, s sim.Strategy, max int) int {
	for seed := 1; seed <= max; seed++ {
		if sim.Run(prog, sim.WithSeed(uint64(seed)), sim.WithStrategy(s)).Err != nil {
			return seed
		}
	}
	return 0
}

// rateSeeds is how many seeds measure a strategy's failing share.
const rateSeeds = 500

func TestExploration_FindsKnownBugs(t *testing.T) {
	const limit = 2000
	var table strings.Builder
	fmt.Fprintf(&table, "%-38s%16s%16s%16s%16s\n", "first failing seed (failing share)", "fifo", "random", "pct:2:k", "pct:3:k")
	for _, b := range bugs {
		fmt.Fprintf(&table, "%-38s", b.name)
		// PCT's horizon k is the program's longest run, as sim.Test
		// measures it (sim.Run alone cannot).
		k := 0
		for seed := range uint64(20) {
			k = max(k, int(sim.Run(b.prog, sim.WithSeed(seed+1), sim.WithStrategy(sim.PCT(1))).Steps))
		}
		for _, s := range []sim.Strategy{sim.FIFO(), sim.Random(), sim.PCT(2).PCTHorizon(k), sim.PCT(3).PCTHorizon(k)} {
			n := seedsToFind(b.prog, s, limit)
			cell := fmt.Sprint(n)
			if n == 0 {
				cell = fmt.Sprintf(">%d", limit)
			}
			fails := 0
			for seed := range uint64(rateSeeds) {
				if sim.Run(b.prog, sim.WithSeed(seed+1), sim.WithStrategy(s)).Err != nil {
					fails++
				}
			}
			fmt.Fprintf(&table, "%16s", fmt.Sprintf("%s (%.1f%%)", cell, 100*float64(fails)/rateSeeds))
			if s != sim.FIFO() {
				assert.NotZero(t, n, "%s: %v did not find it in %d seeds", b.name, s, limit)
			}
		}
		table.WriteString("\n")
	}
	t.Logf("seeds until the first failing run:\n%s", table.String())
}

// interleaved fails only for the order a, b, A, B of four critical
// sections, two per task: A must be preempted after its first section and
// B after its first, two change points at the right steps (depth 3). No
// YieldNow: the points are the operations on the Mutex (S2, revised).
func interleaved(ctx context.Context) error {
	var mu runtime.Mutex
	var order []byte
	section := func(ctx context.Context, c byte) {
		_ = mu.Lock(ctx)
		order = append(order, c)
		mu.Unlock()
	}
	var wg runtime.WaitGroup
	wg.Go(ctx, func(ctx context.Context) { section(ctx, 'a'); section(ctx, 'A') })
	wg.Go(ctx, func(ctx context.Context) { section(ctx, 'b'); section(ctx, 'B') })
	if err := wg.Wait(ctx); err != nil {
		return err
	}
	if string(order) == "abAB" {
		return errors.New("the sections ran as a, b, A, B")
	}
	return nil
}

// PCT finds a bug of depth d among n tasks and k steps with probability
// at least p = 1/(n*k^(d-1)) per run. sim.Test measures the horizon of
// PCT(3) without one (see sim.PCT), so the bound holds without the user
// setting it: each bug turns up within 3/p seeds, and the report's replay
// command, which names the horizon used, reproduces the failing run. With
// the old fixed horizon of 1000 steps for runs of about 15, the change
// points fell past the end of every run: the interleaved bug was not found
// in 3/p seeds.
func TestPCT3_WithoutHorizonFindsDepth3BugsWithinTheBound(t *testing.T) {
	replay := regexp.MustCompile(`-sim.seed=(\d+) -sim.strategy=(pct:3:\d+)`)
	for _, b := range []struct {
		name string
		prog func(ctx context.Context) error
		n    int // tasks, the root included
	}{{"interleaved", interleaved, 3}, {"depth3", depth3, 4}} {
		k := 0
		for seed := range uint64(200) { // the longest run, for the bound
			k = max(k, int(sim.Run(b.prog, sim.WithSeed(seed+1), sim.WithStrategy(sim.PCT(3).PCTHorizon(20))).Steps))
		}
		limit := 3 * b.n * k * k // 3/p
		t.Setenv("WEFT_SIM_SEEDS", strconv.Itoa(limit))
		report := simTestVerdict(t, b.prog, sim.WithStrategy(sim.PCT(3)))
		m := replay.FindStringSubmatch(report)
		if !assert.NotNil(t, m, "%s: sim.Test with PCT(3) did not find it within 3/p = %d seeds:\n%s", b.name, limit, report) {
			continue
		}
		seed, _ := strconv.ParseUint(m[1], 10, 64)
		s, err := sim.ParseStrategy(m[2])
		require.NoError(t, err)
		assert.Error(t, sim.Run(b.prog, sim.WithSeed(seed), sim.WithStrategy(s)).Err, "%s: the replay command does not reproduce the failure", b.name)
		t.Logf("%s: found at seed %d (strategy %v); k = %d, n = %d, 3/p = %d", b.name, seed, s, k, b.n, limit)
	}
}
