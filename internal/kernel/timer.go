package kernel

import "time"

// Timer is a one-shot callback at an instant of the executor's clock: the
// hook through which package clock (and netsim's delays) reach virtual time.
type Timer struct {
	When time.Time
	// Fire runs when the timer is due. If it is nil, the executor unparks
	// Wake instead (a sleep), which needs no closure.
	Fire func()
	Wake *Waiter
	gen  uint64 // the generation of Wake's wait the timer was armed for
	// lead is Wake's lead, kept so that a production timer firing after
	// its wait is over reads only the lead's atomic state: Wake itself may
	// be a Select case's waiter, reused by the task's next Select.
	lead *Waiter

	// Executor-private.
	Slot    uint32 // simulation: the slot its timer-heap entry names
	Pending bool   // simulation: started, not yet fired or stopped
	// virtual (Wake's mode) sits here, where Pending leaves room: a
	// production timer firing late must not read the waiter's own word to
	// learn it, since the task rewrites that word at its next wait.
	virtual bool
	Real    *time.Timer // production
}

// Expire runs what tm does when it is due.
func (tm *Timer) Expire() {
	if tm.Fire != nil {
		tm.Fire()
		return
	}
	if w := tm.Wake; tm.lead.tryWakeGen(tm.gen, tm.virtual, w) {
		w.Task.host.Exec.Deliver(w)
	}
}

// ArmWake sets tm to grant w's current wait at when, and no later wait of
// the same waiter (a production timer may fire after it was stopped). It
// keeps the executor's bookkeeping, so a timer can be re-armed after a stop.
func (tm *Timer) ArmWake(when time.Time, w *Waiter) {
	tm.When, tm.Fire, tm.Wake, tm.lead, tm.gen = when, nil, w, w.lead, w.Gen()
	tm.virtual = w.Task != nil && w.Task.mu.off
}

// SleepTimer returns a timer for one sleep of t that wakes w. A task sleeps
// once at a time and reuses a timer of its own; an Outside binding gets a
// fresh one.
func (t *Task) SleepTimer(when time.Time, w *Waiter) *Timer {
	tm := t.timer
	if tm == nil {
		tm = new(Timer)
		if t.IsTask() {
			t.timer = tm
		}
	}
	tm.ArmWake(when, w)
	return tm
}

// DropSleepTimer makes t's next sleep use a new timer. A sleep that ended
// early calls it when stopping its timer failed: a production timer may be
// firing at that moment, reading the record the next sleep would re-arm.
func (t *Task) DropSleepTimer() { t.timer = nil }
