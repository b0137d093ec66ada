// Package runtime is weft's task API: spawn tasks, join them one by one or
// as a set, abort them, shut a runtime down, and coordinate them with
// task-aware locks, channels and signals. Application code is written
// once against it; the runtime carried by the context decides how it runs.
// [New] returns the production executor (a goroutine per task, the wall
// clock); sim.New and sim.Run return a simulated one (one task at a time
// under a seeded scheduler, virtual time). The API and its guarantees are
// the same on both, except where this documentation says otherwise.
//
// Clause numbers such as S4 refer to weft's contract, docs/CONTRACT.md in
// the weft repository, whose numbering is stable.
//
// # Contexts
//
// Every call that may block takes a context.Context first (S1). The context
// carries the runtime and, inside a task, the task: that is how a call finds
// its executor; there are no goroutine-locals. A context gets a runtime from
//
//   - [Runtime.BlockOn], which runs a function as the root task;
//   - [Spawn] and [JoinSet.Spawn], which give each task a context of its own;
//   - [Runtime.Enter], for code outside any task (a main function, an HTTP
//     handler) that needs to spawn onto the runtime (in a simulation, only
//     while it is not running).
//
// Spawn with a context that carries no runtime panics with a message that
// names the cure (S12). Give each task its own context: in a simulation,
// blocking with the context of another task panics.
//
// # Tasks
//
//   - Spawn registers the task and returns; it never runs the task inline
//     (S10). The task's first instruction runs after the spawner reaches a
//     yield point (simulation) or on another goroutine (production), so
//     spawning while holding a lock the task also takes cannot deadlock
//     (S11).
//   - [JoinHandle.Join] returns what the task returned. A task that was
//     aborted or dropped reports an error matching [ErrCancelled]; a task that
//     panicked, a [*PanicError] with its ID, panic value and stack; a task
//     that called runtime.Goexit (t.FailNow, testify's require), an error
//     matching [ErrGoexit] (S13).
//   - An unjoined handle detaches: the task keeps running. Join may be
//     called any number of times and returns the same outcome (S14).
//   - Task IDs are unique within a runtime, assigned in spawn order (so
//     stable for a simulation seed), and visible inside the task through
//     [CurrentTask] (S19).
//   - A [JoinSet] collects tasks and returns their results in completion
//     order; its zero value is ready to use (S18). Go has no destructors:
//     the tasks of an abandoned JoinSet keep running. Call Shutdown when
//     they must not outlive it.
//
// # Scheduling points
//
// A scheduling point (or yield point) is where a task may be suspended so
// that others run, and where an aborted task is dropped (S15). In a
// simulation nothing else switches tasks, and every operation on a weft
// primitive is one, whether or not it has to wait (S2). This is the one
// list of them:
//
//   - Spawn, JoinSet.Spawn and WaitGroup.Go, before the task is
//     registered: it never runs before its spawner's next point (S10),
//     and a Spawn right after a Spawn has no point of its own, so spawning
//     while holding any lock cannot deadlock with the spawned tasks (S11);
//   - JoinHandle.Abort and JoinSet.AbortAll, after the request;
//   - [YieldNow]; JoinHandle.Join of a task that has not finished;
//     JoinSet.JoinNext and JoinSet.Shutdown while no result is ready;
//   - Mutex Lock, TryLock, Unlock; RWMutex Lock, RLock, TryLock, TryRLock,
//     Unlock, RUnlock; Semaphore Acquire, TryAcquire, Release;
//   - Chan Send, Recv, TrySend, TryRecv, Close; Select, also when a case is
//     ready at once;
//   - Notify Wait, NotifyOne, NotifyAll; WaitGroup Add, Done, Wait;
//     Once.Do (and OnceValue's function); Barrier.Wait;
//   - clock.Sleep with a positive duration, and the waits of clock's
//     timers and tickers;
//   - netsim's socket calls: Dial, Accept, Read, Write, ReadFrom, WriteTo;
//   - the end of a task.
//
// An operation that may wait, or fail without effect, has its point
// before it: a task dropped there did nothing. One that releases (Unlock,
// RUnlock, Release, Close, NotifyOne, NotifyAll, Add, Done, Abort) has it
// after it: a task dropped there has released. No operation switches in
// its middle. A point at which no other task is runnable costs a compare
// and is not a step. An operation that takes no context (TryLock, Unlock,
// TrySend, NotifyOne, Add, ...) reaches its simulation through the
// primitive, which joins the simulation at its first operation with a
// context; until then those operations are not points.
//
// Nothing else switches: IsFinished, ID, CurrentTask, JoinSet.Len,
// Chan.Len and Cap, clock.Now. Blocking on anything weft does not provide
// (a native channel, sync.Mutex, time.Sleep, real I/O) is not a point: it
// stalls a simulation, whose watchdog reports the task with its stack.
//
// # Shared memory
//
// Memory that tasks share must be synchronised through weft's primitives
// (a Mutex, a Chan that hands a value over, Spawn and Join, ...) or
// sync/atomic, exactly as in production, where tasks run in parallel. That
// a simulation runs one task at a time does not make unsynchronised
// sharing correct: it is a data race in production, and `go test -race`
// reports it in a simulation as well, which shows the race detector only
// the happens-before edges the program creates, none from the scheduler
// (S2a). A sync.Mutex must not be held across a scheduling point in
// simulated code: a task that then wants it blocks the whole simulation.
//
// # Cancellation
//
// Abort and shutdown drop tasks; a context cancels calls. The two are
// distinct (S20).
//
//   - [JoinHandle.Abort] is a request and is idempotent (S15). A task that has
//     not started never starts. A started task is dropped at its next yield
//     point: the yield point does not return, the task's deferred functions
//     run, and it ends with ErrCancelled. A deferred recover that swallows
//     the unwinding does not save the task: at its next yield point its
//     goroutine exits (no recover stops that) and it still ends with
//     ErrCancelled; [IsDrop] tells a recovered drop from a panic. A task that already finished
//     keeps its result. IsFinished turns true only once the task has fully
//     ended, deferred functions included.
//   - [Runtime.Shutdown] drops every outstanding task as Abort does and
//     returns once all have ended; their deferred functions have run by
//     then. A task spawned after Shutdown never runs and its Join reports
//     ErrCancelled (S16). JoinSet.AbortAll aborts the tasks of one set;
//     JoinSet.Shutdown aborts them and waits for them to end.
//   - A task's context is the context it was spawned with (its values,
//     deadline and cancellation) bound to the new task. When that context
//     ends, blocking calls return ctx.Err() and leave no trace: a Join that
//     returned an error leaves the handle joinable (S13, S20). The task is
//     not aborted; it decides what to do with the error. In a simulation the
//     cancellation is observed at the next scheduling step.
//
// # Synchronisation
//
// [Mutex], [RWMutex], [Semaphore] (weighted), [Notify], [Chan] (bounded,
// rendezvous or unbounded; many senders and receivers), [WaitGroup], [Once]
// and [OnceValue], [Barrier], and [Select] over channel operations, timers
// and the context. They park the waiting task instead of blocking its
// goroutine, so a simulation sees every wait; they work the same on both
// executors and their zero values (or one constructor) are ready to use.
//
//   - Waiters of Mutex, RWMutex, Semaphore and Chan are served in arrival
//     order, and a wake-up is never lost: a waiter is either granted or
//     still queued (S30). A value sent to a waiting receiver is handed to
//     it directly.
//   - A wait whose context ends returns ctx.Err() and leaves no trace: a
//     Lock that failed does not hold the lock, a Send that failed sent
//     nothing (S20). A task aborted while waiting is withdrawn; what it was
//     granted just before is passed on (a lock to the next waiter, a
//     received value back to the channel).
//   - Which of several ready Select cases runs is random: chosen by the
//     seed in a simulation (S31).
//   - Misuse panics with the cure: Unlock of an unlocked Mutex, releasing
//     more than was acquired, a negative WaitGroup counter, closing a
//     closed Chan, using one primitive from two runtimes when either is a
//     simulation. A Send on a closed Chan returns [ErrClosed].
//   - In production a primitive may be used from any goroutine, with or
//     without a runtime in the context; a simulation refuses waits from
//     outside its tasks (S32).
//
// # Randomness and fault injection
//
// [Rand] and [Buggify] give application code randomness and rare paths
// (FoundationDB's "buggify") that a simulation controls: every draw is one
// of the run's decisions, so it follows the seed, is kept in replay files
// and is shrunk with the schedule. In production Rand draws from the global
// source and Buggify is always false.
//
// [RandReader] is the same for libraries that take an io.Reader of random
// bytes: seeded in a simulation, crypto/rand.Reader in production.
//
// A library that draws from a global source cannot be given a source; the
// simulation cannot see those draws, and a run that depends on them does
// not replay (sim's determinism check shows the stack of the task that
// took the first differing step, which names the caller). The recipe:
//
//   - crypto/rand.Read and crypto/rand.Reader: set crypto/rand.Reader to
//     RandReader(ctx) at the start of each simulated run and restore it
//     when the run ends (crypto/rand.Read reads the variable once it is
//     not the default). Key generation of the standard library ignores it
//     by design.
//   - math/rand/v2's top-level functions cannot be seeded: change the
//     library to take a *rand.Rand and pass Rand(ctx).
//   - math/rand's top-level functions: with a //go:debug randseednop=0
//     line in the test's package, call rand.Seed with a draw of Rand(ctx)
//     at the start of each run; or, better, pass rand.New of a source.
//
// Rand and RandReader belong to one simulation and are safe with
// sim.Parallel and -sim.parallel. A swapped global is shared by every
// simulation of the process: tests that swap one must run their seeds one
// at a time (no Parallel, no -sim.parallel), or their bytes mix.
//
// # Panics
//
// A task panic never crashes the process (S17). Join reports it as a
// *PanicError. The production runtime also passes it to the handler set by
// [WithPanicHandler] (by default, printed to standard error); a simulation
// fails the run if no Join observed it.
//
// # Production and simulation
//
// The production executor runs each task on its own goroutine: tasks run in
// parallel, YieldNow calls runtime.Gosched, and Join may be called from any
// goroutine. A simulation runs one task at a time and refuses blocking
// calls made outside its tasks with a panic (S32); see package sim.
package runtime
