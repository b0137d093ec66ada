package runtime

import (
	"context"
	"sync"

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
// stops locking: the flip happens when the lock adopts a simulation as its
// home (accepts), while the real mutex is held, which it then releases for
// good; every later Lock/Unlock pair sees virtual set. A production
// primitive never flips, so the unguarded read of virtual never races.
type lock struct {
	mu      sync.Mutex
	home    *kernel.Host // the runtime the primitive is used with (§8)
	virtual bool
}

func (l *lock) Lock() {
	if !l.virtual {
		l.mu.Lock()
	}
}

func (l *lock) Unlock() {
	if !l.virtual {
		l.mu.Unlock()
	}
}

// check panics unless cur may use the primitive (accepts). l is held.
func (l *lock) check(cur *kernel.Task, what string) {
	if !l.accepts(cur) {
		panic(twoRuntimes(what))
	}
}

// accepts records cur's runtime as the primitive's home, unless it has
// another one and either is a simulation (§8): a simulated primitive
// shared with another runtime would let that runtime's goroutines race
// the seed. It reports whether cur may use the primitive. l is held.
func (l *lock) accepts(cur *kernel.Task) bool {
	if host := cur.Host(); l.home != host {
		return l.adopt(host)
	}
	return true
}

// adopt is accepts for a runtime other than the recorded home.
func (l *lock) adopt(host *kernel.Host) bool {
	if l.home != nil && (l.home.Virtual || host.Virtual) {
		return false
	}
	l.home = host
	if host.Virtual {
		l.virtual = true // the caller's Unlock leaves the real mutex alone
		l.mu.Unlock()
	}
	return true
}

// twoRuntimes is the message of the panic when a primitive is used by two
// runtimes, one of them simulated.
func twoRuntimes(what string) string {
	return "runtime: " + what + " used by two runtimes, one of them simulated; give each simulation its own primitives"
}

// leaveQueue is the end of a wait that Park ended with an error: it takes
// w off q and reports whether w was granted all the same (the caller undoes
// that grant). The primitives park inline, as
//
//	l.Unlock()
//	if err := cur.Executor().Park(ctx, w); err != nil { granted := leaveQueue(l, q, w) ... }
//
// rather than through kernel.ParkQueued: one frame less between the
// primitive and the task switch is 7 % of a simulated ping-pong.
func leaveQueue(l *lock, q *kernel.WaitQueue, w *kernel.Waiter) bool {
	l.Lock()
	q.Remove(w)
	granted := w.Woken()
	l.Unlock()
	return granted
}
