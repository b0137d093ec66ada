// Package kernel is the executor contract shared by runtime, clock, netsim
// and sim: task records, the context binding that lets a call find its
// executor (S1 of docs/CONTRACT.md), park/unpark with a reason, and the timer hook of the
// virtual clock.
//
// Two executors implement Executor: the production one in package runtime
// (goroutines, the wall clock) and the simulated one in package sim (one task
// at a time, seeded decisions, virtual time). Primitives written against this
// package work unchanged on both.
package kernel

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// TaskID identifies a task within one executor. IDs start at 1; 0 means "no
// task".
type TaskID uint64

// Outcome says how a task ended.
type Outcome uint8

const (
	// Running: the task has not ended yet.
	Running Outcome = iota
	// Returned: the body returned; Task.Err holds its error.
	Returned
	// Cancelled: the task was aborted or dropped by shutdown (S15, S16).
	Cancelled
	// Panicked: the body panicked; Task.Panic holds the value and stack.
	Panicked
	// Goexited: the body called runtime.Goexit (t.FailNow inside a task);
	// Task.Panic holds the stack at the call (no value).
	Goexited
)

// Runner is the body of a task. The runtime package implements it on its
// JoinHandle so that a spawn allocates one object.
type Runner interface {
	RunTask(ctx context.Context) error
}

// Completer is told when a task has ended, after its outcome is recorded.
// JoinSet uses it to collect results in completion order.
type Completer interface {
	TaskDone(t *Task)
}

// PanicInfo is what a panicking task left behind.
type PanicInfo struct {
	Value any
	Stack []byte
}

// Task is one task's record. A Task is also the task's context: the context
// it was spawned from (its values, deadline and cancellation) plus the task
// binding.
//
// Fields marked executor-private belong to the executor that created the
// task; nothing else touches them.
type Task struct {
	// The fields a scheduling step touches come first, so that a step
	// reads few cache lines of a task (a simulation with many tasks is
	// bound by memory, not by instructions): a sleep touches three lines
	// of the record, the timer that wakes it two (cachegrind on W3).
	id   TaskID
	host *Host

	// Executor-private: simulation.
	Sim SimState

	timer *Timer // made at the first sleep, then reused

	// end holds endFinished, set once the outcome is recorded, and
	// endJoined, set by a Join about to queue: each side sets its bit and
	// learns the other's in one atomic step, so Finish takes mu only when
	// a joiner may be queued.
	end atomic.Uint32
	// aborted is set by Abort; unwinding is set once the task has been
	// made to unwind (S15). A task that recovers the unwinding and goes on
	// is unwound again at its next yield point and still ends Cancelled.
	aborted   atomic.Bool
	unwinding bool
	// cancellable is false when parent can never be cancelled (its Done is
	// nil): then Done and Err need not ask it, on every wait.
	cancellable bool
	outcome     Outcome
	observed    bool
	// mu guards joiners in the production executor (the outcome is
	// published through end). A simulation runs one task at a time and
	// skips it (mu.off).
	mu joinLock

	// waiter starts in the record's second cache line with what a wake-up
	// reads and writes (Task, lead, the simulated state, winner).
	waiter Waiter

	parent context.Context // the context Spawn was given
	cases  *[]Waiter       // made at the first Select, then reused

	body Runner
	done Completer

	// SpawnFunc is the entry of the task's function, for reports: for a
	// function literal, the line of the Spawn call.
	SpawnFunc uintptr

	ending  *ending // how the task ended, if with an error or a panic
	joiners WaitQueue

	// Scratch caches a primitive's per-wait record (a channel operation's
	// slot) for reuse: a task waits on one thing at a time.
	Scratch any

	// next, prev link the task into its executor's TaskList of live tasks;
	// member into its Group's, if it has one.
	next, prev *Task
	member     *member
}

// ending is what a task that ended with an error or a panic left: most
// end with neither, and their records keep one pointer, not three words.
type ending struct {
	err   error
	panic *PanicInfo
}

// joinLock guards a task's joiners; a simulated task's record leaves it
// off.
type joinLock struct {
	mu  sync.Mutex
	off bool
}

// Lock and Unlock of a simulated task's lock still order its holders for
// the race detector (race.go), as the lock does in production.
//
//go:norace
func (l *joinLock) Lock() {
	if !l.off {
		l.mu.Lock()
	}
	RaceAcquire(unsafe.Pointer(l))
}

//go:norace
func (l *joinLock) Unlock() {
	RaceRelease(unsafe.Pointer(l))
	if !l.off {
		l.mu.Unlock()
	}
}

// SimState is the simulated executor's bookkeeping for a task.
type SimState struct {
	State uint8 // runnable, parked, running, ... (sim's own constants)
	Woken uint8 // why Park returned (sim's own constants)
	// Spawned is set when the task spawns and cleared at its next step:
	// a Spawn right after a Spawn is no scheduling point (see OpSpawn).
	Spawned bool
	Watch   int32          // position in the ctx watch list, or -1
	Prio    uint64         // PCT priority (production: the task's goroutine, SetGoroutine)
	Waiter  *Waiter        // what the task is parked on
	Worker  unsafe.Pointer // the coroutine running the task (sim's *worker)
}

// Host is an executor as its tasks see it. Each executor makes one and its
// tasks point to it, so whether two tasks (or a task and a primitive) share
// an executor is a pointer comparison, not an interface one.
type Host struct {
	Exec    Executor
	Virtual bool // Exec.Virtual()
	// Ready counts a simulation's runnable tasks that are not running
	// (its run queue), so that a scheduling point with nobody else to run
	// costs one load and no call (see Point). Production leaves it 0.
	Ready int
}

// NewHost returns exec's Host.
func NewHost(exec Executor) *Host { return &Host{Exec: exec, Virtual: exec.Virtual()} }

// NewTask returns a task record for host's executor. parent supplies the
// task's context values; body runs the task; done, if not nil, is told when
// it ends.
func NewTask(t *Task, host *Host, id TaskID, parent context.Context, body Runner, done Completer) {
	t.id = id
	t.host = host
	t.parent = parent
	t.cancellable = parent.Done() != nil
	t.body = body
	t.done = done
	t.mu.off = host.Virtual
	t.Sim.Watch = -1
	if _, plain := parent.(*Task); !plain {
		claimName(parent, t)
	}
	if g := groupOf(parent); g != nil {
		g.add(t)
	}
}

const (
	endFinished = 1 << iota
	endJoined
)

// ID returns the task's ID.
func (t *Task) ID() TaskID { return t.id }

// Executor returns the executor that owns the task.
func (t *Task) Executor() Executor { return t.host.Exec }

// Host returns the Host of t's executor.
func (t *Task) Host() *Host { return t.host }

// Body returns the task's body.
func (t *Task) Body() Runner { return t.body }

// Aborted reports whether Abort was requested.
func (t *Task) Aborted() bool { return t.aborted.Load() }

// RequestAbort records an abort request and reports whether it is the first.
func (t *Task) RequestAbort() bool { return t.aborted.CompareAndSwap(false, true) }

// Finished reports whether the task has fully ended (its deferred functions
// have run and its outcome is recorded).
func (t *Task) Finished() bool { return t.end.Load()&endFinished != 0 }

// Result returns the task's outcome. Unless peek is true, it marks the
// outcome as observed (S17: an observed panic does not fail a simulation).
//
// The outcome is written before it is published (endFinished) and never
// changes after, so reading it takes no lock. Only a simulation asks
// whether an outcome was observed, and one task runs at a time there, so
// production does not record it.
func (t *Task) Result(peek bool) (Outcome, error, *PanicInfo) {
	if !t.Finished() {
		return Running, nil, nil
	}
	if !peek && t.mu.off {
		t.observed = true
	}
	if e := t.ending; e != nil {
		return t.outcome, e.err, e.panic
	}
	return t.outcome, nil, nil
}

// Observed reports whether some Join saw the task's outcome; it is kept in
// a simulation only.
func (t *Task) Observed() bool {
	if !t.mu.off {
		panic("kernel: Observed of a production task; only a simulation keeps it")
	}
	return t.observed
}

// Context: a Task is the context of its own body.

// Deadline implements context.Context with the spawn context's deadline.
func (t *Task) Deadline() (time.Time, bool) { return t.parent.Deadline() }

// Done implements context.Context with the spawn context's cancellation.
// Abort and shutdown do not cancel it: they drop the task (S15, S20).
func (t *Task) Done() <-chan struct{} {
	if !t.cancellable {
		return nil
	}
	return t.parent.Done()
}

// Err implements context.Context.
func (t *Task) Err() error {
	if !t.cancellable {
		return nil
	}
	return t.parent.Err()
}

// Value implements context.Context.
func (t *Task) Value(key any) any {
	switch key {
	case bindingKey{}:
		return t
	case groupKey{}: // decided at spawn: no walk up the chain
		if t.member == nil {
			return nil
		}
		return t.member.group
	}
	return t.parent.Value(key)
}

func (t *Task) String() string {
	if name := t.Name(); name != "" {
		return "task " + itoa(uint64(t.id)) + " (" + name + ")"
	}
	return "task " + itoa(uint64(t.id))
}

// HostName returns the name of the group t belongs to (netsim's host), or
// "".
func (t *Task) HostName() string {
	if t.member == nil {
		return ""
	}
	return t.member.group.Name
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
