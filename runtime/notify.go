package runtime

import (
	"context"

	"github.com/weftsim/weft/internal/kernel"
)

// Notify wakes waiting tasks, as Tokio's Notify does. NotifyOne with nobody
// waiting leaves a single permit that the next Wait consumes at once, so a
// notification sent just before the wait is not lost. The zero value is
// ready to use.
type Notify struct {
	mu      lock
	permit  bool
	waiters kernel.WaitQueue // Data: nil, or notifiedAll once woken by NotifyAll
}

var notifiedAll = new(bool)

// Wait waits for a notification, or consumes the stored permit. If ctx ends
// first it returns ctx.Err() and consumes nothing.
func (n *Notify) Wait(ctx context.Context) error {
	cur := begin(ctx)
	cur.Point("Notify.Wait") // S2 (revised)
	n.mu.Lock()
	n.mu.home.check(cur, "Notify")
	if n.permit {
		n.permit = false
		n.mu.Unlock()
		return nil
	}
	w := cur.Waiter(kernel.Reason{Op: "Notify.Wait"})
	n.waiters.PushBack(w)
	n.mu.Unlock()
	err := cur.Executor().Park(ctx, w) // see kernel.LeaveQueue
	if err == nil {
		return nil
	}
	if kernel.LeaveQueue(&n.mu, &n.waiters, w) && w.Data == nil {
		n.notifyOne() // dropped right after NotifyOne: pass it on
	}
	return kernel.Resume(cur, err)
}

// NotifyOne wakes the first waiting task, or stores a permit if none waits
// (at most one permit is kept).
func (n *Notify) NotifyOne() {
	n.notifyOne()
	n.mu.point("Notify.NotifyOne")
}

func (n *Notify) notifyOne() {
	n.mu.Lock()
	if !n.waiters.WakeOne() {
		n.permit = true
	}
	n.mu.Unlock()
}

// NotifyAll wakes every task waiting now. It stores no permit.
func (n *Notify) NotifyAll() {
	n.mu.Lock()
	for w := n.waiters.PopFront(); w != nil; w = n.waiters.PopFront() {
		w.Data = notifiedAll
		w.Task.Executor().Unpark(w)
	}
	n.mu.Unlock()
	n.mu.point("Notify.NotifyAll")
}
