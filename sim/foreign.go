package sim

import (
	goruntime "runtime"
	"runtime/debug"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// ForeignGoroutineError is a run's failure when a goroutine that is none of
// the simulation's tasks used it (S64): a plain go statement, say, or a
// library's (net/http's server reads each connection on a goroutine of its
// own). A simulation runs one task at a time; such a goroutine would run
// beside the task running, racing with it and with the scheduler. The use
// is caught whenever it happens while the simulation runs: the goroutine
// is ended with runtime.Goexit (its deferred functions run; the test binary
// goes on) and the run fails with this error. Before reporting a deadlock,
// the simulation waits up to 20 ms of wall time while goroutines besides
// its own exist, so that a task waiting for such a goroutine (a server's
// reply) fails with this error rather than a deadlock. A goroutine that
// uses the simulation only after it was shut down is ended the same way,
// but the run has been reported by then.
type ForeignGoroutineError struct {
	Op    string // what the goroutine did: "blocking call", "socket call", "Spawn", ...
	Stack []byte // the goroutine's stack when it was caught
}

func (e *ForeignGoroutineError) Error() string {
	return "sim: " + e.Op + " from a goroutine that is not a task of the simulation (a go statement, or a library's); " +
		"a simulation runs only its tasks: start that code with runtime.Spawn(ctx, ...) instead of go"
}

// onGoroutine reports whether the caller runs on w's goroutine.
//
//go:norace
func onGoroutine(w *worker) bool { return w.g == kernel.Goroutine() }

// foreignCaller reports whether the calling goroutine is none of the
// simulation's: not the running task's (or another task's, which would be
// a task misusing a ctx), not the driver's, not the harness's (any
// goroutine between runs). It reads the
// executor's state without synchronisation, as a foreign goroutine must:
// its answer is exact for every goroutine but the foreign one, which only
// learns that it is foreign.
//
//go:norace
func (e *executor) foreignCaller() bool {
	g := kernel.Goroutine()
	if !e.running {
		// Between runs any goroutine may act as the harness; once the
		// simulation is shut down, only a goroutine that outlived it
		// (leaked by a task) still uses it.
		return e.closed && g != e.harness && !e.simGoroutine(g)
	}
	if t := e.current; t != nil {
		if w := taskWorker(t); w != nil && w.g == g {
			return false
		}
	}
	return !e.simGoroutine(g)
}

// simGoroutine reports whether g is the driver's or a worker's goroutine.
//
//go:norace
func (e *executor) simGoroutine(g uintptr) bool {
	if g == e.driverG {
		return true
	}
	for _, w := range e.workers {
		if w.g == g {
			return true
		}
	}
	for t := e.live.Front(); t != nil; t = t.Next() {
		if w := taskWorker(t); w != nil && w.g == g {
			return true
		}
	}
	return false
}

// foreign fails the run with a ForeignGoroutineError and ends the calling
// goroutine, which is none of the simulation's: a panic there would crash
// the test binary, and going on would drive the simulation from outside.
//
//go:norace
func (e *executor) foreign(what string) {
	e.foreignErr.CompareAndSwap(nil, &ForeignGoroutineError{Op: what, Stack: debug.Stack()})
	goruntime.Goexit()
}

// foreignFailure returns the run's ForeignGoroutineError, if any.
func (e *executor) foreignFailure() error {
	if f := e.foreignErr.Load(); f != nil {
		return f
	}
	return nil
}

// awaitForeign gives goroutines outside the simulation a moment to run
// before a deadlock is reported: a deadlock is often a task waiting for
// what such a goroutine was meant to do (a server's reply), and that
// goroutine's use of the simulation is the failure to report. It waits only
// while there are more goroutines than when the drive began (besides the
// simulation's own), at most foreignGrace of wall time, and reports whether
// one was caught. Nothing it does touches the run's decisions.
func (e *executor) awaitForeign() bool {
	own := e.coros + 1 // the workers' coroutines and the driver
	if e.cfg.watchdog > 0 {
		own++
	}
	for waited := time.Duration(0); ; waited += foreignPoll {
		if e.foreignErr.Load() != nil {
			return true
		}
		if goruntime.NumGoroutine()-own <= e.baseline || waited >= foreignGrace {
			return false
		}
		goruntime.Gosched()
		time.Sleep(foreignPoll)
	}
}

// foreignGrace bounds awaitForeign's wait; foreignPoll is its step.
const (
	foreignGrace = 20 * time.Millisecond
	foreignPoll  = 100 * time.Microsecond
)

// countBaseline records, as a drive begins, how many goroutines are not
// the simulation's.
func (e *executor) countBaseline() { e.baseline = goruntime.NumGoroutine() - e.coros }

// CheckUnwind vets the goroutine that unwinds t (kernel.Task.Unwind): only
// t's own may; another task's misuses t's ctx, and any other goroutine is
// foreign. Without it, a foreign goroutine using a dropped task's ctx would
// panic with the drop signal and crash the binary.
//
//go:norace
func (e *executor) CheckUnwind(t *kernel.Task) {
	if w := taskWorker(t); w != nil && onGoroutine(w) {
		return
	}
	e.wrongCaller(t, "a dropped task's call")
}
