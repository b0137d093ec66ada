package runtime

import (
	"context"

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
	mu      lock
	locked  bool
	holder  TaskID // 0 when unlocked or held outside any task
	waiters kernel.WaitQueue
}

// Lock locks m, waiting while it is held. If ctx ends first it returns
// ctx.Err() and m is unchanged: the caller does not hold it (S20).
func (m *Mutex) Lock(ctx context.Context) error {
	cur := begin(ctx)
	m.mu.Lock()
	m.mu.home.check(cur, "Mutex")
	if !m.locked {
		m.locked, m.holder = true, cur.ID()
		m.mu.Unlock()
		return nil
	}
	w := cur.Waiter(kernel.Reason{Op: "Mutex.Lock", Task: m.holder})
	m.waiters.PushBack(w)
	granted, err := kernel.ParkQueued(ctx, cur, &m.mu, &m.waiters, w)
	if err == nil {
		return nil
	}
	if granted { // dropped right after the hand-over: pass it on
		m.Unlock()
	}
	return kernel.Resume(cur, err)
}

// TryLock locks m if it is free and nobody waits for it, and reports
// whether it did. It never waits.
func (m *Mutex) TryLock() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.locked {
		return false
	}
	m.locked, m.holder = true, 0
	return true
}

// Unlock unlocks m, handing it to the first waiter if there is one. It
// panics if m is not locked.
func (m *Mutex) Unlock() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.locked {
		panic("runtime: Unlock of an unlocked Mutex; pair each Unlock with a successful Lock")
	}
	for w := m.waiters.PopFront(); w != nil; w = m.waiters.PopFront() {
		if w.Task.Executor().Unpark(w) {
			m.holder = w.Task.ID()
			return
		}
	}
	m.locked, m.holder = false, 0
}
