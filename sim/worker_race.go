//go:build race

package sim

import (
	"bytes"
	"unsafe"

	"github.com/weftsim/weft/internal/kernel"
)

// Under the race detector a simulation must show the detector only the
// happens-before edges the program creates (S2a), and none from the
// scheduler's switches. iter.Pull annotates every switch with an edge, and
// an edge between two goroutines carries everything the first did before
// it, so a race build drives tasks differently:
//
//   - every task runs on a goroutine of its own, never reused (a reused
//     goroutine would carry one task's history into the next), made with
//     synchronisation events hidden, so its maker gives it no history;
//   - control passes between the driver and a task's goroutine over
//     channels whose synchronisation is hidden (runtime.RaceDisable), and
//     every step goes through the driver (newExecutor sets viaDriver);
//   - a due timer runs on a fresh goroutine of its own too, which starts
//     with the history of whoever armed it (StartTimer);
//   - the scheduler's bookkeeping is written by functions marked
//     go:norace, which the detector does not see.
//
// The edges the program makes are annotated where they happen: Spawn,
// the wake-up of a parked task, the locks of the primitives.

// raceCoro is a worker's coroutine in a race build. Its goroutine is made
// when the coroutine is first resumed, runs the worker's task, and ends
// with it; resuming the coroutine again (a pooled worker given a new task)
// makes a new goroutine.
type raceCoro struct {
	e    *executor
	w    *worker
	in   chan bool     // resume (true) or stop (false) the goroutine
	out  chan struct{} // the goroutine yielded or ended
	live bool          // a goroutine is running or suspended
}

//go:norace
func (e *executor) newWorker() *worker {
	w := &worker{}
	e.coros++ // counted as iter.Pull's, though it has a goroutine only while it runs a task
	c := &raceCoro{e: e, w: w, in: make(chan bool), out: make(chan struct{})}
	w.next, w.yield, w.stop = c.next, c.yield, c.stop
	return w
}

// next resumes the coroutine until it yields or its task ends; the bool
// reports whether it yielded.
//
//go:norace
func (c *raceCoro) next() (struct{}, bool) {
	kernel.RaceDisable()
	if !c.live {
		c.live = true
		go c.body()
	} else {
		c.in <- true
	}
	<-c.out
	kernel.RaceEnable()
	return struct{}{}, c.live
}

// yield suspends the calling task's goroutine until next or stop; it
// reports false if stopped.
//
//go:norace
func (c *raceCoro) yield(struct{}) bool {
	kernel.RaceDisable()
	c.out <- struct{}{}
	ok := <-c.in
	kernel.RaceEnable()
	return ok
}

// stop makes a suspended goroutine's yield report false and waits for the
// goroutine to end.
//
//go:norace
func (c *raceCoro) stop() {
	if !c.live {
		return
	}
	kernel.RaceDisable()
	c.in <- false
	<-c.out
	kernel.RaceEnable()
}

// body is the goroutine of a task. The task's first instruction comes
// after everything its spawner did before Spawn (S11): Spawn releases on
// the task's record, and the task acquires it here.
//
//go:norace
func (c *raceCoro) body() {
	c.w.g = kernel.Goroutine() // the task's own goroutine (foreign.go)
	defer c.ended()
	for c.w.task != nil {
		t := c.w.task
		kernel.RaceAcquire(unsafe.Pointer(t))
		if t.Aborted() {
			// Aborted before its first step (S15): checked here, after
			// the spawn, not on the driver, which never reads what a
			// spawner wrote (enter).
			c.e.current = nil
			kernel.Finish(t, kernel.Cancelled, nil, nil)
			c.e.ended(c.w, t)
			return
		}
		kernel.Run(t)
		c.e.ended(c.w, t)
		c.w.task = c.e.inline(c.w)
	}
}

// ended hands control back for the last time: the goroutine is over
// (its task returned, or its goroutine is ending with runtime.Goexit).
//
//go:norace
func (c *raceCoro) ended() {
	c.live = false
	c.w.g = 0 // the goroutine ends; the runtime may reuse its record
	kernel.RaceDisable()
	c.out <- struct{}{}
}

// workerFrame is in the stack of every task's goroutine (stuckStack).
const workerFrame = "sim.(*raceCoro).body"

// suspended reports whether the goroutine of a dump (its header line and
// its whole stack) is a task's switched out, not a stuck task.
func suspended(_, g []byte) bool { return bytes.Contains(g, []byte("sim.(*raceCoro).yield")) }

// expire runs a due timer on a goroutine of its own, which starts with the
// history of the timer's arming (StartTimer released on it), so that what
// the timer does (wake a sleeper, deliver a message, cancel a context)
// comes after that and after nothing else the driver saw.
//
//go:norace
func (e *executor) expire(tm *kernel.Timer) {
	done := make(chan struct{})
	driver := e.driverG
	kernel.RaceDisable()
	go e.runTimer(tm, done)
	<-done
	kernel.RaceEnable()
	e.driverG = driver
}

// runTimer is the goroutine of a due timer. It stands for the driver
// meanwhile (foreign.go).
//
//go:norace
func (e *executor) runTimer(tm *kernel.Timer, done chan<- struct{}) {
	e.driverG = kernel.Goroutine()
	kernel.RaceAcquire(unsafe.Pointer(tm))
	tm.Expire()
	kernel.RaceDisable()
	done <- struct{}{}
}
