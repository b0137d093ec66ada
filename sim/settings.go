package sim

import (
	"crypto/rand"
	"encoding/binary"
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
	_ = flag.String("sim.strategy", "", "scheduling strategy: fifo, random, pct, pct:DEPTH, pct:DEPTH:HORIZON; env "+envStrategy)
	_ = flag.Bool("sim.explore", false, "explore fresh random seeds instead of the stable default ones; env "+envExplore)
	_ = flag.String("sim.replay", "", "replay this replay file only; env "+envReplay)
	_ = flag.Bool("sim.checkdeterminism", false, "run every seed twice and compare the runs; env "+envCheck)
	_ = flag.String("sim.time", "", "explore for this wall-clock budget (e.g. 30s) instead of a seed count; env "+envTime)
	_ = flag.String("sim.shard", "", "run only shard K of N of the seeds (K/N); env "+envShard)
	_ = flag.String("sim.parallel", "", "explore seeds on this many goroutines (tests whose body allows it); env "+envParallel)
	_ = flag.String("sim.trace", "", "write every run's trace (Perfetto JSON and an HTML timeline) into this directory; env "+envTrace)
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
}

// lookupFunc reads one knob: a value and whether it was given.
type lookupFunc func(flagName, envName string) (string, bool)

// commandLine reads a knob from the flags given on the command line, then
// from the environment.
func commandLine(flagName, envName string) (string, bool) {
	given := false
	var v string
	flag.Visit(func(f *flag.Flag) {
		if f.Name == flagName {
			given, v = true, f.Value.String()
		}
	})
	if given {
		return v, true
	}
	return os.LookupEnv(envName)
}

// parseSettings reads every knob through lookup. A malformed value is an
// error naming the knob, never a silent default.
func parseSettings(lookup lookupFunc) (settings, error) {
	s := settings{count: DefaultSeeds, strategy: Random(), shard: shard{1, 1}}
	knob := func(name, env string, parse func(v string) error) error {
		v, ok := lookup(name, env)
		if !ok || v == "" {
			return nil
		}
		if err := parse(strings.TrimSpace(v)); err != nil {
			return fmt.Errorf("sim: -%s=%q (or %s): %w", name, v, env, err)
		}
		return nil
	}
	positive := func(dst *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("want a positive integer")
			}
			*dst = n
			return nil
		}
	}
	boolean := func(dst *bool) func(string) error {
		return func(v string) (err error) {
			if *dst, err = strconv.ParseBool(v); err != nil {
				return fmt.Errorf("want true or false")
			}
			return nil
		}
	}
	errs := []error{
		knob("sim.seed", envSeed, func(v string) (err error) { s.seeds, err = parseSeedSpec(v); return }),
		knob("sim.seeds", envSeeds, positive(&s.count)),
		knob("sim.strategy", envStrategy, func(v string) (err error) {
			s.strategy, err = ParseStrategy(v)
			s.stratSet = err == nil
			return
		}),
		knob("sim.explore", envExplore, boolean(&s.explore)),
		knob("sim.replay", envReplay, func(v string) error { s.replay = v; return nil }),
		knob("sim.checkdeterminism", envCheck, boolean(&s.check)),
		knob("sim.time", envTime, func(v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("want a positive duration such as 30s")
			}
			s.budget = d
			return nil
		}),
		knob("sim.shard", envShard, func(v string) (err error) { s.shard, err = parseShard(v); return }),
		knob("sim.parallel", envParallel, positive(&s.parallel)),
		knob("sim.trace", envTrace, func(v string) error { s.traceDir = v; return nil }),
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
