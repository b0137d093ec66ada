package kernel

import "sync/atomic"

// waitState is a lead waiter's state word: generation<<2 | waiting, woken
// or abandoned. In production several goroutines race for it, so it is an
// atomic; in a simulation one task runs at a time (S2) and every access
// comes from the simulation's coroutines in turn, so it is a plain word
// and a grant costs no locked instruction.
type waitState struct {
	shared  atomic.Uint64
	plain   uint64
	virtual bool
}

// reset starts a new generation in mode virtual; the generation carries
// over when a waiter changes mode, so a stale timer still cannot match it.
func (s *waitState) reset(virtual bool) {
	next := (s.load()>>2 + 1) << 2
	if s.virtual != virtual {
		// Written only on a change: a production timer that fires late
		// reads the mode while the task starts its next wait.
		s.virtual = virtual
	}
	if virtual {
		s.plain = next | waiting
	} else {
		s.shared.Store(next | waiting)
	}
}

func (s *waitState) load() uint64 {
	if s.virtual {
		return s.plain
	}
	return s.shared.Load()
}

func (s *waitState) cas(old, new uint64) bool {
	if !s.virtual {
		return s.shared.CompareAndSwap(old, new)
	}
	if s.plain != old {
		return false
	}
	s.plain = new
	return true
}
