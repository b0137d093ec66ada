package sim

import (
	"bytes"
	goruntime "runtime"
	"strconv"
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
				w := t.Sim.Worker.(*worker)
				stuck <- &StuckTaskError{ID: t.ID(), After: now.Sub(since), Stack: goroutineStack(w.goid.Load())}
				return
			}
		}
	}
}

// currentGoid parses the calling goroutine's ID from its stack header. It
// runs once per coroutine, so that a stuck task's stack can be found later.
func currentGoid() uint64 {
	var buf [64]byte
	b := buf[:goruntime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		id, _ := strconv.ParseUint(string(b[:i]), 10, 64)
		return id
	}
	return 0
}

// goroutineStack returns the stack of goroutine id.
func goroutineStack(id uint64) string { return findStack(allStacks(), id) }

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

// findStack picks goroutine id out of a dump.
func findStack(dump []byte, id uint64) string {
	head := []byte("goroutine " + strconv.FormatUint(id, 10) + " [")
	for _, g := range bytes.Split(dump, []byte("\n\n")) {
		if bytes.HasPrefix(g, head) {
			return string(g)
		}
	}
	return "(goroutine " + strconv.FormatUint(id, 10) + " not found)"
}
