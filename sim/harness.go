package sim

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// recordLimit is how many decisions sim.Test keeps of each run it explores
// (16 bytes each); a failing run that took more is run again to record it.
const recordLimit = 1 << 20

// Test runs f as the root task of a simulation once per seed and fails t at
// the first failing run, with a report that names the seed, the strategy,
// the steps and virtual time, the failure (panic or deadlock, with stacks),
// the last events, and the command that replays it.
//
// Before exploring, Test replays every replay file under
// testdata/sim/<TestName>/ (see WithReplayDir) as an input: a committed
// file is a regression test, which passes once its bug is fixed even if
// the fix changed the schedule (-sim.strictreplay replays exactly). When a
// seed fails, Test writes its replay file there. -sim.seed=N runs seed N
// alone, without the files.
//
// Seeds are 1..N with N = -sim.seeds (default DefaultSeeds), the same on
// every run so that CI is reproducible. -sim.seed=A-B,C runs those seeds;
// -sim.explore starts from a fresh random seed instead, and logs it;
// -sim.time=30s explores seed after seed for that wall-clock budget;
// -sim.shard=K/N keeps the seeds s with s mod N = K-1, so N CI jobs split
// the seeds exactly; -sim.replay=FILE replays one file; and
// -sim.checkdeterminism (or CheckDeterminism) runs every seed twice and
// reports the first event at which the two runs differ. The strategy is
// -sim.strategy, else WithStrategy, else Random. Each flag can also be set
// with an environment variable (WEFT_SIM_SEED, ...).
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
	if s.stratSet {
		c.strategy = s.strategy
	}
	body := func(ctx context.Context) error {
		f(ctx)
		return nil
	}
	id := testID{callerPackage(), t.Name()}
	dir := filepath.Join(c.replayDir, filepath.FromSlash(safeName(t.Name())))
	if s.replay != "" {
		replayInput(t, s.replay, body, opts, s.strict, id)
		return
	}
	if !c.expectFailure && s.seeds == nil { // a planted bug's failures are not regressions; -sim.seed=N runs seed N alone
		files, _ := filepath.Glob(filepath.Join(dir, "*.replay"))
		slices.Sort(files)
		for _, file := range files {
			replayInput(t, file, body, opts, s.strict, id)
		}
	}

	cov := &coverage{}
	defer func() {
		if !t.Failed() {
			cov.finish(t, c)
		}
	}()
	if c.strategy.kind == kindExhaustive {
		exploreExhaustively(t, id, body, opts, c.strategy.depth, s, dir, cov)
		return
	}
	ranges := s.seeds
	switch {
	case ranges != nil:
	case s.explore:
		first := freshSeed()
		ranges = []seedRange{{first, first + uint64(s.count) - 1}}
		t.Logf("sim: exploring seeds from %d (strategy %v)", first, c.strategy)
	case c.seedGiven:
		ranges = []seedRange{{c.seed, c.seed}}
	default:
		ranges = []seedRange{{1, uint64(s.count)}}
	}
	if s.budget > 0 && s.seeds == nil { // a budget, not a count, ends the run
		ranges[0].hi = ^uint64(0)
	}
	x := exploration{t: t, id: id, cov: cov, body: body, opts: opts, c: c, budget: s.budget, shrink: s.shrinkBudget(), start: time.Now()}
	seeds := seedsOf(ranges, s.shard)
	check := s.check || c.checkDeterminism
	if s.traceDir != "" {
		c.traceDir = s.traceDir
	}
	x.c = c
	var total uint64 // the seeds to run, for the progress line's estimate
	if s.budget == 0 {
		for _, r := range ranges {
			total += r.hi - r.lo + 1
		}
		total /= max(s.shard.n, 1)
	}
	x.prog = startProgress(t.Name(), total, s.budget)
	defer x.prog.end()
	for seed := range seeds { // the first seed may measure PCT's horizon
		if res, ok := x.horizon.probe(c.strategy, seed, body, opts); ok && (res.Err != nil || t.Failed()) {
			x.tried, x.failure = 1, &res
			x.conclude(dir)
			return
		}
		break
	}
	if workers := max(s.parallel, c.parallel); workers > 1 && !check {
		x.parallel(seeds, workers)
	} else {
		x.sequential(seeds, check)
	}
	x.conclude(dir)
}

// writeReplay persists a failing run and returns the file's path, or ""
// with a logged reason when it cannot.
func writeReplay(t testing.TB, dir string, res Result) string {
	name := replayName(res)
	file := filepath.Join(dir, name)
	if err := os.MkdirAll(dir, 0o755); err == nil {
		err = os.WriteFile(file, res.Replay(t.Name()).Marshal(), 0o644)
		if err == nil {
			writeTraces(t, strings.TrimSuffix(file, ".replay"), res)
			return file
		}
		t.Logf("sim: could not write the replay file: %v", err)
	}
	return ""
}

// safeName turns a test name into a relative path.
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ':', '\\', '*', '?', '"', '<', '>', '|', ' ':
			return '_'
		}
		return r
	}, name)
}
