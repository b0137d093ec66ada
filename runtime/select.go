package runtime

import (
	"context"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// Case is one alternative of Select, made by OnRecv, OnSend, OnAfter or
// OnDeadline (and, for package clock's timers and tickers, clock.OnTimer and
// clock.OnTick). A Case is a small value: making one allocates nothing (but
// OnSend, which keeps its value), so a loop may build its cases on every
// turn; it may also keep them and pass them to Select after Select, though
// not to two at once.
type Case struct {
	ops caseOps // what the case does, for its element type
	// ch is the channel: *Chan[T] for OnRecv, *sendCase[T] for OnSend; nil
	// for a timer or a nil channel.
	ch any
	f  any // the callback: func(T, error), func(error) or func()
	// when is OnDeadline's instant; OnAfter leaves it zero and counts after
	// from the start of the Select.
	when  time.Time
	after time.Duration
}

// caseOps is implemented by zero-size types, so storing one in a Case
// allocates nothing. Its methods take only the parts of a Case they use,
// so Select's variadic slice stays on the caller's stack and is not copied.
type caseOps interface {
	name() string
	// try completes the case at once, claiming w's wait first unless
	// first (no case of the Select is registered yet, so nobody else can
	// win the wait), or registers w to be granted later (notReady). when
	// is a timer case's instant.
	try(ch any, when time.Time, cur *kernel.Task, w *kernel.Waiter, first bool) status
	// cancel withdraws w; it is a no-op if w is not registered.
	cancel(ch any, w *kernel.Waiter)
	// fire runs the case's callback f once w has won.
	fire(f any, w *kernel.Waiter)
	// undo reverts a grant of w that came just before the task was dropped.
	undo(ch any, w *kernel.Waiter)
}

// Select waits until one of the cases can proceed, performs it and runs its
// callback, then returns nil. If several cases are ready, which one runs is
// chosen at random: by the seed in a simulation (S31). If ctx ends first,
// Select returns ctx.Err() and no case has happened (S20). With no cases it
// waits for ctx. As in Go, a case on a nil *Chan is never ready.
//
//	err := runtime.Select(ctx,
//		runtime.OnRecv(jobs, func(j Job, err error) { ... }),
//		runtime.OnSend(results, r, func(err error) { ... }),
//		runtime.OnAfter(time.Second, func() { ... }),
//	)
func Select(ctx context.Context, cases ...Case) error {
	cur := ownTask(ctx) // begin, inline
	if cur == nil {
		cur = begin(ctx)
	}
	cur.Point("Select") // S2 (revised): also when a case is ready at once
	ex := cur.Executor()
	n := len(cases)
	var small [8]int
	order := small[:]
	if n > len(small) {
		order = make([]int, n)
	}
	order = order[:n]
	var start time.Time // OnAfter counts from here
	for i := range n {
		if cases[i].ops == nil { // before anything is registered
			panic("runtime: Select with a zero Case; make cases with OnRecv, OnSend, OnAfter or OnDeadline")
		}
		if cases[i].after != 0 && start.IsZero() {
			start = ex.Now() // the production clock is not free to read
		}
		// A seeded shuffle (inside-out Fisher-Yates); RandN(1) is 0 and
		// draws nothing in a simulation.
		j := 0
		if i > 0 {
			j = ex.RandN(i + 1)
		}
		order[i] = order[j]
		order[j] = i
	}
	lead := cur.Waiter(kernel.Reason{Op: "Select"})
	ws := cur.CaseWaiters(n)
	for {
		res, timer, tried := notReady, -1, 0
		for tried < n && res == notReady {
			i := order[tried]
			c := &cases[i]
			ws[i].JoinGroup(lead, kernel.Reason{Op: c.ops.name()})
			when := c.deadline(start)
			res = c.ops.try(c.ch, when, cur, &ws[i], tried == 0)
			tried++
			if _, ok := c.ops.(timerOps); ok && res == notReady &&
				(timer < 0 || when.Before(cases[timer].deadline(start))) {
				timer = i
			}
		}
		switch res {
		case completed:
			won := order[tried-1]
			withdraw(cur, cases, ws, order[:tried-1], nil)
			cases[won].ops.fire(cases[won].f, &ws[won])
			return nil
		case retry: // production only: a partner vanished after the claim
			withdraw(cur, cases, ws, order[:tried], nil)
			lead = cur.Waiter(kernel.Reason{Op: "Select"}) // see Unclaim
			continue
		case misused:
			// A Chan of another runtime (§8). The cases before it leave
			// their queues, and a grant that came meanwhile is undone.
			withdraw(cur, cases, ws, order[:tried-1], nil)
			if i := caseOf(ws, lead.Settle()); i >= 0 {
				cases[i].ops.undo(cases[i].ch, &ws[i])
			}
			panic(twoRuntimes("Chan"))
		}
		// Every case is registered, or one registered earlier has won
		// meanwhile (lost): Park returns at once in that case. Only the
		// timer case due first is armed (ties: the first in order), on
		// the task's own timer: the others cannot fire before it.
		var tm *kernel.Timer
		if res == notReady && timer >= 0 {
			tm = cur.SleepTimer(cases[timer].deadline(start), &ws[timer])
			ex.StartTimer(tm)
		}
		err := ex.Park(ctx, lead)
		won := caseOf(ws, lead.Winner())
		withdraw(cur, cases, ws, order[:tried], tm)
		if err != nil {
			if won >= 0 {
				cases[won].ops.undo(cases[won].ch, &ws[won])
			}
			return kernel.Resume(cur, err)
		}
		cases[won].ops.fire(cases[won].f, &ws[won])
		return nil
	}
}

// caseOf returns the index of w among ws, or -1 (w nil: no case won).
func caseOf(ws []kernel.Waiter, w *kernel.Waiter) int {
	for i := range ws {
		if &ws[i] == w {
			return i
		}
	}
	return -1
}

// deadline is a timer case's instant: OnAfter's counts from start. The
// Case is left as it was, so it can serve another Select.
func (c *Case) deadline(start time.Time) time.Time {
	if c.after != 0 {
		return start.Add(c.after)
	}
	return c.when
}

// withdraw takes the cases of idx off their channels and stops tm.
func withdraw(cur *kernel.Task, cases []Case, ws []kernel.Waiter, idx []int, tm *kernel.Timer) {
	for _, i := range idx {
		cases[i].ops.cancel(cases[i].ch, &ws[i])
	}
	if tm != nil && !cur.Executor().StopTimer(tm) {
		cur.DropSleepTimer() // it may be firing: do not re-arm it
	}
}

// OnRecv is a Select case that receives from c and passes the value to f
// (err is ErrClosed once c is closed and drained). f may be nil.
func OnRecv[T any](c *Chan[T], f func(v T, err error)) Case {
	cs := Case{ops: recvOps[T]{}}
	if c != nil {
		cs.ch = c
	}
	if f != nil {
		cs.f = f
	}
	return cs
}

type recvOps[T any] struct{}

func (recvOps[T]) name() string { return "Select(Chan.Recv)" }

func (recvOps[T]) try(ch any, _ time.Time, cur *kernel.Task, w *kernel.Waiter, first bool) status {
	if ch == nil {
		return notReady // a nil channel is never ready
	}
	c := ch.(*Chan[T])
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.mu.home.accepts(cur) {
		return misused
	}
	v, st, err := c.recvNow(claimFor(w, first))
	switch st {
	case completed:
		// The case has won, so the slot is its alone.
		op := slotFor[T](cur)
		*op = chanOp[T]{val: v, closed: err != nil}
		w.Data = op
	case notReady:
		// Only a grant that wins the whole Select writes the slot
		// (grantRecv), so every receive case of type T may share it.
		w.Data = slotFor[T](cur)
		c.recvq.PushBack(w)
	}
	return st
}

func (recvOps[T]) cancel(ch any, w *kernel.Waiter) {
	if ch == nil {
		return
	}
	c := ch.(*Chan[T])
	c.mu.Lock()
	c.recvq.Remove(w)
	c.mu.Unlock()
}

func (recvOps[T]) fire(f any, w *kernel.Waiter) {
	op := w.Data.(*chanOp[T])
	var err error
	if op.closed {
		err = ErrClosed
	}
	if f != nil {
		f.(func(T, error))(op.val, err)
	}
}

func (recvOps[T]) undo(ch any, w *kernel.Waiter) {
	if op := w.Data.(*chanOp[T]); !op.closed {
		ch.(*Chan[T]).putBack(op.val)
	}
}

// OnSend is a Select case that sends v on c, then calls f (err is
// ErrClosed if c is closed). f may be nil.
func OnSend[T any](c *Chan[T], v T, f func(err error)) Case {
	cs := Case{ops: sendOps[T]{}}
	if c != nil {
		cs.ch = &sendCase[T]{c: c, op: chanOp[T]{val: v}}
	}
	if f != nil {
		cs.f = f
	}
	return cs
}

// sendCase is an OnSend's channel and the slot holding its value.
type sendCase[T any] struct {
	c  *Chan[T]
	op chanOp[T]
}

type sendOps[T any] struct{}

func (sendOps[T]) name() string { return "Select(Chan.Send)" }

func (sendOps[T]) try(ch any, _ time.Time, cur *kernel.Task, w *kernel.Waiter, first bool) status {
	if ch == nil {
		return notReady
	}
	sc := ch.(*sendCase[T])
	c := sc.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.mu.home.accepts(cur) {
		return misused
	}
	sc.op.closed = false // a Case may be used again
	w.Data = &sc.op
	st, err := c.sendNow(sc.op.val, claimFor(w, first))
	switch st {
	case completed:
		sc.op.closed = err != nil
	case notReady:
		c.sendq.PushBack(w)
	}
	return st
}

func (sendOps[T]) cancel(ch any, w *kernel.Waiter) {
	if ch == nil {
		return
	}
	c := ch.(*sendCase[T]).c
	c.mu.Lock()
	c.sendq.Remove(w)
	c.mu.Unlock()
}

func (sendOps[T]) fire(f any, w *kernel.Waiter) {
	var err error
	if w.Data.(*chanOp[T]).closed {
		err = ErrClosed
	}
	if f != nil {
		f.(func(error))(err)
	}
}

func (sendOps[T]) undo(any, *kernel.Waiter) {} // the value was delivered

// OnAfter is a Select case that fires once d has passed (on the runtime's
// clock: virtual time in a simulation), then calls f. f may be nil.
func OnAfter(d time.Duration, f func()) Case {
	cs := Case{ops: timerOps{}, after: d}
	if f != nil {
		cs.f = f
	}
	return cs
}

// OnDeadline is a Select case that fires at t (on the runtime's clock),
// then calls f. f may be nil.
func OnDeadline(t time.Time, f func()) Case {
	cs := Case{ops: timerOps{}, when: t}
	if f != nil {
		cs.f = f
	}
	return cs
}

// timerOps is a timer case. Select arms only the timer case due first,
// once every case waits, so try merely checks whether the instant has come.
type timerOps struct{}

func (timerOps) name() string { return "Select(timer)" }

func (timerOps) try(_ any, when time.Time, cur *kernel.Task, w *kernel.Waiter, first bool) status {
	if !cur.Executor().Now().Before(when) {
		if !first && !w.TryWake() {
			return lost
		}
		return completed
	}
	return notReady
}

func (timerOps) cancel(any, *kernel.Waiter) {}

func (timerOps) fire(f any, _ *kernel.Waiter) {
	if f != nil {
		f.(func())()
	}
}

func (timerOps) undo(any, *kernel.Waiter) {}
