package sim

import "context"

// horizonEstimate gives the PCT runs of an exploration (Test) the horizon
// their strategy leaves open: the length of a first run of the program
// under PCT(1), measured once, so that a parallel exploration gives every
// seed the horizon a sequential one does (see PCT). Each run's
// Result.Strategy names the horizon it used, so a replay never depends on
// the estimate.
type horizonEstimate struct {
	steps int // 0 until probe ran
}

// strategy returns s with the estimate, if s is a PCT strategy without a
// horizon.
//
//go:norace
func (h *horizonEstimate) strategy(s Strategy) Strategy {
	if s.kind == kindPCT && s.horizon == 0 {
		s.horizon = max(h.steps, 1)
	}
	return s
}

// probe is the run that makes the estimate: seed under PCT(1), which has
// no change points and so needs no horizon. It is an ordinary run of the
// exploration (reported if it fails). ok is false when s needs no probe.
//
//go:norace
func (h *horizonEstimate) probe(s Strategy, seed uint64, body func(context.Context) error, opts []Option) (res Result, ok bool) {
	if s.kind != kindPCT || s.horizon != 0 {
		return Result{}, false
	}
	run := append(opts[:len(opts):len(opts)], WithSeed(seed), WithStrategy(PCT(1).PCTHorizon(1)), recordingUpTo(recordLimit))
	res = Run(body, run...)
	h.steps = int(res.Steps)
	return res, true
}
