package kernel

import (
	"context"
	"runtime/debug"
	"sync"
)

// Run runs t's body on the calling goroutine and records how it ended. It
// returns normally whether the body returned, panicked or was unwound; if
// the body called runtime.Goexit it records Goexited and lets the Goexit
// proceed (the executor deals with the goroutine's end).
func Run(t *Task) {
	normal := false
	defer func() {
		if normal {
			return
		}
		r := recover()
		switch {
		case r == nil:
			if t.unwinding { // dropped again after recovering (Unwind)
				Finish(t, Cancelled, nil, nil)
			} else {
				// The stack tells where the task gave up (t.Fatal's caller).
				Finish(t, Goexited, nil, &PanicInfo{Stack: debug.Stack()})
			}
			if h, ok := t.host.Exec.(GoexitHandler); ok {
				h.TaskGoexited(t)
			}
		case IsDropSignal(r):
			Finish(t, Cancelled, nil, nil)
		default:
			// A panic raised while unwinding (a deferred function of a
			// dropped task) is a panic, not a cancellation.
			Finish(t, Panicked, nil, &PanicInfo{Value: r, Stack: debug.Stack()})
		}
	}()
	err := t.body.RunTask(t)
	normal = true
	if t.unwinding {
		// The task recovered the drop signal and returned: still dropped.
		Finish(t, Cancelled, nil, nil)
		return
	}
	Finish(t, Returned, err, nil)
}

// GoexitHandler is implemented by an executor that must act on the
// goroutine of a task that called runtime.Goexit, after its outcome is
// recorded and before the goroutine ends.
type GoexitHandler interface {
	TaskGoexited(t *Task)
}

// Finish records t's outcome, wakes its joiners and tells its Completer.
// Executors call it for tasks that never start, too.
func Finish(t *Task, o Outcome, err error, p *PanicInfo) {
	t.outcome = o
	if err != nil || p != nil {
		t.ending = &ending{err, p}
	}
	if t.end.Or(endFinished)&endJoined != 0 {
		t.mu.Lock()
		t.joiners.WakeAll()
		t.mu.Unlock()
	}
	t.leave()
	if t.done != nil {
		t.done.TaskDone(t)
	}
}

// Waiter returns a waiter for one wait of t with reason r. A task waits on
// one thing at a time, so it reuses a waiter of its own; an Outside binding
// is shared by goroutines and gets a fresh one.
func (t *Task) Waiter(r Reason) *Waiter {
	w := &t.waiter
	if !t.IsTask() {
		w = new(Waiter)
	}
	w.Init(t, r)
	return w
}

// Join blocks cur until t has ended (S13). It returns nil once t has ended,
// or ctx's error if ctx ends first. Like every blocking call it is a
// cancellation point even when it need not wait: an aborted cur unwinds
// here, so a loop of joins cannot outlive a shutdown.
func Join(ctx context.Context, cur, t *Task) error {
	CheckDrop(cur)
	if t.Finished() {
		return nil
	}
	if cur == t {
		panic("runtime: a task cannot Join itself; join it from another task or let it detach")
	}
	if cur.host != t.host && (cur.host.Virtual || t.host.Virtual) {
		panic("runtime: Join of a task that belongs to another runtime; join a simulated task only from its own simulation")
	}
	w := cur.Waiter(Reason{Op: "JoinHandle.Join", Task: t.id})
	w.Data = t // for a simulation's cycles of waiting (Blockers)
	t.mu.Lock()
	if t.end.Or(endJoined)&endFinished != 0 {
		t.mu.Unlock()
		return nil
	}
	t.joiners.PushBack(w)
	_, err := ParkQueued(ctx, cur, &t.mu, &t.joiners, w)
	return Resume(cur, err)
}

// ParkQueued parks cur on w, which the caller queued on q while holding mu,
// and releases mu first. It returns nil once w is granted. Otherwise w is
// off q, and granted reports whether it was granted all the same (the task
// was dropped right after a grant): the caller undoes that grant, then
// returns Resume(cur, err).
func ParkQueued(ctx context.Context, cur *Task, mu sync.Locker, q *WaitQueue, w *Waiter) (granted bool, err error) {
	mu.Unlock()
	err = cur.host.Exec.Park(ctx, w)
	if err == nil {
		return false, nil
	}
	return LeaveQueue(mu, q, w), err
}

// LeaveQueue is the end of a wait that Park ended with an error: it takes
// w off q, which mu guards, and reports whether w was granted all the same
// (the caller undoes that grant). The runtime's primitives park inline, as
//
//	mu.Unlock()
//	if err := cur.Executor().Park(ctx, w); err != nil { granted := LeaveQueue(mu, q, w) ... }
//
// rather than through ParkQueued: one frame less between the primitive and
// the task switch is 7 % of a simulated ping-pong.
func LeaveQueue(mu sync.Locker, q *WaitQueue, w *Waiter) bool {
	mu.Lock()
	q.Remove(w)
	granted := w.Woken()
	mu.Unlock()
	return granted
}
