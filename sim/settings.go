package sim

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// The knobs of sim.Test, each a flag and an environment variable; a flag
// given on the command line wins over the variable.
var (
	_ = flag.String("sim.seed", "", "run only these seeds: N, A-B, or a comma-separated list (replays a failure); env "+envSeed)
	_ = flag.String("sim.seeds", "", "number of seeds each sim.Test explores (default 100); env "+envSeeds)
	_ = flag.String("sim.strategy", "", "scheduling strategy: fifo, random, pct, pct:DEPTH, pct:DEPTH:HORIZON, exhaustive:PREEMPTIONS; env "+envStrategy)
	_ = flag.Bool("sim.explore", false, "explore fresh random seeds instead of the stable default ones; env "+envExplore)
	_ = flag.String("sim.replay", "", "replay this replay file only; env "+envReplay)
	_ = flag.Bool("sim.checkdeterminism", false, "run every seed twice and compare the runs; env "+envCheck)
	_ = flag.String("sim.time", "", "explore for this wall-clock budget (e.g. 30s) instead of a seed count; env "+envTime)
	_ = flag.String("sim.shard", "", "run only shard K of N of the seeds (K/N; N alone takes K-1 from "+envJobIndex+"); env "+envShard)
	_ = flag.String("sim.parallel", "", "explore seeds on this many goroutines (tests whose body allows it); env "+envParallel)
	_ = flag.String("sim.trace", "", "write every run's trace (Perfetto JSON and an HTML timeline) into this directory; env "+envTrace)
	_ = flag.String("sim.shrink", "", "time to spend shrinking a failure found by a seed (default 10s), or off; env "+envShrink)
	_ = flag.Bool("sim.strictreplay", false, "replay files exactly, failing where the program no longer fits them (default: as regression inputs); env "+envStrict)
)

const (
	envSeed     = "WEFT_SIM_SEED"
	envSeeds    = "WEFT_SIM_SEEDS"
	envStrategy = "WEFT_SIM_STRATEGY"
	envExplore  = "WEFT_SIM_EXPLORE"
	envReplay   = "WEFT_SIM_REPLAY"
	envCheck    = "WEFT_SIM_CHECKDETERMINISM"
	envTime     = "WEFT_SIM_TIME"
	envShard    = "WEFT_SIM_SHARD"
	envParallel = "WEFT_SIM_PARALLEL"
	envTrace    = "WEFT_SIM_TRACE"
	envStrict   = "WEFT_SIM_STRICTREPLAY"
	envShrink   = "WEFT_SIM_SHRINK"

	// DefaultSeeds is how many seeds sim.Test explores by default.
	DefaultSeeds = 100
)

// settings is the parsed form of the knobs.
type settings struct {
	seeds    []seedRange // -sim.seed
	count    int
	strategy Strategy
	stratSet bool
	explore  bool
	replay   string
	check    bool
	budget   time.Duration
	shard    shard
	parallel int
	traceDir string
	strict   bool          // -sim.strictreplay
	shrink   time.Duration // -sim.shrink: 0 the default, < 0 off
}

// Bounds of the knobs: a value outside them is an error, not a run that
// takes for ever.
const (
	// MaxSeeds is the largest -sim.seeds.
	MaxSeeds = 1_000_000_000
	// MaxParallel is the largest -sim.parallel (and Parallel's n).
	MaxParallel = 256
)

// lookupFunc reads one knob: its value, where it was found (the flag as
// "-sim.seeds" or the variable's name) and whether it was given at all.
type lookupFunc func(flagName, envName string) (value, source string, given bool)

// commandLine reads a knob from the flags given on the command line, then
// from the environment.
func commandLine(flagName, envName string) (string, string, bool) {
	given := false
	var v string
	flag.Visit(func(f *flag.Flag) {
		if f.Name == flagName {
			given, v = true, f.Value.String()
		}
	})
	if given {
		return v, "-" + flagName, true
	}
	v, ok := os.LookupEnv(envName)
	return v, envName, ok
}

// parseSettings reads every knob through lookup. A value that is given but
// empty, malformed or out of range is an error naming the flag or variable,
// the value and what it accepts; never a silent default.
func parseSettings(lookup lookupFunc) (settings, error) {
	s := settings{count: DefaultSeeds, strategy: Random(), shard: shard{1, 1}}
	knob := func(name, env, want string, parse func(v string) error) error {
		v, src, ok := lookup(name, env)
		if !ok {
			return nil
		}
		if strings.TrimSpace(v) == "" {
			if want == "" {
				want = "a strategy"
			}
			return fmt.Errorf("sim: %s is given but empty; want %s, or leave it unset", src, want)
		}
		if err := parse(strings.TrimSpace(v)); err != nil {
			if want == "" { // the parser's error says what it wants
				return fmt.Errorf("sim: %s=%q: %s", src, v, strings.TrimPrefix(err.Error(), "sim: "))
			}
			return fmt.Errorf("sim: %s=%q: %w; want %s", src, v, err, want)
		}
		return nil
	}
	count := func(dst *int, hi int) func(string) error {
		return func(v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			switch {
			case err != nil:
				return errors.New("not an integer")
			case n < 1 || n > int64(hi):
				return errors.New("out of range")
			}
			*dst = int(n)
			return nil
		}
	}
	boolean := func(dst *bool) func(string) error {
		return func(v string) (err error) {
			if *dst, err = strconv.ParseBool(v); err != nil {
				return errors.New("not a boolean")
			}
			return nil
		}
	}
	errs := []error{
		knob("sim.seed", envSeed, "N, A-B or a comma-separated list of them (seeds are unsigned 64-bit)",
			func(v string) (err error) { s.seeds, err = parseSeedSpec(v); return }),
		knob("sim.seeds", envSeeds, fmt.Sprintf("a seed count from 1 to %d", MaxSeeds), count(&s.count, MaxSeeds)),
		knob("sim.strategy", envStrategy, "",
			func(v string) (err error) {
				s.strategy, err = ParseStrategy(v)
				s.stratSet = err == nil
				return
			}),
		knob("sim.explore", envExplore, "true or false", boolean(&s.explore)),
		knob("sim.replay", envReplay, "the path of a replay file", func(v string) error { s.replay = v; return nil }),
		knob("sim.checkdeterminism", envCheck, "true or false", boolean(&s.check)),
		knob("sim.time", envTime, "a positive duration such as 30s", func(v string) error {
			d, err := time.ParseDuration(v)
			switch {
			case err != nil:
				return errors.New("not a duration")
			case d <= 0:
				return errors.New("not positive")
			}
			s.budget = d
			return nil
		}),
		knob("sim.shard", envShard, "K/N with 1 <= K <= N, or N alone with the index in "+envJobIndex,
			func(v string) (err error) { s.shard, err = parseShardIndexed(v, lookup); return }),
		knob("sim.parallel", envParallel, fmt.Sprintf("a goroutine count from 1 to %d", MaxParallel), count(&s.parallel, MaxParallel)),
		knob("sim.trace", envTrace, "a directory for trace files", func(v string) error { s.traceDir = v; return nil }),
		knob("sim.strictreplay", envStrict, "true or false", boolean(&s.strict)),
		knob("sim.shrink", envShrink, "a positive duration such as 10s, on or off", func(v string) (err error) { s.shrink, err = parseShrink(v); return }),
	}
	for _, err := range errs {
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

// freshSeed draws the first seed of an exploration from the system's
// randomness: exploring is the one place where weft wants a new run each
// time, and it prints the seed so the run can be replayed.
func freshSeed() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("sim: reading system randomness for -sim.explore: " + err.Error())
	}
	return binary.LittleEndian.Uint64(b[:]) >> 1 // leaves room to count up
}
