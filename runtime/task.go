package runtime

import (
	"context"
	"reflect"
	goruntime "runtime"

	"github.com/weftsim/weft/internal/kernel"
)

// JoinHandle is the handle of a spawned task. Dropping it detaches the task,
// which keeps running (S14).
type JoinHandle[T any] struct {
	b body[T]
}

// body is the task record and the user function in one allocation.
type body[T any] struct {
	task  kernel.Task
	f     func(ctx context.Context) (T, error)
	value T

	setIndex int // position among a JoinSet's running members
}

func (b *body[T]) RunTask(ctx context.Context) error {
	v, err := b.f(ctx)
	b.value = v
	b.f = nil
	return err
}

func (b *body[T]) result() (T, error) {
	err := outcomeError(&b.task, true)
	if o, _, _ := b.task.Result(true); o != kernel.Returned {
		var zero T
		return zero, err
	}
	return b.value, err
}

const spawnMisuse = "runtime: Spawn called without a runtime in ctx; call it inside Runtime.BlockOn, a task, or a ctx from Runtime.Enter"

// Spawn starts f as a new task on the runtime carried by ctx and returns its
// handle. It never runs f inline (S10): f's first instruction runs only after
// the caller reaches a yield point (simulation) or on another goroutine
// (production), so spawning while holding a lock the child also takes cannot
// deadlock (S11). The task's context is ctx (its values, deadline and
// cancellation) bound to the new task: cancelling ctx makes the task's
// blocking calls return ctx.Err() (S20) but does not abort it. Pass a task
// only its own context: in a simulation, using another task's context is
// a misuse that panics.
//
// Spawn panics if ctx carries no runtime (S12).
func Spawn[T any](ctx context.Context, f func(ctx context.Context) (T, error)) *JoinHandle[T] {
	return spawnAt(ctx, f, funcEntry(f), "")
}

// spawnAt is Spawn naming site (the entry of the user's function) as where
// the task comes from, for a simulation's reports.
func spawnAt[T any](ctx context.Context, f func(ctx context.Context) (T, error), site uintptr, name string) *JoinHandle[T] {
	cur := kernel.FromContext(ctx)
	if cur == nil {
		panic(spawnMisuse)
	}
	// S2 (revised): Spawn is a scheduling point, before the task is
	// registered, so the new task never runs before its spawner reaches a
	// later yield point (S10, S11).
	cur.Point(kernel.OpSpawn)
	if name != "" {
		ctx = kernel.WithName(ctx, name)
	}
	h := &JoinHandle[T]{b: body[T]{f: f}}
	h.b.task.SpawnFunc = site
	cur.Executor().Spawn(ctx, cur, &h.b.task, &h.b, nil)
	return h
}

// funcEntry returns the entry of f's code: for a function literal, the
// line of the Spawn call that passes it. It costs a few nanoseconds, where a
// stack walk for the call site would cost a hundred on every spawn.
func funcEntry(f any) uintptr { return reflect.ValueOf(f).Pointer() }

// Join waits for the task to end and returns its result (S13): the value
// and error f returned; an error matching ErrCancelled if the task was
// aborted or dropped; a *PanicError if it panicked. If ctx ends first, Join
// returns ctx.Err() and the handle stays joinable. Join may be called any
// number of times and returns the same outcome each time (S14).
//
// ctx need not carry a runtime in production; in a simulation it must be the
// calling task's context (S32).
func (h *JoinHandle[T]) Join(ctx context.Context) (T, error) {
	t := &h.b.task
	cur := kernel.FromContext(ctx)
	if cur == nil {
		cur = t.Executor().Outside()
	}
	if err := kernel.Join(ctx, cur, t); err != nil {
		var zero T
		return zero, err
	}
	return h.b.result()
}

// Abort asks for the task to be dropped (S15). It is idempotent and does not
// wait. A task that has not started never starts; a started task is dropped
// at its next yield point, running its deferred functions; a task that has
// already finished keeps its result.
func (h *JoinHandle[T]) Abort() {
	h.b.task.Executor().Abort(&h.b.task)
	h.b.task.Host().Point("Abort") // the aborting task's (S2, revised)
}

// IsFinished reports whether the task has fully ended, deferred functions
// included.
func (h *JoinHandle[T]) IsFinished() bool { return h.b.task.Finished() }

// ID returns the task's ID.
func (h *JoinHandle[T]) ID() TaskID { return h.b.task.ID() }

// CurrentTask returns the ID of the task whose context ctx is (or derives
// from), and false outside any task (S19).
func CurrentTask(ctx context.Context) (TaskID, bool) {
	if cur := kernel.FromContext(ctx); cur != nil && cur.IsTask() {
		return cur.ID(), true
	}
	return 0, false
}

// YieldNow is a yield point: in a simulation it lets the scheduler run
// another task (or this one again, as the strategy decides); in production
// it yields the processor. An aborted task is dropped here (S15).
func YieldNow(ctx context.Context) {
	cur := kernel.FromContext(ctx)
	if cur == nil {
		goruntime.Gosched()
		return
	}
	cur.Executor().Yield(cur)
}
