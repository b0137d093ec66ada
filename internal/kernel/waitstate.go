package kernel

import "sync/atomic"

// waitState is a lead waiter's state: the generation of its current wait,
// and whether that wait has ended.
//
// In production several goroutines race to end a wait, so its end is a
// counter in shared, an atomic: the wait of generation g is open while
// shared reads g, and whoever ends it (a grant, the task giving up, Abort)
// moves shared from g to g+1, which is at once the generation of the
// task's next wait. Opening a wait is therefore a read, not a write: the
// task keeps the generation it read in local (its own word: grantors read
// it under the primitive's lock, after the task queued the waiter), and a
// wait costs one locked instruction, the CAS that ends it. Generation 0
// means "never waited": the first wait stores 1, which publishes the
// task's wake channel to Task.AbortWait.
//
// In a simulation one task runs at a time (S2) and every access comes from
// the simulation's coroutines in turn, so local alone holds simulated |
// gen<<1 | ended, and an end costs no locked instruction.
//
// Its methods, and the Waiter's that read or write a wait's state, are
// go:norace: a simulation's scheduler ends waits from goroutines that have
// no happens-before edge with the task's (a race build shows the detector
// only the program's own edges, S2a), so the detector must not see them.
// Production's shared word is an atomic, which the detector sees anyway.
type waitState struct {
	local  uint64
	shared atomic.Uint64 // production only
}

const (
	simulated = 1 << 63
	ended     = 1
	// abortMark is set on a production counter by the end Abort made
	// (Task.AbortWait) until the task has taken its token.
	abortMark = 1 << 62
)

// open starts the waiter's next wait, in a simulation if virtual.
//
//go:norace
func (s *waitState) open(virtual bool) {
	if virtual {
		if l := s.local; l != 0 {
			s.local = (l | ended) + 1 // gen+1, not ended
		} else {
			s.local = simulated | 1<<1
		}
		return
	}
	g := s.shared.Load()
	if g == 0 {
		g = 1
		s.shared.Store(g)
	}
	s.local = g
}

// gen returns the generation of the current (or last) wait.
//
//go:norace
func (s *waitState) gen() uint64 {
	if l := s.local; l&simulated != 0 {
		return l >> 1 &^ (simulated >> 1)
	}
	return s.local
}

// waiting reports whether the current wait is still open.
//
//go:norace
func (s *waitState) waiting() bool {
	if l := s.local; l&simulated != 0 {
		return l&ended == 0
	}
	return s.shared.Load() == s.local
}

// end ends the current wait, if it is still open, and reports whether it
// did: exactly one of the parties racing for a wait succeeds.
//
//go:norace
func (s *waitState) end() bool {
	l := s.local
	if l&simulated != 0 {
		if l&ended != 0 {
			return false
		}
		s.local = l | ended
		return true
	}
	return s.shared.CompareAndSwap(l, l+1)
}

// endGen is end for the wait of generation g only (a timer armed for
// it), in a simulation if virtual. In production it reads only shared: a
// timer may fire after its wait is over, while the task opens the next.
//
//go:norace
func (s *waitState) endGen(g uint64, virtual bool) bool {
	if virtual {
		if l := s.local; l != simulated|g<<1 {
			return false
		}
		s.local |= ended
		return true
	}
	return s.shared.CompareAndSwap(g, g+1)
}

// reopen undoes the end of the current wait by its own task
// (Waiter.Unclaim). In production it does nothing if Abort ended the next
// generation meanwhile.
//
//go:norace
func (s *waitState) reopen() {
	l := s.local
	if l&simulated != 0 {
		s.local = l &^ ended
		return
	}
	s.shared.CompareAndSwap(l+1, l)
}
