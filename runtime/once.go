package runtime

import (
	"context"

	"github.com/weftsim/weft/internal/kernel"
)

// Once runs a function once, like sync.Once, but callers that arrive while
// the function runs park (it may itself wait) and honour ctx. The zero
// value is ready to use.
type Once struct {
	mu      lock
	done    bool
	running bool
	waiters kernel.WaitQueue
}

// Do calls f if no call of Do has completed it yet, and otherwise waits for
// the call in progress. Like sync.Once, a panic in f counts as done. If the
// task running f is dropped (aborted, shut down), f did not complete: one
// waiting caller runs it instead. If ctx ends while waiting, Do returns
// ctx.Err() without calling f.
func (o *Once) Do(ctx context.Context, f func(ctx context.Context)) error {
	cur := begin(ctx)
	cur.Point("Once.Do") // S2 (revised)
	o.mu.Lock()
	o.mu.home.check(cur, "Once")
	for o.running {
		w := cur.Waiter(kernel.Reason{Op: "Once.Do"})
		o.waiters.PushBack(w)
		o.mu.Unlock()
		if err := cur.Executor().Park(ctx, w); err != nil { // see kernel.LeaveQueue
			kernel.LeaveQueue(&o.mu, &o.waiters, w)
			return kernel.Resume(cur, err)
		}
		o.mu.Lock()
	}
	if o.done {
		o.mu.Unlock()
		return nil
	}
	o.running = true
	o.mu.Unlock()
	defer func() {
		r := recover()
		o.mu.Lock()
		o.running = false
		if kernel.IsDropSignal(r) {
			o.waiters.WakeOne() // f did not complete: a waiter takes over
		} else {
			o.done = true
			o.waiters.WakeAll()
		}
		o.mu.Unlock()
		if r != nil {
			panic(r)
		}
	}()
	f(ctx)
	return nil
}

// OnceValue returns a function that calls f once and returns its results
// on every call, waiting (task-aware) for a call in progress.
func OnceValue[T any](f func(ctx context.Context) (T, error)) func(ctx context.Context) (T, error) {
	var (
		once Once
		v    T
		err  error
	)
	return func(ctx context.Context) (T, error) {
		if werr := once.Do(ctx, func(ctx context.Context) { v, err = f(ctx) }); werr != nil {
			var zero T
			return zero, werr
		}
		return v, err
	}
}

// Barrier makes n tasks wait for each other: each Wait parks until n calls
// are waiting, then all return together and the barrier resets for the
// next round.
type Barrier struct {
	mu      lock
	n       int
	count   int
	waiters kernel.WaitQueue
}

// NewBarrier returns a barrier for n tasks.
func NewBarrier(n int) *Barrier {
	if n < 1 {
		panic("runtime: NewBarrier needs n >= 1")
	}
	return &Barrier{n: n}
}

// Wait waits until n tasks are waiting. Exactly one of each round's callers
// (the last to arrive) gets leader == true. If ctx ends first it returns
// ctx.Err() and no longer counts towards the round.
func (b *Barrier) Wait(ctx context.Context) (leader bool, err error) {
	cur := begin(ctx)
	cur.Point("Barrier.Wait") // S2 (revised)
	b.mu.Lock()
	b.mu.home.check(cur, "Barrier")
	b.count++
	if b.count == b.n {
		b.count = 0
		b.waiters.WakeAll()
		b.mu.Unlock()
		return true, nil
	}
	w := cur.Waiter(kernel.Reason{Op: "Barrier.Wait"})
	b.waiters.PushBack(w)
	b.mu.Unlock()
	err = cur.Executor().Park(ctx, w) // see kernel.LeaveQueue
	if err == nil || kernel.LeaveQueue(&b.mu, &b.waiters, w) {
		// Released with the round; a drop after that only unwinds.
		return false, kernel.Resume(cur, err)
	}
	b.mu.Lock()
	b.count--
	b.mu.Unlock()
	return false, kernel.Resume(cur, err)
}
