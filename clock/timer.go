package clock

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// ErrStopped is returned by Timer.Wait and Ticker.Tick once the timer or
// ticker was stopped (and not reset).
var ErrStopped = errors.New("clock: stopped")

// Timer fires once, at a deadline on the clock of the runtime it was made
// with. Unlike time.Timer it has no channel: tasks Wait for it, which is a
// yield point, and any number of them may wait. Once fired, Wait returns at
// once until Reset.
type Timer struct {
	ex kernel.Executor

	mu      sync.Mutex
	tm      kernel.Timer
	pending bool // started and not yet fired or stopped
	fired   bool
	stopped bool
	waiters kernel.WaitQueue
}

// NewTimer returns a timer that fires d from now on ctx's clock: virtual
// time in a simulation, the wall clock otherwise.
func NewTimer(ctx context.Context, d time.Duration) *Timer {
	t := &Timer{ex: executor(ctx)}
	t.tm.Fire = t.fire
	t.start(d)
	return t
}

func (t *Timer) start(d time.Duration) {
	t.tm.When = t.ex.Now().Add(d)
	t.pending, t.fired, t.stopped = true, false, false
	t.ex.StartTimer(&t.tm)
}

func (t *Timer) fire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.pending || t.ex.Now().Before(t.tm.When) {
		// Stopped, or reset to a later deadline, while a production
		// callback was already on its way: not this timer's firing.
		return
	}
	t.pending, t.fired = false, true
	t.waiters.WakeAll()
}

// Deadline returns the instant at which the timer fires (or fired).
func (t *Timer) Deadline() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tm.When
}

// Wait waits until the timer fires; after that it returns nil at once,
// until Reset. It returns ErrStopped if the timer is stopped, before or
// while waiting, and ctx.Err() if ctx ends first.
func (t *Timer) Wait(ctx context.Context) error {
	cur := binding(ctx)
	checkOwner(t.ex, cur, "Timer", "Wait")
	kernel.CheckDrop(cur)
	t.mu.Lock()
	for {
		switch {
		case t.fired:
			t.mu.Unlock()
			return nil
		case t.stopped:
			t.mu.Unlock()
			return ErrStopped
		}
		w := cur.Waiter(kernel.Reason{Op: "clock.Timer.Wait"})
		t.waiters.PushBack(w)
		if _, err := kernel.ParkQueued(ctx, cur, &t.mu, &t.waiters, w); err != nil {
			return kernel.Resume(cur, err)
		}
		t.mu.Lock()
	}
}

// Stop stops the timer and reports whether it was pending (false: it had
// already fired or been stopped). Waiting tasks get ErrStopped.
func (t *Timer) Stop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := t.pending
	if was {
		t.ex.StopTimer(&t.tm)
		t.pending, t.stopped = false, true
		for w := t.waiters.PopFront(); w != nil; w = t.waiters.PopFront() {
			w.Data = ErrStopped // for an OnTimer case; Wait looks at the timer
			w.Task.Executor().Unpark(w)
		}
	}
	return was
}

// Reset makes the timer fire d from now, whether it was pending, fired or
// stopped, and reports whether it was pending. Tasks already waiting keep
// waiting, for the new deadline.
func (t *Timer) Reset(d time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	was := t.pending
	if was {
		t.ex.StopTimer(&t.tm)
	}
	t.start(d)
	return was
}
