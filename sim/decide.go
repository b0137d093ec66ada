package sim

import (
	"fmt"
	"unsafe"

	"github.com/weftsim/weft/internal/kernel"
)

// DecisionSource supplies every choice a simulation makes: which runnable
// task runs next, how timers due at the same instant are ordered, PCT's
// priorities, which ready Select case wins. By default it is a PCG seeded
// by WithSeed; WithDecisions substitutes another, so that a property-testing
// engine (package simrapid) or a fuzzer (Fuzz) can drive — and shrink — the
// schedule.
type DecisionSource interface {
	// IntN returns a number in [0, n); n >= 2.
	IntN(n int) int
	// Uint64 returns a raw 64-bit value (tie-breakers, priorities).
	Uint64() uint64
}

// WithDecisions makes src the source of every decision, instead of the
// seeded PRNG. The seed then only labels the run.
//
//go:norace
func WithDecisions(src DecisionSource) Option {
	return func(c *config) { c.source = src }
}

// WithRecording keeps every decision of the run in Result.Decisions, from
// which Result.Replay makes a replay file.
//
//go:norace
func WithRecording() Option {
	return func(c *config) { c.record, c.recordCap = true, 0 }
}

// recordingUpTo records at most limit decisions: sim.Test records every run
// it explores, so that a failing one can be written out without running it
// again, but a huge run should not hold its decisions in memory; one that
// exceeds the limit is run again, recording everything, if it fails.
//
//go:norace
func recordingUpTo(limit int) Option {
	return func(c *config) { c.record, c.recordCap = true, limit }
}

// Decision is one recorded decision: a choice among N options (N >= 2),
// or, with N == 0, a raw 64-bit draw.
type Decision struct {
	N int
	V uint64
}

//go:norace
func (d Decision) String() string {
	if d.N == 0 {
		return fmt.Sprintf("r%x", d.V)
	}
	return fmt.Sprintf("%d/%d", d.V, d.N)
}

// DivergenceError reports a replay that did not follow its recording: at
// decision Index the program asked for something else than the recording
// holds, so the program (or weft) changed since the recording, or the
// program is not deterministic.
type DivergenceError struct {
	Index int      // the decision at which the replay left the recording
	Step  uint64   // the scheduling step at that point
	Want  Decision // what the recording holds (N == -1: nothing, it ended)
	Got   int      // options the program offered (0: a raw draw; -1: it ended)
}

//go:norace
func (e *DivergenceError) Error() string {
	if e.Want.N == -1 {
		return fmt.Sprintf("sim: replay diverged at decision %d (step %d): the recording ended, the run asked for more", e.Index, e.Step)
	}
	if e.Got == -1 {
		return fmt.Sprintf("sim: replay diverged at decision %d (step %d): the run ended, the recording holds more (%v next)", e.Index, e.Step, e.Want)
	}
	return fmt.Sprintf("sim: replay diverged at decision %d (step %d): recorded %v, the run asked for a choice among %d", e.Index, e.Step, e.Want, e.Got)
}

// decider makes, and optionally records or replays, a run's decisions.
type decider struct {
	src      DecisionSource
	record   bool
	cap      int  // record at most this many (0: no limit)
	overflow bool // the cap was passed: the log is incomplete, dropped
	log      []Decision
	replay   []Decision
	pos      int
	div      *DivergenceError
	// lenient replays treat the recording as an input (see reinterpret):
	// drift notes where the run first left it, and the run goes on.
	lenient bool
	drift   *DivergenceError
	step    func() uint64
	// digest folds in every decision as it is made (a multiply-add per
	// decision, on a field of its own so that it does not wait on the
	// trace's); Result.Hash combines it with the trace's hash.
	digest uint64
	// srcPanic is a panic raised by a foreign source (rapid aborts a test
	// case by panicking inside a draw). The run stops at the next step,
	// shuts down cleanly, and Run re-raises it on its caller's goroutine.
	srcPanic any
}

// guarded calls a foreign source, catching its panics.
//
//go:norace
func (d *decider) guarded(f func() uint64) (v uint64) {
	if d.srcPanic != nil {
		return 0
	}
	// A foreign source keeps state that the driver and the tasks all
	// write: the race detector sees its draws ordered, and so the
	// goroutines that draw (S2a; a race build only).
	kernel.RaceAcquire(unsafe.Pointer(d))
	defer kernel.RaceRelease(unsafe.Pointer(d))
	defer func() {
		if r := recover(); r != nil {
			d.srcPanic = r
			v = 0
		}
	}()
	return f()
}

// pcg is the default DecisionSource: the draws of math/rand/v2's PCG
// seeded with (seed, seed^0x9e3779b97f4a7c15), computed by pcgState (see
// there why not by math/rand/v2 itself).
type pcg struct{ r *pcgState }

//go:norace
func (p pcg) IntN(n int) int { return int(p.r.uint64n(uint64(n))) }

//go:norace
func (p pcg) Uint64() uint64 { return p.r.Uint64() }

//go:norace
func newPCG(seed uint64) pcg { return pcg{&pcgState{hi: seed, lo: seed ^ 0x9e3779b97f4a7c15}} }

// fold mixes a decision into the run's hash: a choice v among n options,
// or with n == 0 a raw draw.
func (d *decider) fold(n int, v uint64) {
	d.digest = d.digest*0x9e3779b97f4a7c15 + (v ^ uint64(n)*0xd6e8feb86659fd93)
}

// intN decides among n options; n <= 1 is no decision at all.
//
//go:norace
func (d *decider) intN(n int) int {
	if n <= 1 {
		return 0
	}
	if d.replay != nil {
		v := d.next(n)
		d.fold(n, v)
		if d.record {
			d.keep(Decision{N: n, V: v})
		}
		return int(v)
	}
	var v int
	if p, ok := d.src.(pcg); ok {
		v = p.IntN(n)
	} else {
		v = int(d.guarded(func() uint64 { return uint64(d.src.IntN(n)) }))
	}
	if v < 0 || v >= n {
		panic(fmt.Sprintf("sim: DecisionSource.IntN(%d) returned %d", n, v))
	}
	d.fold(n, uint64(v))
	if d.record {
		d.keep(Decision{N: n, V: uint64(v)})
	}
	return v
}

// uint64 draws a raw value.
//
//go:norace
func (d *decider) uint64() uint64 {
	if d.replay != nil {
		v := d.next(0)
		d.fold(0, v)
		if d.record {
			d.keep(Decision{V: v})
		}
		return v
	}
	var v uint64
	if p, ok := d.src.(pcg); ok {
		v = p.Uint64()
	} else {
		v = d.guarded(d.src.Uint64)
	}
	d.fold(0, v)
	if d.record {
		d.keep(Decision{V: v})
	}
	return v
}

// keep records d, up to the cap; past it, recording stops and the log is
// dropped (overflow).
//
//go:norace
func (d *decider) keep(dec Decision) {
	if d.overflow {
		return
	}
	if d.cap > 0 && len(d.log) >= d.cap {
		d.overflow, d.log = true, nil
		return
	}
	d.log = append(d.log, dec)
}

// next takes the next recorded decision, noting the first divergence.
//
//go:norace
func (d *decider) next(n int) uint64 {
	if d.div != nil {
		return 0
	}
	if d.lenient {
		return d.reinterpret(n)
	}
	if d.pos >= len(d.replay) {
		d.div = &DivergenceError{Index: d.pos, Step: d.step(), Want: Decision{N: -1}, Got: n}
		return 0
	}
	want := d.replay[d.pos]
	if want.N != n || (n > 0 && want.V >= uint64(n)) {
		d.div = &DivergenceError{Index: d.pos, Step: d.step(), Want: want, Got: n}
		return 0
	}
	d.pos++
	return want.V
}
