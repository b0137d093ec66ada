package runtime

import (
	"context"
	"sync/atomic"
	"unsafe"

	"github.com/weftsim/weft/internal/kernel"
)

// Mutex is a task-aware mutual exclusion lock: a task waiting for it parks,
// so a simulation sees the wait (and reports it in a deadlock, naming the
// holder). Waiters get the lock in arrival order (S30): Unlock hands it to
// the first waiter, and nobody barges in. The zero value is unlocked.
//
// A Mutex is not tied to a task: one task may lock it and another unlock
// it, as with sync.Mutex.
type Mutex struct {
	mu lock
	// state is the lock in production (and before the Mutex has a home):
	// mutexHeld and mutexQueued, changed with atomics so that an
	// uncontended Lock/Unlock is one CAS each and never touches mu. In a
	// simulation it stays 0 and locked, guarded by mu alone, holds the lock.
	state   atomic.Uint32
	locked  bool
	holder  *kernel.Task // simulation: the holding task, for deadlock reports
	waiters kernel.WaitQueue
}

const (
	mutexHeld   = 1 << iota
	mutexQueued // waiters may be queued: Unlock must take the slow path
	mutexReady  // its home is a production runtime: the fast path is open
)

// Lock locks m, waiting while it is held. If ctx ends first it returns
// ctx.Err() and m is unchanged: the caller does not hold it (S20).
func (m *Mutex) Lock(ctx context.Context) error {
	cur := ownTask(ctx) // begin, inline
	if cur == nil {
		cur = begin(ctx)
	}
	if !cur.Simulated() && m.state.CompareAndSwap(mutexReady, mutexReady|mutexHeld) {
		return nil
	}
	cur.Point("Mutex.Lock") // S2 (revised): before the op
	// The slow path stays in Lock: a frame less between a waiting task and
	// its switch (see kernel.LeaveQueue).
	m.mu.Lock()
	m.mu.home.check(cur, "Mutex")
	if cur.Simulated() { // m.mu.virtual may not have turned yet (first use)
		if s := m.state.Load(); s != 0 { // TryLock'ed before it had a home
			m.locked = s&mutexHeld != 0
			m.state.Store(0)
		}
		if !m.locked {
			m.locked, m.holder = true, cur
			m.mu.Unlock()
			return nil
		}
	} else if m.takeOrQueue() {
		m.mu.Unlock()
		return nil
	}
	w := cur.Waiter(kernel.Reason{Op: "Mutex.Lock", Task: idOf(m.holder)})
	m.waiters.PushBack(w)    // first: it catches a ctx used by two tasks
	w.Data = (*mutexWait)(m) // for a simulation's cycles of waiting
	m.mu.Unlock()
	err := cur.Executor().Park(ctx, w) // see kernel.LeaveQueue
	if err == nil {
		return nil
	}
	if kernel.LeaveQueue(&m.mu, &m.waiters, w) { // dropped right after the hand-over: pass it on
		m.unlock()
	}
	return kernel.Resume(cur, err)
}

// takeOrQueue takes a production Mutex if it is free, or marks it queued
// so that Unlock will look for the waiter about to be queued. m.mu is held.
func (m *Mutex) takeOrQueue() bool {
	for {
		s := m.state.Load()
		if s&mutexHeld == 0 {
			// Free: nobody is queued, since Unlock hands the lock over
			// while anybody is.
			if m.state.CompareAndSwap(s, s|mutexHeld|mutexReady) {
				return true
			}
		} else if s&(mutexQueued|mutexReady) == mutexQueued|mutexReady ||
			m.state.CompareAndSwap(s, s|mutexQueued|mutexReady) {
			// Once queued, only slow paths, under m.mu, change the state.
			return false
		}
	}
}

// TryLock locks m if it is free and nobody waits for it, and reports
// whether it did. It never waits.
func (m *Mutex) TryLock() bool {
	m.mu.point("Mutex.TryLock")
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.virtual {
		if m.locked {
			return false
		}
		m.locked, m.holder = true, nil
		return true
	}
	for {
		s := m.state.Load()
		if s&(mutexHeld|mutexQueued) != 0 {
			return false
		}
		if m.state.CompareAndSwap(s, s|mutexHeld) {
			return true
		}
	}
}

// Unlock unlocks m, handing it to the first waiter if there is one. It
// panics if m is not locked.
func (m *Mutex) Unlock() {
	m.unlock()
	m.mu.point("Mutex.Unlock")
}

func (m *Mutex) unlock() {
	// A production Mutex never turns virtual, so this read does not race.
	if m.mu.virtual {
		// As if under m.mu, for the race detector (S2a).
		kernel.RaceAcquire(unsafe.Pointer(&m.mu))
		if m.locked && m.waiters.Len() == 0 { // one task runs at a time (S2)
			m.locked, m.holder = false, nil
			kernel.RaceRelease(unsafe.Pointer(&m.mu))
			return
		}
	} else if m.state.Load() == mutexReady|mutexHeld &&
		m.state.CompareAndSwap(mutexReady|mutexHeld, mutexReady) {
		return
	}
	m.unlockSlow()
}

func (m *Mutex) unlockSlow() {
	m.mu.Lock()
	defer m.mu.Unlock()
	held := m.locked
	if !m.mu.virtual {
		held = m.state.Load()&mutexHeld != 0
	}
	if !held {
		panic("runtime: Unlock of an unlocked Mutex; pair each Unlock with a successful Lock")
	}
	for w := m.waiters.PopFront(); w != nil; w = m.waiters.PopFront() {
		if w.Task.Executor().Unpark(w) {
			m.holder = w.Task
			if m.waiters.Len() == 0 && !m.mu.virtual {
				m.state.And(^uint32(mutexQueued))
			}
			return
		}
	}
	m.locked, m.holder = false, nil
	if !m.mu.virtual {
		m.state.And(^uint32(mutexHeld | mutexQueued))
	}
}
