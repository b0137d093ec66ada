package runtime

import "github.com/weftsim/weft/internal/kernel"

// A simulation reports a cycle of waiting the moment it forms, following
// from each parked task the tasks its wait waits for (kernel.Blockers):
// a Mutex's holder; an RWMutex's writer or readers and the requests queued
// ahead. A Semaphore's permits have no owner, so its waits name nobody.

// idOf returns t's ID, or 0 for no task.
//
//go:norace
func idOf(t *kernel.Task) TaskID {
	if t == nil {
		return 0
	}
	return t.ID()
}

// mutexWait is the Data of a wait for a Mutex.
type mutexWait Mutex

//go:norace
func (m *mutexWait) Blockers(_ *kernel.Waiter, buf []*kernel.Task) []*kernel.Task {
	if m.holder != nil {
		buf = append(buf, m.holder)
	}
	return buf
}

// semWait is the Data of a wait for a Semaphore (or RWMutex): the weight
// asked for.
type semWait struct {
	n int64
	s *Semaphore
}

//go:norace
func (sw *semWait) Blockers(w *kernel.Waiter, buf []*kernel.Task) []*kernel.Task {
	o := sw.s.rw
	if o == nil {
		return buf
	}
	if o.writer != nil {
		buf = append(buf, o.writer)
	}
	if !o.lost && sw.n == maxReaders { // readers hold back writers only
		for _, r := range o.readers { // element by element: a bulk copy is seen by the race detector
			buf = append(buf, r)
		}
	}
	for a := sw.s.waiters.Front(); a != nil && a != w; a = a.Next() {
		buf = append(buf, a.Task)
	}
	return buf
}

// rwOwners tracks who holds an RWMutex in a simulation: the writer, or
// the readers (lost once a read lock was released by a task that did not
// take it, until no reader is left).
type rwOwners struct {
	writer  *kernel.Task
	readers []*kernel.Task
	lost    bool
}

// running returns the running task of a simulated s, which calls that take
// no ctx (TryAcquire, Release) are made by; nil otherwise.
//
//go:norace
func (s *Semaphore) running() *kernel.Task {
	if s.simulatedRW() {
		return s.mu.home.h.Exec.Current()
	}
	return nil
}

// simulatedRW reports whether s is an RWMutex's, in a simulation.
//
//go:norace
func (s *Semaphore) simulatedRW() bool {
	h := s.mu.home.h
	return s.rw != nil && h != nil && h.Virtual
}

// took records that t took n permits of a simulated RWMutex.
//
//go:norace
func (s *Semaphore) took(t *kernel.Task, n int64) {
	o := s.rw
	if !s.simulatedRW() || n == 0 {
		return
	}
	switch {
	case t == nil:
		o.lost = true
	case n == maxReaders:
		o.writer = t
	default:
		o.readers = append(o.readers, t)
	}
}

// gave records that t gave n permits of a simulated RWMutex back.
//
//go:norace
func (s *Semaphore) gave(t *kernel.Task, n int64) {
	o := s.rw
	if !s.simulatedRW() || n == 0 {
		return
	}
	if n == maxReaders {
		o.writer = nil
		return
	}
	if i := indexOf(o.readers, t); i >= 0 {
		for ; i+1 < len(o.readers); i++ { // no bulk copy: see Blockers
			o.readers[i] = o.readers[i+1]
		}
		o.readers[len(o.readers)-1] = nil
		o.readers = o.readers[:len(o.readers)-1]
	} else {
		o.lost = true
	}
	if s.held == 0 {
		o.readers, o.lost = o.readers[:0], false
	}
}

//go:norace
func indexOf(ts []*kernel.Task, t *kernel.Task) int {
	for i, x := range ts {
		if x == t {
			return i
		}
	}
	return -1
}
