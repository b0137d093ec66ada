package runtime

import (
	"context"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// Case is one alternative of Select, made by OnRecv, OnSend, OnAfter or
// OnDeadline.
type Case struct{ impl selectCase }

type selectCase interface {
	name() string
	// try completes the case at once, claiming w's wait first, or registers
	// w to be granted later (notReady).
	try(cur *kernel.Task, w *kernel.Waiter) status
	// cancel withdraws w; it is a no-op if w is not registered.
	cancel(cur *kernel.Task, w *kernel.Waiter)
	// fire runs the case's callback; waited says the case won by a grant
	// while Select was parked.
	fire(waited bool)
	// undo reverts a grant that came just before the task was dropped.
	undo()
}

// Select waits until one of the cases can proceed, performs it and runs its
// callback, then returns nil. If several cases are ready, which one runs is
// chosen at random: by the seed in a simulation (S31). If ctx ends first,
// Select returns ctx.Err() and no case has happened (S20). With no cases it
// waits for ctx.
//
//	err := runtime.Select(ctx,
//		runtime.OnRecv(jobs, func(j Job, err error) { ... }),
//		runtime.OnSend(results, r, func(err error) { ... }),
//		runtime.OnAfter(time.Second, func() { ... }),
//	)
func Select(ctx context.Context, cases ...Case) error {
	cur := begin(ctx)
	ex := cur.Executor()
	n := len(cases)
	var small [8]int
	order := small[:0]
	if n > len(small) {
		order = make([]int, 0, n)
	}
	for i := range n { // a seeded shuffle (inside-out Fisher-Yates)
		j := ex.RandN(i + 1)
		order = append(order, i)
		order[i], order[j] = order[j], i
	}
	lead := cur.Waiter(kernel.Reason{Op: "Select"})
	ws := cur.CaseWaiters(n)
	// k cases are tried (and maybe registered). If a case panics (a Chan
	// of another runtime, §8), the ones before it leave their queues.
	k, withdrawn := 0, false
	defer func() {
		if !withdrawn {
			withdraw(cur, cases, ws, order[:k])
		}
	}()
	for {
		res := notReady
		k = 0
		for k < n && res == notReady {
			i := order[k]
			ws[i].JoinGroup(lead, kernel.Reason{Op: cases[i].impl.name()})
			res = cases[i].impl.try(cur, &ws[i])
			k++
		}
		switch res {
		case completed:
			won := order[k-1]
			withdraw(cur, cases, ws, order[:k-1])
			withdrawn = true
			cases[won].impl.fire(false)
			return nil
		case retry: // production only: a partner vanished after the claim
			withdraw(cur, cases, ws, order[:k])
			continue
		}
		// Every case is registered, or one registered earlier has won
		// meanwhile (lost): Park returns at once in that case.
		err := ex.Park(ctx, lead)
		won := -1
		if wn := lead.Winner(); wn != nil {
			for i := range ws {
				if &ws[i] == wn {
					won = i
				}
			}
		}
		withdraw(cur, cases, ws, order[:k])
		withdrawn = true
		if err != nil {
			if won >= 0 {
				cases[won].impl.undo()
			}
			return kernel.Resume(cur, err)
		}
		cases[won].impl.fire(true)
		return nil
	}
}

func withdraw(cur *kernel.Task, cases []Case, ws []kernel.Waiter, idx []int) {
	for _, i := range idx {
		cases[i].impl.cancel(cur, &ws[i])
	}
}

// OnRecv is a Select case that receives from c and passes the value to f
// (err is ErrClosed once c is closed and drained). f may be nil.
func OnRecv[T any](c *Chan[T], f func(v T, err error)) Case {
	return Case{&recvCase[T]{c: c, f: f}}
}

type recvCase[T any] struct {
	c   *Chan[T]
	f   func(T, error)
	op  chanOp[T]
	err error
}

func (rc *recvCase[T]) name() string { return "Select(Chan.Recv)" }

func (rc *recvCase[T]) try(cur *kernel.Task, w *kernel.Waiter) status {
	c := rc.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mu.home.check(cur, "Chan")
	v, st, err := c.recvNow(&claimer{w: w})
	switch st {
	case completed:
		rc.op.val, rc.err = v, err
	case notReady:
		w.Data = &rc.op
		c.recvq.PushBack(w)
	}
	return st
}

func (rc *recvCase[T]) cancel(_ *kernel.Task, w *kernel.Waiter) {
	rc.c.mu.Lock()
	rc.c.recvq.Remove(w)
	rc.c.mu.Unlock()
}

func (rc *recvCase[T]) fire(waited bool) {
	if waited && rc.op.closed {
		rc.err = ErrClosed
	}
	if rc.f != nil {
		rc.f(rc.op.val, rc.err)
	}
}

func (rc *recvCase[T]) undo() {
	if !rc.op.closed {
		rc.c.putBack(rc.op.val)
	}
}

// OnSend is a Select case that sends v on c, then calls f (err is
// ErrClosed if c is closed). f may be nil.
func OnSend[T any](c *Chan[T], v T, f func(err error)) Case {
	return Case{&sendCase[T]{c: c, op: chanOp[T]{val: v}, f: f}}
}

type sendCase[T any] struct {
	c   *Chan[T]
	f   func(error)
	op  chanOp[T]
	err error
}

func (sc *sendCase[T]) name() string { return "Select(Chan.Send)" }

func (sc *sendCase[T]) try(cur *kernel.Task, w *kernel.Waiter) status {
	c := sc.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mu.home.check(cur, "Chan")
	st, err := c.sendNow(sc.op.val, &claimer{w: w})
	switch st {
	case completed:
		sc.err = err
	case notReady:
		w.Data = &sc.op
		c.sendq.PushBack(w)
	}
	return st
}

func (sc *sendCase[T]) cancel(_ *kernel.Task, w *kernel.Waiter) {
	sc.c.mu.Lock()
	sc.c.sendq.Remove(w)
	sc.c.mu.Unlock()
}

func (sc *sendCase[T]) fire(waited bool) {
	if waited && sc.op.closed {
		sc.err = ErrClosed
	}
	if sc.f != nil {
		sc.f(sc.err)
	}
}

func (sc *sendCase[T]) undo() {} // the value was delivered

// OnAfter is a Select case that fires once d has passed (on the runtime's
// clock: virtual time in a simulation), then calls f. f may be nil.
func OnAfter(d time.Duration, f func()) Case {
	return Case{&timerCase{after: d, relative: true, f: f}}
}

// OnDeadline is a Select case that fires at t (on the runtime's clock),
// then calls f. f may be nil.
func OnDeadline(t time.Time, f func()) Case {
	return Case{&timerCase{when: t, f: f}}
}

type timerCase struct {
	after    time.Duration
	relative bool
	when     time.Time
	f        func()
	tm       kernel.Timer
}

func (tc *timerCase) name() string { return "Select(timer)" }

func (tc *timerCase) try(cur *kernel.Task, w *kernel.Waiter) status {
	ex := cur.Executor()
	if tc.relative {
		tc.when, tc.relative = ex.Now().Add(tc.after), false
	}
	if !ex.Now().Before(tc.when) {
		if !w.TryWake() {
			return lost
		}
		return completed
	}
	tc.tm.ArmWake(tc.when, w)
	ex.StartTimer(&tc.tm)
	return notReady
}

func (tc *timerCase) cancel(cur *kernel.Task, _ *kernel.Waiter) {
	if tc.tm.Wake != nil {
		cur.Executor().StopTimer(&tc.tm)
	}
}

func (tc *timerCase) fire(bool) {
	if tc.f != nil {
		tc.f()
	}
}

func (tc *timerCase) undo() {}
