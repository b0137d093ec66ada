package runtime

import (
	"context"
	"sync"
	"unsafe"

	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/internal/prod"
)

// caller returns the binding of ctx: the calling task, an Outside binding,
// or plain's Outside binding for a ctx without a runtime.
func caller(ctx context.Context) *kernel.Task {
	if cur := kernel.FromContext(ctx); cur != nil {
		return cur
	}
	return prod.Plain.Outside()
}

// begin is the start of every blocking call of a primitive: it finds the
// caller and makes the call a cancellation point, so an aborted task is
// dropped here even when the call would not wait (S15).
//
// The hot primitives (Chan, Mutex, Select) write its common case inline,
// which the compiler will not do for them (begin with that fast path in it
// costs 89 against the inliner's budget of 80):
//
//	cur := ownTask(ctx)
//	if cur == nil {
//		cur = begin(ctx)
//	}
func begin(ctx context.Context) *kernel.Task {
	cur := caller(ctx)
	kernel.CheckDrop(cur)
	return cur
}

// ownTask returns the task whose own ctx ctx is, unless it was aborted;
// otherwise nil, and the caller goes through begin.
func ownTask(ctx context.Context) *kernel.Task {
	if cur, ok := ctx.(*kernel.Task); ok && !cur.Aborted() {
		return cur
	}
	return nil
}

// lock guards a primitive. In production it is a sync.Mutex. Once the
// primitive belongs to a simulation, where one task runs at a time (S2), it
// stops locking: the flip happens inside Lock, after the real mutex was
// taken and released, so every Lock/Unlock pair agrees on it. A production
// primitive never flips, so the unguarded read of virtual never races.
type lock struct {
	mu      sync.Mutex
	home    home
	virtual bool
}

// Lock and Unlock of a simulated primitive's lock, which does nothing
// else, still order the primitive's operations for the race detector, as
// the lock does in production (S2a).
//
//go:norace
func (l *lock) Lock() {
	if !l.virtual {
		l.lockSlow()
	}
	kernel.RaceAcquire(unsafe.Pointer(l))
}

// lockSlow turns the lock virtual at its first use in a simulation: a
// write the race detector does not see, as every other task reads virtual
// before it locks.
//
//go:norace
func (l *lock) lockSlow() {
	l.mu.Lock()
	if l.home.h != nil && l.home.h.Virtual {
		l.virtual = true
		l.mu.Unlock()
	}
}

//go:norace
func (l *lock) Unlock() {
	kernel.RaceRelease(unsafe.Pointer(l))
	if !l.virtual {
		l.mu.Unlock()
	}
}

// point is the scheduling point of an operation that takes no ctx (S2,
// revised: every operation on a primitive is one in a simulation).
// Only a primitive that belongs to a simulation has one; call it outside
// l, before an operation that may fail without effect (TryLock, TrySend)
// or after one that releases (Unlock, Close). See kernel.Task.Point.
func (l *lock) point(op string) {
	if l.virtual {
		l.home.h.Point(op)
	}
}

// home records the runtime a primitive is used with and refuses a second
// one when either is a simulation (§8): a simulated primitive shared with
// another runtime would let that runtime's goroutines race the seed.
type home struct{ h *kernel.Host }

func (h *home) check(cur *kernel.Task, what string) {
	if !h.accepts(cur) {
		panic(twoRuntimes(what))
	}
}

// accepts records cur's runtime as h's, unless h has another one and
// either is a simulation (§8); it reports whether cur may use the
// primitive.
func (h *home) accepts(cur *kernel.Task) bool {
	host := cur.Host()
	if h.h == host {
		return true
	}
	if h.h != nil && (h.h.Virtual || host.Virtual) {
		return false
	}
	h.h = host
	return true
}

// twoRuntimes is the message of the panic when a primitive is used by two
// runtimes, one of them simulated.
func twoRuntimes(what string) string {
	return "runtime: " + what + " used by two runtimes, one of them simulated; give each simulation its own primitives"
}
