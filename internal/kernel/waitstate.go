package kernel

import "sync/atomic"

// waitState is a lead waiter's state word: generation<<2 | waiting, woken
// or abandoned. In production several goroutines race for it, so it lives
// in shared, an atomic; in a simulation one task runs at a time (S2) and
// every access comes from the simulation's coroutines in turn, so it lives
// in plain, marked with simulated, and a grant costs no locked instruction.
// A production waiter never writes plain, so a production timer firing
// late may read it while the task opens its next wait.
type waitState struct {
	plain  uint64 // simulated | the state, or 0 in production
	shared atomic.Uint64
}

const simulated = 1 << 63

// reset starts a new generation, in a simulation if virtual. The
// generation carries over when a waiter changes mode (a fresh Outside
// waiter), so a stale timer still cannot match it.
func (s *waitState) reset(virtual bool) {
	next := (s.load()>>2 + 1) << 2
	if virtual {
		s.plain = simulated | next | waiting
		return
	}
	if s.plain != 0 {
		s.plain = 0
	}
	s.shared.Store(next | waiting)
}

func (s *waitState) load() uint64 {
	if p := s.plain; p != 0 {
		return p &^ simulated
	}
	return s.shared.Load()
}

func (s *waitState) cas(old, new uint64) bool {
	p := s.plain
	if p == 0 {
		return s.shared.CompareAndSwap(old, new)
	}
	if p&^simulated != old {
		return false
	}
	s.plain = simulated | new
	return true
}

// finish moves the open wait, of whatever generation, to to (woken or
// abandoned) and reports whether it did. Generation 0 is a waiter that
// never opened a wait: there is nothing to finish.
func (s *waitState) finish(to uint64) bool {
	for {
		old := s.load()
		if old&3 != waiting || old>>2 == 0 {
			return false
		}
		if s.cas(old, old&^3|to) {
			return true
		}
	}
}
