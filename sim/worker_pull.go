//go:build !race

package sim

import (
	"bytes"
	"iter"

	"github.com/weftsim/weft/internal/kernel"
)

// newWorker makes a coroutine with iter.Pull. A race build makes its own
// (worker_race.go).
func (e *executor) newWorker() *worker {
	w := &worker{}
	e.coros++
	w.next, w.stop = iter.Pull(func(yield func(struct{}) bool) {
		w.yield = yield
		w.g = kernel.Goroutine()
		for {
			for w.task != nil {
				t := w.task
				kernel.Run(t)
				e.ended(w, t)
				w.task = e.inline(w)
			}
			if !e.keepIdle() {
				w.over = true // see leave
				return
			}
			if !yield(struct{}{}) {
				return
			}
		}
	})
	return w
}

// workerFrame is in the stack of every task's goroutine (stuckStack).
const workerFrame = "sim.(*executor).newWorker"

// suspended reports whether the goroutine of a dump (its header line and
// its whole stack) is a coroutine switched out, not a stuck task.
func suspended(header, _ []byte) bool { return bytes.Contains(header, []byte("[coroutine")) }

// expire runs a due timer on the driver (see worker_race.go).
func (e *executor) expire(tm *kernel.Timer) { tm.Expire() }
