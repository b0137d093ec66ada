package sim

import (
	"bytes"
	"errors"
	"fmt"
	goruntime "runtime"
	"strings"
	"time"
	"unsafe"

	"github.com/weftsim/weft/internal/kernel"
)

// watchdog fails the run when a task stays inside one step for longer than
// cfg.watchdog of wall time. It reads only atomics of the executor; the
// wall clock it uses decides whether the run fails, never what it does.
//
// It polls the step counter every limit/64 (at least every millisecond)
// and, once a step has lasted since it was first seen, checks again exactly
// when the limit is reached. A step is seen at most one poll after it
// began, so a task that overruns the limit by more than one poll (1/64 of
// the limit, at least 1 ms) plus however late the OS runs this goroutine
// is always reported, and one that stays within the limit never is.
//
//go:norace
func (e *executor) watchdog(stop <-chan struct{}, stuck chan<- error) {
	limit := e.cfg.watchdog
	poll := max(limit/64, time.Millisecond)
	timer := time.NewTimer(poll)
	defer timer.Stop()
	last, since := e.progress.Load(), time.Now()
	for {
		select {
		case <-stop:
			return
		case <-timer.C:
		}
		now := time.Now()
		if p := e.progress.Load(); p != last {
			last, since = p, now
		} else if now.Sub(since) >= limit {
			// stepTask was set before the progress counter was bumped
			// (which this goroutine has loaded). Only start writes it,
			// after schedule has read broken, which the drive sets once
			// it hears from this goroutine: the read and that write are
			// ordered for the race detector too (e.current is cleared
			// as the stuck task's step ends, without that order).
			t := e.stepTask
			kernel.RaceAcquire(unsafe.Pointer(e)) // after every spawn, as deadlock
			stuck <- &StuckTaskError{ID: t.ID(), Name: t.Name(), Step: p, After: now.Sub(since), Stack: stuckStack(t)}
			return
		}
		next := poll
		if due := since.Add(limit).Sub(now); due > 0 && due < next {
			next = due
		}
		timer.Reset(next)
	}
}

// abandoned is the Result of a run the watchdog gave up on. Its stuck task
// may resume at any time and go on changing the executor (until the
// driver drops every task), so nothing of the executor's state but its
// configuration is read: the Result has the failure and the step of it,
// and no hash, events or decisions.
func (e *executor) abandoned(err error) Result {
	r := Result{Seed: e.cfg.seed, Strategy: e.cfg.strategy, Err: err, cfg: e.cfg, recorded: true}
	var se *StuckTaskError
	if errors.As(err, &se) {
		r.Steps, r.failStep = se.Step, se.Step
	}
	return r
}

// ownGoroutineStack returns the calling goroutine's stack.
//
//go:norace
func ownGoroutineStack() string {
	buf := make([]byte, 1<<14)
	for {
		n := goruntime.Stack(buf, false)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// stuckStack finds a stuck task's goroutine in a dump of all goroutines:
// a simulation worker that is not parked in a coroutine switch and runs
// the task's function. Coroutines do not record their goroutine IDs (that
// costs a stack read per coroutine); a stuck task is rare enough to search
// for. The goroutine whose kernel.Run frame holds t itself comes first;
// other candidates (an earlier run's task, stuck in the same function and
// abandoned, or a parallel simulation's) follow.
//
//go:norace
func stuckStack(t *kernel.Task) string {
	name := workerFrame
	if f := goruntime.FuncForPC(t.SpawnFunc); f != nil {
		name = f.Name()
	}
	own := []byte(fmt.Sprintf("kernel.Run(%#x", uintptr(unsafe.Pointer(t))))
	var found []string
	for _, g := range bytes.Split(allStacks(), []byte("\n\n")) {
		header, _, _ := bytes.Cut(g, []byte("\n"))
		if bytes.Contains(g, []byte(workerFrame)) && bytes.Contains(g, []byte(name)) &&
			!suspended(header, g) {
			if bytes.Contains(g, own) {
				found = append([]string{string(g)}, found...)
			} else {
				found = append(found, string(g))
			}
		}
	}
	if len(found) == 0 {
		return "(the stuck goroutine was not found in the dump)"
	}
	return strings.Join(found, "\n\n")
}

// allStacks dumps every goroutine.
//
//go:norace
func allStacks() []byte {
	buf := make([]byte, 1<<16)
	for {
		n := goruntime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}
