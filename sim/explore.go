package sim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"
	"testing"
	"time"
)

// exploration is one sim.Test's run over its seeds.
type exploration struct {
	t       testing.TB
	id      testID
	cov     *coverage // runtime.Sometimes and Reachable, over the runs
	prog    *progress // the progress line (nil: none)
	body    func(context.Context) error
	opts    []Option
	c       config
	budget  time.Duration
	shrink  time.Duration // the time to shrink a failure in; 0 is off
	start   time.Time
	horizon horizonEstimate // PCT's, measured by the first seed

	tried   int
	steps   uint64
	elapsed time.Duration
	hashes  map[uint64]struct{}
	failure *Result // the first failing run (the smallest seed, in parallel)
	nondet  string  // a determinism check's finding
}

// over reports whether the wall-clock budget is spent; the first seed
// always runs.
func (x *exploration) over() bool {
	return x.budget > 0 && x.tried > 0 && time.Since(x.start) > x.budget
}

// options returns the options of one seed's run.
func (x *exploration) options(seed uint64) []Option {
	return append(x.opts[:len(x.opts):len(x.opts)], WithSeed(seed), WithStrategy(x.strategy()), recordingUpTo(recordLimit), testTracing(x.c))
}

// strategy is the strategy of the exploration's runs: PCT's horizon
// estimated, if it is to be.
func (x *exploration) strategy() Strategy {
	return x.horizon.strategy(x.c.strategy)
}

// ran counts a run towards the summary and hands it to OnResult.
func (x *exploration) ran(res Result) {
	x.tried++
	x.cov.add(res)
	x.prog.ran(res.Err != nil)
	x.steps += res.Steps
	x.elapsed += res.Elapsed
	if x.hashes == nil {
		x.hashes = map[uint64]struct{}{}
	}
	if len(x.hashes) < maxDistinct {
		x.hashes[res.Hash] = struct{}{}
	}
	if x.c.onResult != nil {
		x.c.onResult(res)
	}
}

func (x *exploration) sequential(seeds iter.Seq[uint64], check bool) {
	for seed := range seeds {
		if x.over() {
			break
		}
		run := x.options(seed)
		if check {
			run = append(run, WithTrace(max(x.c.traceSize, checkTrace)))
		}
		res := Run(x.body, run...)
		traceRun(x.t, x.c.traceDir, res)
		x.ran(res)
		if res.Err != nil || x.t.Failed() {
			x.failure = &res
			break
		}
		if check {
			if msg := explainDivergence(x.body, run, res, Run(x.body, append(run, perturb())...)); msg != "" {
				x.nondet = fmt.Sprintf("sim: seed %d is not deterministic: %s\nreplay: %s", seed, msg, x.id.replay(seed, res.Strategy))
				break
			}
		}
	}
}

// parallel runs seeds on several goroutines, each its own simulation, and
// keeps the smallest failing seed among those run. The body must allow
// concurrent runs (Parallel's doc).
func (x *exploration) parallel(seeds iter.Seq[uint64], workers int) {
	next := make(chan uint64)
	stop := make(chan struct{})
	var (
		mu     sync.Mutex
		failed []Result
		once   sync.Once
	)
	go func() {
		defer close(next)
		sent := false
		for seed := range seeds {
			if sent && x.budget > 0 && time.Since(x.start) > x.budget {
				return
			}
			select {
			case next <- seed:
				sent = true
			case <-stop:
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for seed := range next {
				res := Run(x.body, x.options(seed)...)
				traceRun(x.t, x.c.traceDir, res)
				mu.Lock()
				x.ran(res)
				if res.Err != nil {
					failed = append(failed, res)
					once.Do(func() { close(stop) })
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	once.Do(func() { close(stop) })
	if len(failed) > 0 {
		first := slices.MinFunc(failed, func(a, b Result) int { return cmp.Compare(a.Seed, b.Seed) })
		x.failure = &first
	}
}

// conclude fails the test, or passes it with a summary, once the seeds
// are explored.
func (x *exploration) conclude(dir string) {
	t := x.t
	t.Helper()
	switch res := x.failure; {
	case x.nondet != "":
		t.Fatal(x.nondet)
	case res != nil && x.c.expectFailure:
		t.Logf("sim: seed %d failed as expected (run %d, strategy %v, %d steps, +%v): %v\nreplay: %s",
			res.Seed, x.tried, res.Strategy, res.Steps, res.Elapsed, res.Err, x.id.replay(res.Seed, res.Strategy))
	case res != nil && errors.As(res.Err, new(*StuckTaskError)):
		// No replay file: a stuck task depends on the wall clock, and the
		// run was abandoned before its decisions could be read.
		t.Fatal(report(x.id, *res, x.tried, ""))
	case res != nil: // recorded whole if it was not, shrunk, written, reported
		reportFailure(t, x.id, x.body, append(x.options(res.Seed), WithStrategy(res.Strategy)), *res, x.tried, dir, x.shrink)
	case t.Failed():
		t.Fatalf("sim: a run failed inside a task during parallel exploration (%d seeds); rerun without sim.Parallel to find its seed", x.tried)
	case x.c.expectFailure:
		t.Fatalf("sim: no seed failed (%d seeds, strategy %v, %v); sim.ExpectFailure wants the planted bug found: explore more seeds (-sim.seeds, -sim.time) or another strategy",
			x.tried, x.c.strategy, time.Since(x.start).Round(time.Millisecond))
	default:
		t.Logf("%s", x.summary())
	}
}
