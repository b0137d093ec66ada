package clock

import "github.com/weftsim/weft/internal/kernel"

// checkOwner panics unless cur belongs to ex, the runtime a timer or
// ticker was made with, whenever either is a simulation: a task of one
// simulation waiting on another's timer would be woken by that
// simulation's scheduler, on its goroutine, in its virtual time.
func checkOwner(ex kernel.Executor, cur *kernel.Task, kind, op string) {
	if other := cur.Executor(); other != ex && (ex.Virtual() || other.Virtual()) {
		panic("clock: " + kind + "." + op + " with the ctx of another runtime than the " + kind +
			"'s (another simulation?); make each simulation its own " + kind)
	}
}
