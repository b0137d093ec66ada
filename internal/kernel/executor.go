package kernel

import (
	"context"
	"errors"
	"runtime"
	"time"
)

// Executor runs tasks. The production executor (package runtime) runs each
// task on its own goroutine; the simulated executor (package sim) runs one
// task at a time under a seeded scheduler with virtual time.
type Executor interface {
	// Spawn initialises t with a fresh ID and registers it to run body
	// (S10: never inline). spawner is the calling task or the executor's
	// Outside binding; ctx supplies the new task's context values. After
	// shutdown the task ends Cancelled without running.
	Spawn(ctx context.Context, spawner *Task, t *Task, body Runner, done Completer)

	// Park blocks w.Task until Unpark(w) succeeds (nil), ctx ends first
	// (ctx.Err(), and w is abandoned), or the task is dropped (ErrDropped;
	// w may have been woken all the same: check w.Woken to undo a grant).
	Park(ctx context.Context, w *Waiter) error

	// Unpark wakes w's task and reports true, unless w already gave up
	// (its ctx ended, or its task was dropped): then it reports false and
	// the caller hands whatever it was granting to somebody else.
	Unpark(w *Waiter) bool

	// Deliver makes w's task runnable after a successful TryWake on w
	// (Unpark is TryWake then Deliver).
	Deliver(w *Waiter)

	// Yield is a bare yield point (runtime.YieldNow).
	Yield(t *Task)

	// Point is a scheduling point at an operation that need not wait
	// (S2, revised): the strategy may run another task before t goes
	// on. t is the running task, or nil for an operation that takes no
	// ctx (the executor's running task then). Callers go through
	// Task.Point or Host.Point, which call it only when another task is
	// runnable. Production never calls it.
	Point(t *Task, op string)

	// Abort requests that t be dropped at its next yield point (S15).
	Abort(t *Task)

	// BlockOn runs body as the root task (initialising root as Spawn
	// does) and returns once it has ended. Its error is the executor's own
	// failure (a simulation's deadlock, say); the root's outcome is in
	// root.
	BlockOn(root *Task, body Runner) error

	// Shutdown drops every outstanding task and waits for them to end
	// (S16). A negative timeout waits for ever; otherwise an error reports
	// tasks still running when it expires.
	Shutdown(timeout time.Duration) error

	// Outside is the binding for contexts made by Runtime.Enter: it has the
	// executor but is not a task (ID 0).
	Outside() *Task

	// Current returns the running task of a simulation, or nil (always nil
	// in production, where tasks run at once). Calls that take no context,
	// such as net.Conn's, find their task through it.
	Current() *Task

	// Attach stores value under key for the executor's lifetime (netsim's
	// network of a simulation) unless key already has a value, which it
	// returns; a nil value detaches key. Attached reads it back.
	// Production executors keep nothing.
	Attach(key, value any) (existing any)
	Attached(key any) any

	// Note records an event of a subsystem (netsim's messages) in a
	// simulation's event log and hash; production ignores it.
	Note(what string)

	// Now is the executor's time: the wall clock, or virtual time.
	Now() time.Time

	// StartTimer arranges for tm.Fire to be called at tm.When. In a
	// simulation it runs on the scheduler between steps and must not
	// block; timers due at the same instant fire in seeded order (S6).
	StartTimer(tm *Timer)

	// StopTimer cancels tm and reports whether it was still pending.
	StopTimer(tm *Timer) bool

	// Virtual reports whether this is a simulation.
	Virtual() bool

	// RandN returns a number in [0, n): from the seeded PRNG in a
	// simulation (so a Select's choice among ready cases is the seed's,
	// S31), from the global source in production.
	RandN(n int) int

	// RandUint64 is a raw draw for application randomness
	// (runtime.Rand, runtime.Buggify): a recorded decision in a
	// simulation, the global source in production.
	RandUint64() uint64
}

// ErrDropped is returned by Park when the parked task is being dropped
// (aborted or shut down). Primitives clean up, then call Resume, which
// unwinds the task.
var ErrDropped = errors.New("kernel: task dropped")

type dropSignal struct{}

// Resume turns the error from Park into a primitive's return value. If the
// task is being dropped it unwinds the task instead and never returns: the
// yield point does not return to user code (S15).
func Resume(t *Task, err error) error {
	if err == ErrDropped {
		t.Unwind()
	}
	return err
}

// Unwind starts (or restarts) the unwinding of a dropped task. Deferred
// functions run; the executor that runs the task recovers the signal and
// records the task as Cancelled.
//
// A task that recovered its unwinding and reached a yield point again is
// not unwound a second time with a panic it could recover again: its
// goroutine exits (runtime.Goexit, which no recover stops), running the
// remaining deferred functions, and the task still ends Cancelled.
//
// An executor that implements UnwindChecker vets the caller first: a
// simulation fails the run if the goroutine is none of its tasks.
func (t *Task) Unwind() {
	if c, ok := t.host.Exec.(UnwindChecker); ok {
		c.CheckUnwind(t)
	}
	if t.unwinding {
		runtime.Goexit()
	}
	t.unwinding = true
	panic(dropSignal{})
}

// UnwindChecker is implemented by an executor that must vet the goroutine
// about to unwind a task (Task.Unwind).
type UnwindChecker interface {
	CheckUnwind(t *Task)
}

// IsDropSignal reports whether a recovered value is the drop signal
// (runtime.IsDrop is its public face).
func IsDropSignal(r any) bool {
	_, ok := r.(dropSignal)
	return ok
}

// CheckDrop unwinds t at a yield point if it was aborted.
func CheckDrop(t *Task) {
	if t.id != 0 && t.aborted.Load() {
		t.Unwind()
	}
}

// bindingKey is the context key under which a *Task (or an executor's
// Outside binding) is stored.
type bindingKey struct{}

// FromContext returns the task or Outside binding carried by ctx, or nil.
func FromContext(ctx context.Context) *Task {
	if t, ok := ctx.(*Task); ok {
		return t
	}
	if ctx == nil {
		return nil
	}
	t, _ := ctx.Value(bindingKey{}).(*Task)
	return t
}

// WithBinding returns a context carrying b (an executor's Outside binding).
func WithBinding(ctx context.Context, b *Task) context.Context {
	return context.WithValue(ctx, bindingKey{}, b)
}

// NewOutside returns an Outside binding for host's executor.
func NewOutside(host *Host) *Task {
	t := &Task{host: host, parent: context.Background()}
	t.mu.off = host.Virtual
	return t
}

// Simulated reports whether t (a task or an Outside binding) belongs to a
// simulated executor.
func (t *Task) Simulated() bool { return t.mu.off }

// IsTask reports whether t is a task rather than an Outside binding.
func (t *Task) IsTask() bool { return t.id != 0 }
