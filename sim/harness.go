package sim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/internal/kernel"
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
// testdata/sim/<TestName>/ (see WithReplayDir): a committed file is a
// regression test. When a seed fails, Test writes its replay file there.
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
	dir := filepath.Join(c.replayDir, filepath.FromSlash(safeName(t.Name())))
	if s.replay != "" {
		replayFile(t, s.replay, body, opts)
		return
	}
	if !c.expectFailure { // a planted bug's failures are not regressions
		files, _ := filepath.Glob(filepath.Join(dir, "*.replay"))
		slices.Sort(files)
		for _, file := range files {
			replayFile(t, file, body, opts)
		}
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
	x := exploration{t: t, body: body, opts: opts, c: c, budget: s.budget, start: time.Now()}
	seeds := seedsOf(ranges, s.shard)
	check := s.check || c.checkDeterminism
	if s.traceDir != "" {
		c.traceDir = s.traceDir
	}
	x.c = c
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

// replayFile reruns a replay file and fails t if it cannot be read, if it
// was recorded by another test, if the run diverges from its decisions,
// or if the run still fails. A run that takes the file's decisions and
// passes has had its bug fixed: the file then passes (its hash, which
// covers how the run ended, differs, and that is no divergence).
func replayFile(t testing.TB, file string, body func(context.Context) error, opts []Option) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("sim: %v", err)
	}
	r, err := ParseReplay(data)
	if err != nil {
		t.Fatalf("sim: replay file %s: %v", file, err)
	}
	if r.Test != t.Name() {
		t.Fatalf("sim: replay file %s was recorded by test %q, not by %s; replay it with that test (go test -run '%s' -sim.replay=FILE)",
			file, r.Test, t.Name(), runPattern(r.Test))
	}
	res := Run(body, append(append(opts[:len(opts):len(opts)], r.Options()...), testTracing(buildConfig(opts)))...)
	var de *DivergenceError
	switch {
	case errors.As(res.Err, &de):
		t.Fatalf("sim: replay of %s: %v\n(if the program changed on purpose, delete the file)", file, de)
	case res.Err != nil || t.Failed():
		writeTraces(t, strings.TrimSuffix(file, ".replay"), res)
		msg := fmt.Sprintf("%s\n%sreplayed from %s", report(t.Name(), res, 1, ""), traceLines(file), file)
		if res.Hash != r.Hash {
			msg += fmt.Sprintf(" (the run's hash is %#016x, the file's %#016x: it fails otherwise than when recorded)", res.Hash, r.Hash)
		}
		t.Fatal(msg)
	}
}

// writeReplay persists a failing run and returns the file's path, or ""
// with a logged reason when it cannot.
func writeReplay(t testing.TB, dir string, res Result) string {
	name := runBase(res) + ".replay"
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

// ReplayCommand returns the go test command line that reruns the named test
// with one seed and strategy.
func ReplayCommand(testName string, seed uint64, s Strategy) string {
	race := "" // a race found under -race shows under -race
	if kernel.RaceEnabled {
		race = "-race "
	}
	return fmt.Sprintf("go test %s-run '%s' -sim.seed=%d -sim.strategy=%v", race, runPattern(testName), seed, s)
}

// runPattern is the -run pattern that selects exactly the named test.
func runPattern(testName string) string {
	parts := strings.Split(testName, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}
