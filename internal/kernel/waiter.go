package kernel

import (
	"strconv"
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
	waiting uint64 = iota
	woken
	abandoned
)

// Waiter is one wait of one task. Primitives queue it (WaitQueue) under their
// own lock, release the lock, then Park on it. Exactly one of Unpark and the
// waiter's giving up (ctx ended, task dropped) wins; the loser learns it from
// the return value, so a grant is never lost (S30).
//
// A Select waits on several queues at once: one waiter per case, all joined
// to a lead waiter whose state they share, so that the first grant wins the
// whole wait and every later one fails (TryWake reports false).
type Waiter struct {
	// Task, lead, state and winner come first: a wake-up uses them (see
	// Task).
	Task  *Task
	lead  *Waiter
	state waitState // on the lead only
	// winner is the waiter granted, on the lead only. It is written right
	// after the CAS that grants and read only by the waiting task after its
	// wake-up (production: after the wake token, which orders it), so it
	// needs no atomic of its own.
	winner *Waiter
	ch     chan struct{} // production: where the wake token goes
	Reason Reason
	// Data is the primitive's per-wait record (a channel operation's value
	// slot, a semaphore request's weight).
	Data any

	next, prev *Waiter
	queue      *WaitQueue
}

// Init prepares w for t. A production task's waiters share the task's wake
// channel; a waiter outside any task (an Outside binding is shared by
// goroutines) gets a channel of its own.
//
// The state is written last: in production it publishes the wait to
// Task.AbortWait, which may then read the task's wake channel.
func (w *Waiter) Init(t *Task, r Reason) {
	w.Task = t
	w.Reason = r
	w.Data = nil
	w.lead = w
	w.winner = nil
	w.ch = nil
	if t != nil && !t.mu.off { // production
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
	w.state.reset(t != nil && t.mu.off)
}

// AbortWait gives up the open wait of production task t, if it has one,
// and sends the wake-up token the waiter is owed: Abort reaches a task
// blocked in Park this way. A task waits only on its own waiter (Select's
// cases share its state), and AbortWait reads nothing of it but the state
// word, which Init writes last: so it never races the task starting its
// next wait (a production waiter never writes the plain word). A wait that
// is opened and never parked on would keep the token; every primitive parks
// on (or claims) the wait it opens, and a Select that gives up before
// parking settles it (Settle).
func (t *Task) AbortWait() bool {
	if !t.waiter.state.finish(abandoned) {
		return false
	}
	t.wake <- struct{}{}
	return true
}

// Settle ends the wait of w, a lead the task will not park on (its Select
// gives up before parking: a case was a Chan of another runtime). It gives
// the wait up or, if it was granted or aborted first, takes the token sent
// with that in production, so that no token is left over for a later
// wait. It returns the granted waiter,
// if any, so that the caller can undo the grant.
func (w *Waiter) Settle() *Waiter {
	if w.TryAbandon() {
		return nil
	}
	if w.ch != nil {
		<-w.ch
	}
	return w.Winner()
}

// JoinGroup makes w a case of lead's wait (Select): w shares lead's task,
// state and wake channel. lead must have been Init'ed.
func (w *Waiter) JoinGroup(lead *Waiter, r Reason) {
	w.Task = lead.Task
	w.Reason = r
	w.Data = nil
	w.lead = lead
	w.ch = lead.ch
}

// CaseWaiters returns n waiters for the cases of one Select by t, to join
// to t's waiter. A task selects once at a time and reuses them: a Select
// withdraws every case before it returns, and a timer that fires late
// reads only the lead (Timer.Expire). An Outside binding, shared by
// goroutines, and a task whose last Select left a case queued (it
// panicked) get fresh ones.
func (t *Task) CaseWaiters(n int) []Waiter {
	if !t.IsTask() {
		return make([]Waiter, n)
	}
	if t.cases != nil && len(*t.cases) >= n {
		ws := (*t.cases)[:n]
		for i := range ws {
			if ws[i].queue != nil {
				return make([]Waiter, n)
			}
		}
		return ws
	}
	ws := make([]Waiter, max(n, 4))
	t.cases = &ws
	return ws[:n]
}

// Lead returns the waiter whose state w shares (w itself outside a Select).
func (w *Waiter) Lead() *Waiter { return w.lead }

// Woken reports whether Unpark succeeded on w itself (for a Select case:
// whether this case won).
func (w *Waiter) Woken() bool {
	l := w.lead
	return l.state.load()&3 == woken && l.winner == w
}

// Winner returns the waiter of the group that was granted, or nil.
func (w *Waiter) Winner() *Waiter {
	l := w.lead
	if l.state.load()&3 != woken {
		return nil
	}
	return l.winner
}

// TryWake moves w's wait from waiting to woken with w as the winner;
// executors call it in Unpark, and a Select calls it to claim a case that
// can complete at once.
//
// It is finish written out: every grant runs it, and the call to finish
// (which does not inline) costs 4 % of a simulated message (cachegrind).
func (w *Waiter) TryWake() bool {
	l := w.lead
	for {
		old := l.state.load()
		if old&3 != waiting || old>>2 == 0 {
			return false
		}
		if l.state.cas(old, old&^3|woken) {
			l.winner = w
			return true
		}
	}
}

// Gen returns the generation of w's wait: it changes with every Init, so a
// timer armed for one wait cannot grant a later one (Timer.Expire).
func (w *Waiter) Gen() uint64 { return w.lead.state.load() >> 2 }

// tryWakeGen is TryWake of c, a waiter led by w, for the wait of
// generation gen only. It reads c only if it wins.
func (w *Waiter) tryWakeGen(gen uint64, c *Waiter) bool {
	if w.state.cas(gen<<2|waiting, gen<<2|woken) {
		w.winner = c
		return true
	}
	return false
}

// Waiting reports whether w's wait is still open: neither granted nor
// given up. A grantor skips waiters that are not.
func (w *Waiter) Waiting() bool { return w.lead.state.load()&3 == waiting }

// Unclaim reopens a wait that w claimed with TryWake, when the operation
// that claimed it found no partner after all (a production race). Only the
// claimer may call it, before anything else uses the wait.
func (w *Waiter) Unclaim() {
	l := w.lead
	old := l.state.load()
	if l.winner != w || old&3 != woken || !l.state.cas(old, old&^3|waiting) {
		panic("kernel: Unclaim of a wait the caller did not claim")
	}
	l.winner = nil
}

// TryAbandon moves w's wait from waiting to abandoned; executors call it
// when the waiter gives up.
func (w *Waiter) TryAbandon() bool { return w.lead.state.finish(abandoned) }

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

// Front returns the first waiter without removing it, or nil.
func (q *WaitQueue) Front() *Waiter { return q.head }

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

// WakeOne grants the first waiter of q that still waits, and reports
// whether there was one. Waiters that gave up are skipped (S30).
func (q *WaitQueue) WakeOne() bool {
	for w := q.PopFront(); w != nil; w = q.PopFront() {
		if w.Task.host.Exec.Unpark(w) {
			return true
		}
	}
	return false
}

// WakeAll grants every waiter of q.
func (q *WaitQueue) WakeAll() {
	for w := q.PopFront(); w != nil; w = q.PopFront() {
		w.Task.host.Exec.Unpark(w)
	}
}
