package sim

import (
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// A failure report shows the events that led to the failure, not the
// last events of the run: a task that panics unobserved at +1.4 s may be
// followed by seconds of other work and a shutdown that would push its
// events out of the ring. So the executor keeps, for each failed task,
// the step and virtual time at which it ended, and a copy of the event
// ring at the first failure that may go unobserved; Run copies the ring
// again when the root task's run fails, before the shutdown adds its own
// events.

// failPoint is where a task failed (panicked or called runtime.Goexit).
type failPoint struct {
	step uint64
	at   time.Duration
}

// StopOnPanic makes a run stop at the first task that panics or calls
// runtime.Goexit while no Join has observed it yet: the run fails there
// with an *UnobservedPanicError, and the tasks left are dropped, as when
// the root task fails. Without it (the default) the run goes on, since a
// Join may still observe the panic; if none does, the run fails at its
// end, and the report still gives the step, the virtual time and the
// events of the panic.
func StopOnPanic() Option {
	return func(c *config) { c.stopOnPanic = true }
}

// taskFailed notes that e.failed's last task failed, just now.
//
//go:norace
func (e *executor) taskFailed(t *kernel.Task) {
	e.failAt = append(e.failAt, failPoint{step: e.steps, at: e.now})
	if e.cfg.allowPanics {
		return
	}
	if e.snapOf == nil || e.snapOf.Observed() {
		e.snapOf, e.snapEvents = t, e.trace.events()
	}
	if e.cfg.stopOnPanic && e.halt == nil && !e.closed {
		e.halt = e.unobservedError(len(e.failed) - 1)
	}
}

// unobserved returns the S17 failure for the first task that panicked (or
// called runtime.Goexit) without any Join observing it.
//
//go:norace
func (e *executor) unobserved() *UnobservedPanicError {
	for i, t := range e.failed {
		if !t.Observed() {
			return e.unobservedError(i)
		}
	}
	return nil
}

// unobservedError is the S17 failure of e.failed[i].
//
//go:norace
func (e *executor) unobservedError(i int) *UnobservedPanicError {
	t := e.failed[i]
	err := &UnobservedPanicError{Err: kernel.OutcomeError(t), Step: e.failAt[i].step, At: e.failAt[i].at}
	if e.snapOf == t {
		err.events = e.snapEvents
	}
	return err
}

// failureEvents returns the events that led to r's failure.
func (r *Result) failureEvents() []Event {
	if r.failEvents != nil {
		return r.failEvents
	}
	return r.Events
}
