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
	// winner is the waiter granted, on the lead only; nil while the wait
	// is open and if it was given up. Init clears it; it is written right
	// after the CAS that grants and read only by the waiting task after
	// its wake-up (production: after the wake token, which orders it), so
	// it needs no atomic of its own.
	winner *Waiter
	// ch is where production wake tokens go: one for each wait ended by
	// somebody else than the task (see AbortWait).
	ch     chan struct{}
	Reason Reason
	// Data is the primitive's per-wait record (a channel operation's value
	// slot, a semaphore request's weight).
	Data any

	next, prev *Waiter
	queue      *WaitQueue
}

// Init opens a new wait of w for t. A production task's waiters share the
// task's wake channel; a waiter outside any task (an Outside binding is
// shared by goroutines) gets a channel of its own.
//
//go:norace
func (w *Waiter) Init(t *Task, r Reason) {
	w.Reason = r
	w.Data = nil
	w.winner = nil
	if w.Task != t || w.lead != w { // not the waiter of t's last wait
		w.bind(t)
	}
	w.state.open(t != nil && t.mu.off)
}

// bind makes w a waiter of t: a task keeps its waiter, so this runs at its
// first wait.
//
//go:norace
func (w *Waiter) bind(t *Task) {
	w.Task = t
	w.lead = w
	switch {
	case t == nil || t.mu.off: // no task, or a simulation: no tokens
		w.ch = nil
	case !t.IsTask():
		w.ch = make(chan struct{}, 1)
	case w.ch == nil:
		// w is t's own waiter, whose channel is the task's wake channel
		// (its Select cases share it, AbortWait sends on it). Only the
		// task itself waits with its binding, so this lazy initialisation
		// has one writer; the first wait publishes it (waitState.open).
		w.ch = make(chan struct{}, 2) // see AbortWait
	}
}

// AbortWait ends the current generation of production task t's waiter and
// sends the token that goes with it, unless t never waited: Abort reaches
// a task blocked in Park this way. If t is parked, that is its wait. If t
// is running, it is the wait t will open next, or has just opened: then t
// opens the generation after it (finding the abort: the counter it reads
// was written after the abort was recorded) or parks on it and takes the
// token; either way it is dropped.
//
// So an abort may leave a token for a wait that t never parks on. It marks
// the counter (abortMark, kept by every later end) so that the next wait
// whose token t takes can tell (Await); the channel holds two tokens, so
// neither a grantor nor Abort ever blocks.
//
// The first wait of a task stores its generation (1), after making the
// wake channel; AbortWait reads nothing else of the task. If AbortWait
// reads 0, Park's check for an abort comes after that store and sees it.
func (t *Task) AbortWait() bool {
	s := &t.waiter.state
	for {
		g := s.shared.Load()
		if g == 0 {
			return false
		}
		if s.shared.CompareAndSwap(g, (g+1)|abortMark) {
			t.waiter.ch <- struct{}{}
			return true
		}
	}
}

// Await takes the wake token of w's wait, which another party ended: in
// production only.
func (w *Waiter) Await() {
	<-w.ch
	w.TokenTaken()
}

// TokenTaken is the end of Await, for a token received from Chan
// directly (in a select).
func (w *Waiter) TokenTaken() {
	if w.lead.state.shared.Load()&abortMark != 0 {
		w.afterAbort()
	}
}

// afterAbort accounts for the token of an abort (AbortWait), once a token
// of w's wait g was taken. The abort ended g itself (its token was that
// one: the counter reads g+1, marked), or another wait, whose token is due
// too: then it is taken as well. The mark is cleared, so the next wait
// takes one token again; nobody else changes the counter meanwhile (the
// wait is over, the next is not open, and Abort happens once).
func (w *Waiter) afterAbort() {
	s := &w.lead.state
	g := s.local
	c := s.shared.Load()
	if g&abortMark != 0 || c != (g+1)|abortMark {
		<-w.ch
	}
	s.shared.Store(c &^ abortMark)
}

// Settle ends the wait of w, a lead the task will not park on (its Select
// gives up before parking: a case was a Chan of another runtime). It gives
// the wait up or, if it was granted or aborted first, takes the token sent
// with that in production. It returns the granted waiter, if any, so that
// the caller can undo the grant.
func (w *Waiter) Settle() *Waiter {
	if w.TryAbandon() {
		return nil
	}
	if w.ch != nil {
		w.Await()
	}
	return w.Winner()
}

// JoinGroup makes w a case of lead's wait (Select): w shares lead's task,
// state and wake channel. lead must have been Init'ed.
//
//go:norace
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
//
//go:norace
func (w *Waiter) Lead() *Waiter { return w.lead }

// Woken reports whether Unpark succeeded on w itself (for a Select case:
// whether this case won). Like Winner, it is for the waiting task once its
// wait is over.
//
//go:norace
func (w *Waiter) Woken() bool { return w.lead.winner == w }

// Winner returns the waiter of the group that was granted, or nil.
//
//go:norace
func (w *Waiter) Winner() *Waiter { return w.lead.winner }

// TryWake ends w's wait with w as the winner, if it is still open;
// executors call it in Unpark, and a Select calls it to claim a case that
// can complete at once.
//
//go:norace
func (w *Waiter) TryWake() bool {
	l := w.lead
	if !l.state.end() {
		return false
	}
	l.winner = w
	return true
}

// Gen returns the generation of w's wait. A wait that has ended is never
// open again under its generation, so a timer armed for one wait cannot
// grant a later one (Timer.Expire).
//
//go:norace
func (w *Waiter) Gen() uint64 { return w.lead.state.gen() }

// tryWakeGen is TryWake of c, a waiter led by w, for the wait of
// generation gen only, in a simulation if virtual. It reads c only if it
// wins.
//
//go:norace
func (w *Waiter) tryWakeGen(gen uint64, virtual bool, c *Waiter) bool {
	if w.state.endGen(gen, virtual) {
		w.winner = c
		return true
	}
	return false
}

// Waiting reports whether w's wait is still open: neither granted nor
// given up. A grantor skips waiters that are not.
//
//go:norace
func (w *Waiter) Waiting() bool { return w.lead.state.waiting() }

// Unclaim reopens a wait that w claimed with TryWake, when the operation
// that claimed it found no partner after all (a production race). Only the
// claimer may call it, before anything else uses the wait. If Abort ended
// the wait's next generation meanwhile, the wait stays ended: the claimer
// opens a new one (Init), and finds the abort.
//
//go:norace
func (w *Waiter) Unclaim() {
	l := w.lead
	if l.winner != w {
		panic("kernel: Unclaim of a wait the caller did not claim")
	}
	l.winner = nil
	l.state.reopen()
}

// TryAbandon ends w's wait with no winner, if it is still open; executors
// call it when the waiter gives up.
//
//go:norace
func (w *Waiter) TryAbandon() bool {
	l := w.lead
	return l.state.end()
}

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

// PushBack appends w. It is go:norace because its misuse check reads the
// waiter of a task whose ctx another task used, with no order between them
// (the check then panics).
//
//go:norace
func (q *WaitQueue) PushBack(w *Waiter) {
	if w.queue != nil {
		// A task waits on one thing at a time, so its waiter is queued
		// twice only when its ctx is used by someone else while it waits.
		panic("runtime: a blocking call with the ctx of " + w.Task.String() + ", which is waiting already: " +
			"its ctx is used by another task or goroutine; pass each task its own ctx")
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
