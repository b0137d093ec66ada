package kernel

import (
	"strconv"
	"sync/atomic"
)

// Reason says what a parked task waits for. It is recorded in the trace and
// printed in deadlock reports, so it is built without formatting.
type Reason struct {
	Op   string // the blocking operation, e.g. "JoinHandle.Join"
	Task TaskID // the task waited for, if any (wait-for information)
}

func (r Reason) String() string {
	if r.Task == 0 {
		return r.Op
	}
	return r.Op + " (waits for task " + strconv.FormatUint(uint64(r.Task), 10) + ")"
}

const (
	waiting uint32 = iota
	woken
	abandoned
)

// Waiter is one wait of one task. Primitives queue it (WaitQueue) under their
// own lock, release the lock, then Park on it. Exactly one of Unpark and the
// waiter's giving up (ctx ended, task dropped) wins; the loser learns it from
// the return value, so a grant is never lost (S30).
type Waiter struct {
	Task   *Task
	Reason Reason
	state  atomic.Uint32
	ch     chan struct{} // production: where the wake token goes

	next, prev *Waiter
	queue      *WaitQueue
}

// Init prepares w for t. A production task's waiters share the task's wake
// channel; a waiter outside any task (an Outside binding is shared by
// goroutines) gets a channel of its own.
func (w *Waiter) Init(t *Task, r Reason) {
	w.Task = t
	w.Reason = r
	w.state.Store(waiting)
	w.ch = nil
	if t != nil && !t.exec.Virtual() {
		if t.IsTask() {
			// Only the task itself waits with its binding, so this lazy
			// initialisation has one writer.
			if t.wake == nil {
				t.wake = make(chan struct{}, 1)
			}
			w.ch = t.wake
		} else {
			w.ch = make(chan struct{}, 1)
		}
	}
}

// Woken reports whether Unpark succeeded on w.
func (w *Waiter) Woken() bool { return w.state.Load() == woken }

// TryWake moves w from waiting to woken; executors call it in Unpark.
func (w *Waiter) TryWake() bool { return w.state.CompareAndSwap(waiting, woken) }

// TryAbandon moves w from waiting to abandoned; executors call it when the
// waiter gives up.
func (w *Waiter) TryAbandon() bool { return w.state.CompareAndSwap(waiting, abandoned) }

// Chan is the production wake channel of w.
func (w *Waiter) Chan() chan struct{} { return w.ch }

// WaitQueue is an intrusive FIFO of waiters. The zero value is empty. It is
// not safe for concurrent use: the owning primitive guards it.
type WaitQueue struct {
	head, tail *Waiter
	n          int
}

// Len returns the number of queued waiters.
func (q *WaitQueue) Len() int { return q.n }

// PushBack appends w.
func (q *WaitQueue) PushBack(w *Waiter) {
	if w.queue != nil {
		panic("kernel: waiter queued twice")
	}
	w.queue = q
	w.prev = q.tail
	w.next = nil
	if q.tail != nil {
		q.tail.next = w
	} else {
		q.head = w
	}
	q.tail = w
	q.n++
}

// PopFront removes and returns the first waiter, or nil.
func (q *WaitQueue) PopFront() *Waiter {
	w := q.head
	if w != nil {
		q.Remove(w)
	}
	return w
}

// Remove takes w out of q and reports whether it was there.
func (q *WaitQueue) Remove(w *Waiter) bool {
	if w.queue != q {
		return false
	}
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		q.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		q.tail = w.prev
	}
	w.next, w.prev, w.queue = nil, nil, nil
	q.n--
	return true
}
