package runtime

import (
	"context"
	"sync"

	"github.com/weftsim/weft/internal/kernel"
)

// Semaphore is a task-aware weighted semaphore. Requests are served in
// arrival order (S30): a large request at the head of the queue holds back
// smaller ones behind it, so it cannot starve.
type Semaphore struct {
	mu      lock
	size    int64
	held    int64
	waiters kernel.WaitQueue // Data: *semWait
	rw      *rwOwners        // an RWMutex's: who holds it (simulation)
}

// NewSemaphore returns a semaphore with n permits.
func NewSemaphore(n int64) *Semaphore {
	if n < 0 {
		panic("runtime: NewSemaphore with a negative size")
	}
	return &Semaphore{size: n}
}

// Acquire takes n permits, waiting until they are free and every earlier
// request has been served. If ctx ends first it returns ctx.Err() and leaves
// the semaphore unchanged (S20). It panics if n exceeds the semaphore's size,
// which no wait could satisfy.
func (s *Semaphore) Acquire(ctx context.Context, n int64) error {
	return s.acquire(ctx, n, "Semaphore.Acquire")
}

func (s *Semaphore) acquire(ctx context.Context, n int64, op string) error {
	cur := begin(ctx)
	cur.Point(op) // S2 (revised)
	s.mu.Lock()
	s.mu.home.check(cur, "Semaphore")
	if n < 0 || n > s.size {
		s.mu.Unlock()
		panic("runtime: " + op + " of a weight outside 0..size; no release could ever satisfy it")
	}
	if s.size-s.held >= n && s.waiters.Len() == 0 {
		s.held += n
		s.took(cur, n)
		s.mu.Unlock()
		return nil
	}
	w := cur.Waiter(kernel.Reason{Op: op})
	w.Data = &semWait{n: n, s: s}
	s.waiters.PushBack(w)
	s.mu.Unlock()
	err := cur.Executor().Park(ctx, w) // see kernel.LeaveQueue
	if err == nil {
		return nil
	}
	granted := kernel.LeaveQueue(&s.mu, &s.waiters, w)
	s.mu.Lock()
	if granted {
		s.held -= n // dropped right after the grant: give it back
		s.gave(cur, n)
	}
	// A request that left the head of the queue may unblock those behind.
	s.grant()
	s.mu.Unlock()
	return kernel.Resume(cur, err)
}

// TryAcquire takes n permits if they are free and nobody waits, and reports
// whether it did. It never waits.
func (s *Semaphore) TryAcquire(n int64) bool { return s.tryAcquire(n, "Semaphore.TryAcquire") }

func (s *Semaphore) tryAcquire(n int64, op string) bool {
	s.mu.point(op)
	s.mu.Lock()
	defer s.mu.Unlock()
	if n >= 0 && s.size-s.held >= n && s.waiters.Len() == 0 {
		s.held += n
		s.took(s.running(), n)
		return true
	}
	return false
}

// Release returns n permits and serves waiting requests in order. It panics
// if more permits are released than are held.
func (s *Semaphore) Release(n int64) { s.release(n, "Semaphore.Release") }

func (s *Semaphore) release(n int64, op string) {
	s.mu.Lock()
	if n < 0 || n > s.held {
		s.mu.Unlock()
		panic("runtime: Semaphore.Release of more permits than are held; release what you acquired")
	}
	s.held -= n
	s.gave(s.running(), n)
	s.grant()
	s.mu.Unlock()
	s.mu.point(op)
}

// grant serves waiting requests from the head while they fit.
func (s *Semaphore) grant() {
	for w := s.waiters.Front(); w != nil; w = s.waiters.Front() {
		n := w.Data.(*semWait).n
		if s.size-s.held < n {
			return
		}
		s.waiters.Remove(w)
		s.held += n
		if !w.Task.Executor().Unpark(w) {
			s.held -= n // it gave up meanwhile
		} else {
			s.took(w.Task, n)
		}
	}
}

// maxReaders is the permit count of an RWMutex: a writer takes them all.
const maxReaders = 1 << 30

// RWMutex is a task-aware reader/writer lock, fair in arrival order (S30): a
// waiting writer holds back the readers that come after it. The zero value
// is unlocked.
type RWMutex struct {
	once sync.Once
	sem  Semaphore
}

func (rw *RWMutex) init() *Semaphore {
	rw.once.Do(func() { rw.sem.size, rw.sem.rw = maxReaders, new(rwOwners) })
	return &rw.sem
}

// Lock locks rw for writing. If ctx ends first it returns ctx.Err() and rw
// is unchanged.
func (rw *RWMutex) Lock(ctx context.Context) error {
	return rw.init().acquire(ctx, maxReaders, "RWMutex.Lock")
}

// RLock locks rw for reading. If ctx ends first it returns ctx.Err() and
// rw is unchanged.
func (rw *RWMutex) RLock(ctx context.Context) error {
	return rw.init().acquire(ctx, 1, "RWMutex.RLock")
}

// TryLock locks rw for writing if that needs no wait.
func (rw *RWMutex) TryLock() bool { return rw.init().tryAcquire(maxReaders, "RWMutex.TryLock") }

// TryRLock locks rw for reading if that needs no wait.
func (rw *RWMutex) TryRLock() bool { return rw.init().tryAcquire(1, "RWMutex.TryRLock") }

// Unlock unlocks a write lock. It panics if rw is not locked for writing.
func (rw *RWMutex) Unlock() {
	s := rw.init()
	s.mu.Lock()
	if s.held != maxReaders {
		s.mu.Unlock()
		panic("runtime: RWMutex.Unlock of an RWMutex not locked for writing")
	}
	s.mu.Unlock()
	s.release(maxReaders, "RWMutex.Unlock")
}

// RUnlock unlocks one read lock. It panics if rw is not locked for reading.
func (rw *RWMutex) RUnlock() {
	s := rw.init()
	s.mu.Lock()
	if s.held == 0 || s.held == maxReaders {
		s.mu.Unlock()
		panic("runtime: RWMutex.RUnlock of an RWMutex not locked for reading")
	}
	s.mu.Unlock()
	s.release(1, "RWMutex.RUnlock")
}
