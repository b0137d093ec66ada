package kernel

import (
	"io"
	"sync/atomic"
)

// IOBlocker is implemented by an executor whose tasks can block outside
// any yield point in socket I/O: the production one, where a blocked read
// is a goroutine in a system call that Abort cannot wake.
//
// BlockIO is called on the goroutine about to block in I/O that c's Close
// ends. If the goroutine's task was aborted already, it returns that task
// and the caller drops it at once (Resume(t, ErrDropped)) without doing the
// I/O. Otherwise an Abort of the task closes c from then on, until done is
// called after the I/O; done returns the task if it was aborted meanwhile,
// and the caller drops it then.
type IOBlocker interface {
	BlockIO(c io.Closer) (dropped *Task, done func() *Task)
}

// SetGoroutine records the goroutine that runs t (Goroutine), for the
// production executor, which maps blocked goroutines back to their tasks
// (IOBlocker). It keeps it in Sim.Prio, which a simulation alone uses
// otherwise: a field of its own would push runtime's JoinHandle over its
// allocation size class. Abort reads it from other goroutines, so it is
// atomic.
func (t *Task) SetGoroutine(g uintptr) { atomic.StoreUint64(&t.Sim.Prio, uint64(g)) }

// RunsOn returns the goroutine SetGoroutine recorded, or 0.
func (t *Task) RunsOn() uintptr { return uintptr(atomic.LoadUint64(&t.Sim.Prio)) }
