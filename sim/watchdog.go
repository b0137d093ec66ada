package sim

import (
	"bytes"
	goruntime "runtime"
	"strings"
	"time"
)

// watchdog fails the run when a task stays inside one step for longer than
// cfg.watchdog of wall time. It reads only atomics of the executor; the
// wall clock it uses decides whether the run fails, never what it does.
func (e *executor) watchdog(stop <-chan struct{}, stuck chan<- error) {
	limit := e.cfg.watchdog
	tick := time.NewTicker(max(limit/8, time.Millisecond))
	defer tick.Stop()
	last, since := e.progress.Load(), time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			p := e.progress.Load()
			if p != last {
				last, since = p, now
				continue
			}
			if now.Sub(since) >= limit {
				// e.current was set before the progress counter was
				// bumped (which this goroutine has loaded), and does not
				// change while the task is stuck.
				t := e.current
				stuck <- &StuckTaskError{ID: t.ID(), Name: t.Name(), After: now.Sub(since), Stack: stuckStack(t.SpawnFunc)}
				return
			}
		}
	}
}

// ownGoroutineStack returns the calling goroutine's stack.
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
// for. If simulations running in parallel leave several candidates, all
// are shown.
func stuckStack(fn uintptr) string {
	name := "sim.(*executor).newWorker"
	if f := goruntime.FuncForPC(fn); f != nil {
		name = f.Name()
	}
	var found []string
	for _, g := range bytes.Split(allStacks(), []byte("\n\n")) {
		header, _, _ := bytes.Cut(g, []byte("\n"))
		if bytes.Contains(g, []byte("sim.(*executor).newWorker")) && bytes.Contains(g, []byte(name)) &&
			!bytes.Contains(header, []byte("[coroutine")) {
			found = append(found, string(g))
		}
	}
	if len(found) == 0 {
		return "(the stuck goroutine was not found in the dump)"
	}
	return strings.Join(found, "\n\n")
}

// allStacks dumps every goroutine.
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
