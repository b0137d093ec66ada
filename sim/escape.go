package sim

import (
	"fmt"
	"strings"
	"time"

	"github.com/weftsim/weft/runtime"
)

// WallClockError reports a run in which no task can run and no virtual
// timer is pending, while a task waits with a context whose deadline is on
// the wall clock (the standard library's context.WithTimeout or
// WithDeadline): the simulation cannot see that timer, so from its side
// the run is deadlocked. Use clock.WithTimeout, whose deadline is virtual.
type WallClockError struct {
	Task     runtime.TaskID // the first task waiting so
	Name     string         // its name (runtime.SpawnNamed), if it has one
	Op       string         // what it waits in
	Deadline time.Time      // its context's deadline, on the wall clock
	Deadlock *DeadlockError // every blocked task
}

//go:norace
func (e *WallClockError) Error() string {
	return fmt.Sprintf("sim: %s waits on a wall-clock timer (context.WithTimeout?): use clock.WithTimeout; "+
		"it waits in %s with a context whose deadline (%s) is on the wall clock, which a simulation does not see\n%v",
		taskLabel(e.Task, e.Name), e.Op, e.Deadline.Format(time.RFC3339), e.Deadlock)
}

// Unwrap returns the deadlock, as the simulation sees it.
//
//go:norace
func (e *WallClockError) Unwrap() error { return e.Deadlock }

// wallClockEscape returns d, or a *WallClockError if a blocked task waits
// with a context that has a deadline. Nothing virtual is pending (that is
// why d is a deadlock), so such a deadline can only be a wall-clock
// timer's: a deadline of clock.WithDeadline would be a pending timer.
//
//go:norace
func (e *executor) wallClockEscape(d *DeadlockError) error {
	for t := e.live.Front(); t != nil; t = t.Next() {
		if t.Sim.State != stParked || t.Sim.Watch < 0 || int(t.Sim.Watch) >= len(e.watch) {
			continue
		}
		wt := e.watch[t.Sim.Watch]
		if wt.task != t || wt.ctx == nil || wt.ctx.Err() != nil {
			continue
		}
		if dl, ok := wt.ctx.Deadline(); ok {
			op := "a wait"
			if w := t.Sim.Waiter; w != nil {
				op = w.Reason.Op
			}
			wc := &WallClockError{Task: t.ID(), Op: op, Deadline: dl, Deadlock: d}
			for _, b := range d.Tasks {
				if b.ID == t.ID() {
					wc.Name = b.Name
				}
			}
			return wc
		}
	}
	return d
}

// nativeWait names, from the goroutine stack of a task stuck without a
// yield point, what it blocks on outside the simulation, and the weft call
// to use instead; "" if the stack does not say.
//
//go:norace
func nativeWait(stack string) (what, cure string) {
	header, _, _ := strings.Cut(stack, "\n")
	_, state, ok := strings.Cut(header, "[")
	if !ok {
		return "", ""
	}
	state, _, _ = strings.Cut(state, "]")
	state, _, _ = strings.Cut(state, ",") // "chan receive, 2 minutes"
	switch state {
	case "sleep":
		return "waits on a wall-clock timer (time.Sleep?)", "use clock.Sleep"
	case "chan receive", "chan send", "select", "chan receive (nil chan)", "chan send (nil chan)", "select (no cases)":
		return "waits on a native channel (time.After, a time.Timer, a std context's Done, a chan?)",
			"use clock.Sleep, clock.OnTimer, clock.WithTimeout, or runtime.Chan with runtime.Select"
	case "sync.Mutex.Lock", "sync.RWMutex.Lock", "sync.RWMutex.RLock":
		return "waits on a " + strings.TrimSuffix(strings.TrimSuffix(state, ".Lock"), ".RLock"),
			"use runtime." + strings.TrimPrefix(strings.TrimSuffix(strings.TrimSuffix(state, ".Lock"), ".RLock"), "sync.")
	case "sync.WaitGroup.Wait":
		return "waits on a sync.WaitGroup", "use runtime.WaitGroup"
	case "sync.Cond.Wait":
		return "waits on a sync.Cond", "use runtime.Notify"
	case "IO wait":
		return "waits on real I/O (package net or os?)", "use netsim"
	}
	return "", ""
}
