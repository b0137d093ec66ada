package sim_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// Known-buggy programs: each fails only under some interleavings.
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
		var cfg *struct{ limit int }
		var wg runtime.WaitGroup
		var err error
		wg.Go(ctx, func(ctx context.Context) { // initialiser: takes two steps
			runtime.YieldNow(ctx)
			cfg = &struct{ limit int }{10}
		})
		wg.Go(ctx, func(ctx context.Context) { // user: assumes the initialiser ran
			runtime.YieldNow(ctx)
			runtime.YieldNow(ctx)
			if cfg == nil {
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
	x, y, bug := 0, 0, false
	var wg runtime.WaitGroup
	wg.Go(ctx, func(ctx context.Context) { // C
		runtime.YieldNow(ctx)
		if y == 1 {
			bug = true
		}
	})
	wg.Go(ctx, func(ctx context.Context) { // B
		runtime.YieldNow(ctx)
		if x == 1 {
			y = 1
		}
	})
	wg.Go(ctx, func(ctx context.Context) { // A
		runtime.YieldNow(ctx)
		x = 1
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
	const max = 2000
	strategies := []sim.Strategy{sim.FIFO(), sim.Random(), sim.PCT(2), sim.PCT(3)}
	var table strings.Builder
	fmt.Fprintf(&table, "%-38s", "first failing seed (failing share)")
	for _, s := range strategies {
		fmt.Fprintf(&table, "%16v", s)
	}
	table.WriteString("\n")
	for _, b := range bugs {
		fmt.Fprintf(&table, "%-38s", b.name)
		for _, s := range strategies {
			n := seedsToFind(b.prog, s, max)
			cell := fmt.Sprint(n)
			if n == 0 {
				cell = fmt.Sprintf(">%d", max)
			}
			fails := 0
			for seed := range uint64(rateSeeds) {
				if sim.Run(b.prog, sim.WithSeed(seed+1), sim.WithStrategy(s)).Err != nil {
					fails++
				}
			}
			fmt.Fprintf(&table, "%16s", fmt.Sprintf("%s (%.1f%%)", cell, 100*float64(fails)/rateSeeds))
			if s != sim.FIFO() {
				assert.NotZero(t, n, "%s: %v did not find it in %d seeds", b.name, s, max)
			}
		}
		table.WriteString("\n")
	}
	t.Logf("seeds until the first failing run:\n%s", table.String())
}

// PCT finds a bug of depth d among n tasks and k steps with probability
// at least 1/(n*k^(d-1)) per run; for depth3 (n = 4 tasks with the root,
// k = steps of a run) that bounds the expected seeds.
func TestPCT3_FindsTheDepth3BugWithinItsGuarantee(t *testing.T) {
	k := int(sim.Run(depth3, sim.WithStrategy(sim.FIFO())).Steps)
	n := 4
	bound := n * k * k
	s := sim.PCT(3).PCTHorizon(k)
	found := seedsToFind(depth3, s, bound)
	assert.NotZero(t, found, "PCT(3) with horizon %d did not find the bug within %d seeds", k, bound)
	t.Logf("PCT(3), horizon %d steps: found at seed %d; guarantee n*k^2 = %d", k, found, bound)
}
