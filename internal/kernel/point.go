package kernel

// Scheduling points (S2, revised): in a simulation every operation on
// a weft primitive may switch tasks, whether or not it has to wait, so that
// a bug whose window holds an uncontended Lock or a send into free buffer
// space is found. An operation that may wait (or may fail without effect:
// Lock, TryLock, Send, TryRecv, ...) has its point before it, so a task
// dropped there did nothing; an operation that releases (Unlock, Release,
// Close, NotifyOne, Done, Spawn, Abort) has it after it completes, so a
// task dropped there has released. No point falls inside an operation.
//
// A point at which no other task is runnable is not a step: nothing is
// decided, nothing switches, and it costs a load and a compare. Production
// pays the same (Host.Ready is always 0 there).

// OpSpawn is the op of Spawn's scheduling point. It comes before the task
// is registered, and a Spawn that follows a Spawn with no step in between
// has none, so that no task spawned while its spawner holds a lock runs
// before the spawner reaches another yield point (S11: not even a
// sync.Mutex held across a run of Spawns deadlocks with their tasks).
const OpSpawn = "Spawn"

// Point is a scheduling point of t, the running task, at op.
func (t *Task) Point(op string) {
	if t.host.Ready != 0 {
		t.host.Exec.Point(t, op)
	}
}

// Point is a scheduling point at op, an operation that takes no ctx, of a
// primitive whose home is h (nil: it has none yet, and no point is
// possible).
func (h *Host) Point(op string) {
	if h != nil && h.Ready != 0 {
		h.Exec.Point(nil, op)
	}
}

// Unwinding reports whether t is being dropped and its deferred functions
// run: a point there does not drop it again, so that a deferred Unlock
// does not cut short the function that defers it.
func (t *Task) Unwinding() bool { return t.unwinding }
