package sim

import (
	"crypto/rand"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// The knobs of sim.Test, each a flag and an environment variable; a flag
// given on the command line wins over the variable.
var (
	flagSeed     = flag.String("sim.seed", "", "run only this seed (replays a failure); env "+envSeed)
	flagSeeds    = flag.String("sim.seeds", "", "number of seeds each sim.Test explores (default 100); env "+envSeeds)
	flagStrategy = flag.String("sim.strategy", "", "scheduling strategy: fifo, random, pct, pct:DEPTH, pct:DEPTH:HORIZON; env "+envStrategy)
	flagExplore  = flag.Bool("sim.explore", false, "explore fresh random seeds instead of the stable default ones; env "+envExplore)
)

const (
	envSeed     = "WEFT_SIM_SEED"
	envSeeds    = "WEFT_SIM_SEEDS"
	envStrategy = "WEFT_SIM_STRATEGY"
	envExplore  = "WEFT_SIM_EXPLORE"

	// DefaultSeeds is how many seeds sim.Test explores by default.
	DefaultSeeds = 100
)

// settings is the parsed form of the knobs.
type settings struct {
	seed     uint64
	seedSet  bool
	seeds    int
	strategy Strategy
	stratSet bool
	explore  bool
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
	s := settings{seeds: DefaultSeeds, strategy: Random()}
	if v, ok := lookup("sim.seed", envSeed); ok && v != "" {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 0, 64)
		if err != nil {
			return s, fmt.Errorf("sim: -sim.seed=%q (or %s): not an unsigned integer", v, envSeed)
		}
		s.seed, s.seedSet = n, true
	}
	if v, ok := lookup("sim.seeds", envSeeds); ok && v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return s, fmt.Errorf("sim: -sim.seeds=%q (or %s): want a positive integer", v, envSeeds)
		}
		s.seeds = n
	}
	if v, ok := lookup("sim.strategy", envStrategy); ok && v != "" {
		st, err := ParseStrategy(v)
		if err != nil {
			return s, err
		}
		s.strategy, s.stratSet = st, true
	}
	if v, ok := lookup("sim.explore", envExplore); ok && v != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return s, fmt.Errorf("sim: -sim.explore=%q (or %s): want true or false", v, envExplore)
		}
		s.explore = b
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
	return binary.LittleEndian.Uint64(b[:])
}
