package sim

import (
	"fmt"
	"path/filepath"
	goruntime "runtime"
	"time"

	"github.com/weftsim/weft/clock"
)

// Option configures a simulation.
type Option func(*config)

type config struct {
	seed             uint64
	strategy         Strategy
	stepLimit        uint64
	timeLimit        time.Duration
	watchdog         time.Duration
	traceSize        int
	start            time.Time
	allowPanics      bool
	stopOnPanic      bool
	onResult         func(Result) // sim.Test: each explored seed's Result
	expectFailure    bool         // sim.Test: some seed must fail
	strategyGiven    bool
	seedGiven        bool
	source           DecisionSource
	record           bool       // keep Result.Decisions
	recordCap        int        // at most this many (0: all)
	replay           []Decision // follow these decisions
	lenient          bool       // ... as an input, going on where they do not fit
	replayDir        string
	checkDeterminism bool
	perturb          bool   // yield the processor at every step (determinism check)
	stackAt          uint64 // capture a stack at this event, counted from 1 (determinism check)
	parallel         int
	viaDriver        bool     // every step through the driver: no handoff (tests)
	waitSites        bool     // park events record the wait's call site
	traceDir         string   // sim.Test writes every run's trace here
	requireSometimes bool     // RequireSometimes
	expectSometimes  []string // ... these
}

// Defaults of the options below.
const (
	DefaultStepLimit = 10_000_000
	DefaultTimeLimit = 7 * 24 * time.Hour
	DefaultWatchdog  = 10 * time.Second
	DefaultTraceSize = 64
)

func defaults() config {
	return config{
		seed:      1,
		strategy:  Random(),
		stepLimit: DefaultStepLimit,
		timeLimit: DefaultTimeLimit,
		watchdog:  DefaultWatchdog,
		traceSize: DefaultTraceSize,
		start:     clock.Epoch,
		replayDir: filepath.Join("testdata", "sim"),
	}
}

func buildConfig(opts []Option) config {
	c := defaults()
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithSeed sets the seed of the simulation's PRNG, from which every
// scheduling decision is drawn (S5). sim.Test chooses seeds itself unless
// this option is given.
func WithSeed(seed uint64) Option {
	return func(c *config) { c.seed, c.seedGiven = seed, true }
}

// WithStrategy sets the scheduling strategy (default Random).
func WithStrategy(s Strategy) Option {
	return func(c *config) { c.strategy, c.strategyGiven = s, true }
}

// WithStepLimit stops a run with a *StepLimitError after n scheduling steps
// (default DefaultStepLimit); 0 means no limit. Shutting down after the
// limit gets a budget of n steps of its own to drop the tasks.
func WithStepLimit(n uint64) Option {
	return func(c *config) { c.stepLimit = n }
}

// WithTimeLimit stops a run with a *TimeLimitError when virtual time would
// pass d since the start (default DefaultTimeLimit): a run whose timers keep
// it busy for ever, a retry loop without an end. 0 means no limit.
func WithTimeLimit(d time.Duration) Option {
	if d < 0 {
		panic(fmt.Sprintf("sim: WithTimeLimit(%v): a negative limit; use 0 for no limit", d))
	}
	return func(c *config) { c.timeLimit = d }
}

// WithWatchdog sets how long (wall time) a task may run without reaching a
// yield point before the run fails with a *StuckTaskError carrying its stack
// (default DefaultWatchdog); 0 disables the watchdog. An overrun by more
// than 1/64 of d (at least 1 ms), plus the OS's delay in running the
// watchdog, is always reported, even if the task then moves on.
func WithWatchdog(d time.Duration) Option {
	if d < 0 {
		panic(fmt.Sprintf("sim: WithWatchdog(%v): a negative limit; use 0 to disable the watchdog", d))
	}
	return func(c *config) { c.watchdog = d }
}

// WithTrace sets how many of the last events Result.Events keeps (default
// DefaultTraceSize). Every event counts towards Result.Hash regardless.
func WithTrace(n int) Option {
	if n < 0 {
		panic(fmt.Sprintf("sim: WithTrace(%d): a negative number of events; use 0 to keep none", n))
	}
	return func(c *config) { c.traceSize = n }
}

// WithStart sets the virtual instant at which the clock starts (default
// clock.Epoch, S7). Its year must be from 1 to 9999, as a replay file
// writes it (RFC 3339).
func WithStart(t time.Time) Option {
	if y := t.Year(); y < 1 || y > 9999 {
		panic(fmt.Sprintf("sim: WithStart(%v): the year must be from 1 to 9999", t))
	}
	return func(c *config) { c.start = t }
}

// Parallel lets sim.Test explore seeds on n goroutines at once (n <= 0:
// one per processor), each seed its own simulation sharing nothing, as
// t.Parallel lets tests run at once. Use it only when the test body allows
// concurrent runs (it keeps no state outside the simulation). On failure
// the smallest failing seed among those run is reported. A determinism
// check always runs seeds one at a time.
func Parallel(n int) Option {
	if n > MaxParallel {
		panic(fmt.Sprintf("sim: Parallel(%d): more than %d goroutines; each runs a simulation of its own, so a few per processor are enough", n, MaxParallel))
	}
	if n <= 0 {
		n = min(goruntime.GOMAXPROCS(0), MaxParallel)
	}
	return func(c *config) { c.parallel = n }
}

// WithReplayDir sets the directory under which sim.Test keeps replay files,
// one subdirectory per test (default testdata/sim).
func WithReplayDir(dir string) Option {
	return func(c *config) { c.replayDir = dir }
}

// AllowUnobservedPanics relaxes S17: by default a task panic that no Join
// observed fails the run.
func AllowUnobservedPanics() Option {
	return func(c *config) { c.allowPanics = true }
}
