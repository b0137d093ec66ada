package runtime

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/internal/prod"
)

// Runtime owns an executor: the production one from New, or a simulated one
// from sim.New. Its methods behave alike on both; the context passed to a
// task tells every call which executor serves it (S1).
type Runtime struct {
	ex kernel.Executor
}

// Option configures a production Runtime.
type Option func(*config)

type config struct {
	onPanic func(*PanicError)
}

// WithPanicHandler sets the function called, on the panicking task's
// goroutine, for every panic of a spawned task (BlockOn returns the panic of
// its own function instead). The default prints the panic and its
// stack to standard error; the panic is also returned by Join (S17: a task
// panic never crashes the process).
func WithPanicHandler(f func(*PanicError)) Option {
	return func(c *config) { c.onPanic = f }
}

// New returns a Runtime with the production executor: each task runs on its
// own goroutine, time is the wall clock.
func New(opts ...Option) *Runtime {
	c := config{onPanic: printPanic}
	for _, o := range opts {
		o(&c)
	}
	var onPanic func(kernel.TaskID, any, []byte)
	if c.onPanic != nil {
		onPanic = func(id kernel.TaskID, v any, stack []byte) { c.onPanic(&PanicError{ID: id, Value: v, Stack: stack}) }
	}
	return &Runtime{ex: prod.New(prod.Config{OnPanic: onPanic})}
}

func printPanic(p *PanicError) {
	fmt.Fprintf(os.Stderr, "%v\n\n%s\n", p, p.Stack)
}

// BlockOn runs f as a task with a context bound to the runtime and returns
// f's error. In production f runs on the calling goroutine, so a
// runtime.Goexit in f (t.FailNow) ends the caller as it would without weft. If f panics, BlockOn returns a *PanicError; if the runtime is
// shut down meanwhile, an error matching ErrCancelled. In a simulation,
// BlockOn drives the scheduler until f returns and also returns the
// simulation's own failures (deadlock, step limit, a stuck task).
func (rt *Runtime) BlockOn(f func(ctx context.Context) error) error {
	root := &rootTask{f: f}
	root.task.SpawnFunc = funcEntry(f)
	if err := rt.ex.BlockOn(&root.task, root); err != nil {
		return err
	}
	return outcomeError(&root.task, true)
}

type rootTask struct {
	task kernel.Task
	f    func(ctx context.Context) error
}

func (r *rootTask) RunTask(ctx context.Context) error { return r.f(ctx) }

// Enter returns a context derived from ctx that carries the runtime, so that
// code outside any task can Spawn onto it. In production, blocking calls
// with such a context are allowed; in a simulation they panic (S32), and
// Spawn from outside a task is allowed only while the simulation is not
// running.
func (rt *Runtime) Enter(ctx context.Context) context.Context {
	return kernel.WithBinding(ctx, rt.ex.Outside())
}

// Shutdown drops every outstanding task at its next yield point, running its
// deferred functions, and returns once all of them have ended (S16). Tasks
// spawned afterwards never run; their Join reports ErrCancelled.
//
// Call it from outside the runtime's tasks: from inside one, it would wait
// for its caller (a simulation panics instead of waiting).
func (rt *Runtime) Shutdown() {
	if err := rt.ex.Shutdown(-1); err != nil {
		panic("runtime: shutdown without a timeout failed: " + err.Error())
	}
}

// ShutdownTimeout is Shutdown with a limit: if some task has not ended
// within d (it is blocked outside any yield point, for example on a native
// channel), it returns an error naming those tasks and leaves them behind.
func (rt *Runtime) ShutdownTimeout(d time.Duration) error {
	if d < 0 {
		d = 0
	}
	return rt.ex.Shutdown(d)
}
