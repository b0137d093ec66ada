package sim

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/runtime"
)

// New returns a runtime whose executor is a simulation configured by opts.
// Drive it with BlockOn, then Shutdown; Run does both and reports.
func New(opts ...Option) *runtime.Runtime {
	return wrap(newExecutor(buildConfig(opts)))
}

func wrap(e *executor) *runtime.Runtime {
	return kernel.NewRuntime(e).(*runtime.Runtime)
}

// Result describes one simulated run.
type Result struct {
	Seed     uint64
	Strategy Strategy
	// Err is the run's failure: f's error or panic (*runtime.PanicError),
	// a *DeadlockError, *StepLimitError, *StuckTaskError, an
	// *UnobservedPanicError (S17), or a *ForeignGoroutineError (S64).
	// Nil if the run passed.
	Err     error
	Steps   uint64        // scheduling decisions taken
	Elapsed time.Duration // virtual time that passed
	Tasks   uint64        // tasks spawned, the root included
	// Hash digests every decision of the run (the schedule, timer ties,
	// Select cases, runtime.Rand, runtime.Buggify and netsim draws) and
	// every event with its operation and outcome: equal seeds give equal
	// hashes (S2, S5), and equal hashes mean the runs took the same
	// decisions and met the same events.
	Hash uint64
	// Events are the last events of the run, oldest first (WithTrace).
	Events []Event
	// Decisions are every decision the run took, with WithRecording.
	Decisions []Decision
	// recorded is false when the run was not recorded whole.
	recorded bool
	// events counts every event of the run; atEvent is the stack captured
	// at WithStackAt's event.
	events  uint64
	atEvent string
	// failEvents are the events up to the failure, when the run went on
	// after it (failpoint.go).
	failEvents []Event
	// failStep and failAt are where the root task's run failed (the
	// shutdown's steps come after).
	failStep uint64
	failAt   time.Duration
	// drift is where a lenient replay first left its recording (nil: it
	// followed it exactly).
	drift *DivergenceError
	// sometimes are the runtime.Sometimes assertions the run evaluated,
	// and whether each held once.
	sometimes map[string]bool

	cfg config
}

// Replay returns r as a replay file for the named test. r must come from a
// run with WithRecording.
func (r Result) Replay(test string) *Replay {
	failure := ""
	if r.Err != nil {
		failure = r.Err.Error()
	}
	return &Replay{
		Test: test, Seed: r.Seed, Strategy: r.Strategy, StepLimit: r.cfg.stepLimit,
		TimeLimit: r.cfg.timeLimit, Start: r.cfg.start, AllowPanics: r.cfg.allowPanics,
		Hash: r.Hash, Failure: failure, Decisions: r.Decisions,
	}
}

// Run runs f as the root task of a fresh simulation, then shuts the
// simulation down (dropping tasks left behind, S16) and reports.
func Run(f func(ctx context.Context) error, opts ...Option) Result {
	e := newExecutor(buildConfig(opts))
	err := wrap(e).BlockOn(f)
	if e.broken.Load() {
		return e.abandoned(err)
	}
	var failEvents []Event
	failStep, failAt := e.steps, e.now
	if err != nil {
		failEvents = e.trace.events() // before the shutdown's events
	}
	if serr := e.Shutdown(0); err == nil {
		err = serr
	}
	if e.broken.Load() {
		return e.abandoned(err)
	}
	if f := e.foreignFailure(); f != nil {
		err = f // S64: caught during the shutdown, too
	}
	if p := e.dec.srcPanic; p != nil {
		panic(p) // the source's own abort (rapid's), now on the caller's goroutine
	}
	if err == nil && !e.cfg.allowPanics {
		if ue := e.unobserved(); ue != nil {
			err, failEvents = ue, ue.events
		}
	}
	var ue *UnobservedPanicError
	if errors.As(err, &ue) && ue.events != nil {
		failEvents = ue.events
	}
	if d := e.dec; d.replay != nil && d.div == nil && d.pos < len(d.replay) {
		left := &DivergenceError{Index: d.pos, Step: e.steps, Want: d.replay[d.pos], Got: -1}
		switch {
		case d.lenient: // an input longer than the run: the rest goes unused
			d.drift = cmp.Or(d.drift, left)
		case err == nil:
			err = left
		}
	}
	return Result{
		Decisions:  e.dec.log,
		failEvents: failEvents,
		failStep:   failStep,
		failAt:     failAt,
		recorded:   e.dec.record && !e.dec.overflow,
		drift:      e.dec.drift,
		sometimes:  e.sometimes,
		cfg:        e.cfg,
		Seed:       e.cfg.seed,
		Strategy:   e.cfg.strategy,
		Err:        err,
		Steps:      e.steps,
		Elapsed:    e.now,
		Tasks:      e.nextID,
		Hash:       e.hash(),
		Events:     e.trace.events(),
		events:     e.trace.n,
		atEvent:    e.probeAt.stack,
	}
}
