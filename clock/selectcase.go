package clock

import (
	"time"

	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/runtime"
)

// OnTimer is a runtime.Select case that is ready once t has fired, and
// then calls f with nil; or once t is stopped, and calls f with
// ErrStopped. Like Wait it consumes nothing: the case of a fired timer is
// ready at once until Reset. f may be nil.
func OnTimer(t *Timer, f func(err error)) runtime.Case {
	return kernel.SourceCase((*timerCase)(t), f).(runtime.Case)
}

// OnTick is a runtime.Select case that receives tk's next tick, as Tick
// does, and calls f with its scheduled instant; or, once tk is stopped,
// calls f with ErrStopped. A tick goes to the Select only if its case
// wins. f may be nil.
func OnTick(tk *Ticker, f func(at time.Time, err error)) runtime.Case {
	return kernel.SourceCase((*tickerCase)(tk), f).(runtime.Case)
}

// timerCase is a Timer as a Select case; a waiter's Data is the outcome
// (nil or ErrStopped) once granted.
type timerCase Timer

func (c *timerCase) TryCase(_ *kernel.Task, w *kernel.Waiter, first bool) kernel.CaseResult {
	t := (*Timer)(c)
	t.mu.Lock()
	defer t.mu.Unlock()
	var outcome error
	switch {
	case t.fired:
	case t.stopped:
		outcome = ErrStopped
	default:
		w.Data = nil
		t.waiters.PushBack(w)
		return kernel.CaseQueued
	}
	if !first && !w.TryWake() {
		return kernel.CaseLost
	}
	w.Data = outcome
	return kernel.CaseReady
}

func (c *timerCase) CancelCase(w *kernel.Waiter) {
	t := (*Timer)(c)
	t.mu.Lock()
	t.waiters.Remove(w)
	t.mu.Unlock()
}

func (c *timerCase) FireCase(w *kernel.Waiter, f any) {
	if f, ok := f.(func(error)); ok && f != nil {
		err, _ := w.Data.(error)
		f(err)
	}
}

func (c *timerCase) UndoCase(*kernel.Waiter) {} // nothing was consumed

// tickerCase is a Ticker as a Select case. A granted waiter's Data is its
// *tickGrant.
type tickerCase Ticker

// tickGrant is a tick handed to a Select case: at is its instant; prev and
// after are next before and after it was taken, so an undone grant can put
// the tick back if nobody took the next one meanwhile.
type tickGrant struct {
	at, prev, after time.Time
	err             error
}

func (c *tickerCase) TryCase(_ *kernel.Task, w *kernel.Waiter, first bool) kernel.CaseResult {
	tk := (*Ticker)(c)
	tk.mu.Lock()
	defer tk.mu.Unlock()
	now := tk.ex.Now()
	if !tk.stopped && now.Before(tk.next) {
		tk.waiters.PushBack(w)
		tk.armCase()
		return kernel.CaseQueued
	}
	if !first && !w.TryWake() {
		return kernel.CaseLost
	}
	w.Data = tk.take(now)
	return kernel.CaseReady
}

// take hands out the tick due at now (ErrStopped once stopped).
func (tk *Ticker) take(now time.Time) *tickGrant {
	if tk.stopped {
		return &tickGrant{err: ErrStopped}
	}
	g := &tickGrant{at: tk.next, prev: tk.next}
	tk.advance(now)
	g.after = tk.next
	return g
}

// armCase starts the timer that wakes the case waiters at the next tick.
func (tk *Ticker) armCase() {
	if tk.armed || tk.waiters.Len() == 0 {
		return
	}
	tk.armed = true
	tk.tm = kernel.Timer{When: tk.next, Fire: tk.fireCases}
	tk.ex.StartTimer(&tk.tm)
}

// fireCases gives each tick now due to a waiting case, in arrival order.
func (tk *Ticker) fireCases() {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	tk.armed = false
	now := tk.ex.Now()
	for !tk.stopped && !now.Before(tk.next) {
		w := tk.waiters.PopFront()
		if w == nil {
			break
		}
		g := tk.take(now)
		w.Data = g
		if !w.Task.Executor().Unpark(w) { // it gave up: the tick stays
			tk.next = g.prev
		}
	}
	tk.armCase()
}

// wakeCases ends the wait of every case with ErrStopped (Stop).
func (tk *Ticker) wakeCases() {
	if tk.armed {
		tk.ex.StopTimer(&tk.tm)
		tk.armed = false
	}
	for w := tk.waiters.PopFront(); w != nil; w = tk.waiters.PopFront() {
		w.Data = &tickGrant{err: ErrStopped}
		w.Task.Executor().Unpark(w)
	}
}

// rearmCases moves the case timer to a new next tick (Reset).
func (tk *Ticker) rearmCases() {
	if tk.armed {
		tk.ex.StopTimer(&tk.tm)
		tk.armed = false
	}
	tk.armCase()
}

func (c *tickerCase) CancelCase(w *kernel.Waiter) {
	tk := (*Ticker)(c)
	tk.mu.Lock()
	defer tk.mu.Unlock()
	tk.waiters.Remove(w)
	if tk.waiters.Len() == 0 && tk.armed {
		tk.ex.StopTimer(&tk.tm) // an idle ticker costs no timer
		tk.armed = false
	}
}

func (c *tickerCase) FireCase(w *kernel.Waiter, f any) {
	if f, ok := f.(func(time.Time, error)); ok && f != nil {
		g := w.Data.(*tickGrant)
		f(g.at, g.err)
	}
}

func (c *tickerCase) UndoCase(w *kernel.Waiter) {
	tk := (*Ticker)(c)
	g, ok := w.Data.(*tickGrant)
	if !ok || g.err != nil {
		return
	}
	tk.mu.Lock()
	if tk.next.Equal(g.after) {
		tk.next = g.prev
	}
	tk.mu.Unlock()
}
