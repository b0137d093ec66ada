package sim

import (
	"context"
	"slices"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/weftsim/weft/internal/kernel"
)

// Task states (kernel.SimState.State).
const (
	stNew      uint8 = iota // runnable, body not started
	stRunnable              // runnable, started
	stRunning
	stParked
	stDone
)

// Why a parked task was resumed (kernel.SimState.Woken).
const (
	wokeUnpark uint8 = iota + 1
	wokeCtx
	wokeDrop
)

// executor is the deterministic executor. Exactly one goroutine touches its
// fields at a time: the driver between steps, or the running task during a
// step (S2). The handoffs are coroutine switches, which order memory.
type executor struct {
	cfg     config
	dec     *decider
	runq    runQueue
	outside *kernel.Task
	host    *kernel.Host // host.Ready counts the tasks in runq
	fifo    bool         // the strategy is FIFO (see Point)

	nextID  uint64
	current *kernel.Task
	live    kernel.TaskList // in spawn order
	watch   []watched       // parked with a cancellable ctx (S20)
	timers  timerHeap
	now     time.Duration // virtual time since cfg.start
	steps   uint64
	limit   uint64 // steps at which the current drive stops
	trace   trace
	failed  []*kernel.Task // panicked or Goexited, for S17
	failAt  []failPoint    // where each of failed ended

	snapOf     *kernel.Task // the failed task whose events snapEvents are
	snapEvents []Event
	halt       error // stops the run (StopOnPanic)

	running    bool        // a driver is active
	done       func() bool // when the current drive is over
	next       pick        // a step taken, for the one who resumes the next task
	depth      int         // coroutines resumed one inside another (handoff)
	viaDriver  bool        // every step through the driver (tests; weftbroken)
	closed     bool        // shut down
	inFire     bool        // running timer callbacks
	workers    []*worker
	probed     string                                // the stack a probed task captured (worker.probe)
	attached   []attachment                          // Attach
	progress   atomic.Uint64                         // steps begun; for the watchdog
	stepTask   *kernel.Task                          // the task of the step begun last (start only writes it)
	harness    uintptr                               // the goroutine that last drove the simulation (foreign.go)
	driverG    uintptr                               // the driver's goroutine
	foreignErr atomic.Pointer[ForeignGoroutineError] // S64: set by a foreign goroutine
	coros      int                                   // live coroutines of workers (awaitForeign)
	baseline   int                                   // goroutines not the simulation's when the drive began
	broken     atomic.Bool                           // the watchdog gave up on a stuck task
	cleanup    bool                                  // dropping everything after the watchdog gave up
	probeAt    eventProbe                            // the stack at cfg.stackAt (determinism check)
	cycle      []*kernel.Task                        // a cycle of waiting found, to report (cycles.go)
	search     cycleSearch                           // checkCycle's buffers
	sometimes  map[string]bool                       // runtime.Sometimes: name -> hit (look-ups only)
}

//go:norace
func newExecutor(c config) *executor {
	if c.strategy.kind == kindPCT && c.strategy.horizon == 0 {
		c.strategy.horizon = DefaultPCTHorizon // nothing measured it (Test does)
	}
	dec := &decider{src: c.source, record: c.record, cap: c.recordCap, replay: c.replay, lenient: c.lenient, digest: hashSeed}
	if dec.src == nil {
		dec.src = newPCG(c.seed)
	}
	e := &executor{
		cfg:   c,
		dec:   dec,
		trace: newTrace(c.traceSize),
	}
	dec.step = func() uint64 { return e.steps }
	// A race build takes every step through the driver (worker_race.go).
	e.viaDriver = c.viaDriver || kernel.RaceEnabled
	e.runq = c.strategy.newQueue(dec)
	e.fifo = c.strategy.kind == kindFIFO
	e.host = kernel.NewHost(e)
	e.outside = kernel.NewOutside(e.host)
	return e
}

//go:norace
func (e *executor) Virtual() bool { return true }

// Current returns the running task. Called from a goroutine that is none of
// the simulation's (a socket call from a plain goroutine), it fails the run
// and ends that goroutine (S64). Such a goroutine reads the executor
// without synchronisation, hence norace: it learns only that it is foreign.
//
//go:norace
func (e *executor) Current() *kernel.Task {
	t := e.current
	if t != nil && onGoroutine(taskWorker(t)) {
		return t
	}
	if e.foreignCaller() {
		e.foreign("socket call")
	}
	return t
}

//go:norace
func (e *executor) Note(what string) { e.event(EvNote, e.current, 0, what) }

// Attach and Attached keep a subsystem's state (netsim's network) for the
// simulation's lifetime.
//
//go:norace
func (e *executor) Attach(key, value any) any {
	for i, a := range e.attached {
		if a.key == key {
			if value == nil {
				e.attached = slices.Delete(e.attached, i, i+1)
				return nil
			}
			return a.value
		}
	}
	if value != nil {
		e.attached = append(e.attached, attachment{key, value})
	}
	return nil
}

//go:norace
func (e *executor) Attached(key any) any {
	for _, a := range e.attached {
		if a.key == key {
			return a.value
		}
	}
	return nil
}

// attachment is a subsystem's state kept by Attach. The few there are sit
// in a slice, not a map: a race build must not show the detector the
// scheduler's bookkeeping (S2a), and a map's accesses always show.
type attachment struct{ key, value any }

//go:norace
func (e *executor) Outside() *kernel.Task { return e.outside }

//go:norace
func (e *executor) Now() time.Time { return e.cfg.start.Add(e.now) }

//go:norace
func (e *executor) event(k EventKind, t *kernel.Task, other kernel.TaskID, op string) {
	var id kernel.TaskID
	if t != nil {
		id = t.ID()
	}
	e.trace.digest(k, id, other, e.now, op)
	if e.trace.n == e.cfg.stackAt {
		e.probeAt.at(e, t)
	}
	if len(e.trace.ring) > 0 {
		ev := e.trace.slot()
		ev.Step, ev.At, ev.Kind, ev.Task, ev.Other, ev.Op, ev.PC = e.steps, e.now, k, id, other, op, 0
		ev.Host, ev.Msg, ev.Delivered = "", 0, false
	}
}

// checkCaller panics unless t is the running task: S32 (a wait from outside
// any task) and §8 (a ctx of one task used in another).
// It returns t's worker. A caller on a goroutine that is none of the
// simulation's fails the run instead (S64, foreign.go); norace as Current.
//
//go:norace
func (e *executor) checkCaller(t *kernel.Task, what string) *worker {
	if t == e.current { // only this executor's tasks are ever current
		if w := taskWorker(t); onGoroutine(w) {
			return w
		}
	}
	e.wrongCaller(t, what)
	return nil
}

//go:norace
func (e *executor) wrongCaller(t *kernel.Task, what string) {
	if e.foreignCaller() {
		e.foreign(what)
	}
	if t.Host() != e.outside.Host() {
		panic("sim: " + what + " with a ctx of another runtime; use the ctx your task was given")
	}
	if !t.IsTask() {
		panic("sim: " + what + " outside any task (S32); in a simulation, block only in a task, with the ctx it was given")
	}
	panic("sim: " + what + " with the ctx of " + t.String() + " from another task or goroutine; pass each task its own ctx")
}

//go:norace
func (e *executor) Spawn(ctx context.Context, spawner, t *kernel.Task, body kernel.Runner, done kernel.Completer) {
	if spawner.Host() != e.outside.Host() {
		panic("sim: Spawn with a ctx of another runtime; use the ctx your task was given")
	}
	if e.running && !e.inFire && (spawner != e.current || !onGoroutine(taskWorker(spawner))) {
		if e.foreignCaller() {
			e.foreign("Spawn")
		}
		if !spawner.IsTask() {
			panic("sim: Spawn from outside the simulation's tasks while it runs; spawn from a task's ctx, or before BlockOn")
		}
		panic("sim: Spawn with the ctx of " + spawner.String() + " from another task or goroutine; pass each task its own ctx")
	}
	e.nextID++
	kernel.NewTask(t, e.outside.Host(), kernel.TaskID(e.nextID), ctx, body, done)
	e.trace.add(Event{Step: e.steps, At: e.now, Kind: EvSpawn, Task: t.ID(), Other: spawner.ID(), PC: t.SpawnFunc, Op: t.Name(), Host: t.HostName()})
	if e.closed {
		t.RequestAbort()
		kernel.Finish(t, kernel.Cancelled, nil, nil)
		e.event(EvExit, t, 0, "cancelled (runtime shut down)")
		return
	}
	e.live.PushBack(t)
	t.Sim.State = stNew
	spawner.Sim.Spawned = true                 // the Outside binding's is never read
	kernel.RaceRelease(unsafe.Pointer(t))      // the spawner before the task (S11)
	kernel.RaceReleaseMerge(unsafe.Pointer(e)) // and before Shutdown's return
	if broken == "spawn-inline" && e.current != nil {
		cur := e.current
		was := e.viaDriver
		e.viaDriver = true
		e.run(t)
		e.viaDriver = was
		e.current, cur.Sim.State = cur, stRunning
		return
	}
	e.runq.push(t)
	e.host.Ready++
}

//go:norace
func (e *executor) retire(t *kernel.Task) {
	kernel.RaceReleaseMerge(unsafe.Pointer(e)) // the task's end before Shutdown's return
	t.Sim.State = stDone
	e.live.Remove(t)
	o, err, _ := t.Result(true)
	how := outcomeNames[o]
	if o == kernel.Returned && err != nil {
		how = "returned an error: " + err.Error()
	}
	e.event(EvExit, t, 0, how)
	if o == kernel.Panicked || o == kernel.Goexited {
		e.failed = append(e.failed, t)
		e.taskFailed(t)
	}
}

var outcomeNames = [...]string{"running", "returned", "cancelled", "panicked", "goexit"}

//go:norace
func (e *executor) Park(ctx context.Context, w *kernel.Waiter) error {
	t := w.Task
	wk := e.checkCaller(t, "blocking call")
	if t.Aborted() {
		w.TryAbandon()
		return kernel.ErrDropped
	}
	if err := ctx.Err(); err != nil {
		if w.TryAbandon() {
			return err
		}
		return nil
	}
	if w.Winner() == nil {
		t.Sim.Waiter = w
		t.Sim.State = stParked
		t.Sim.Woken = 0
		if done := ctx.Done(); done != nil {
			t.Sim.Watch = int32(len(e.watch))
			e.watch = append(e.watch, watched{t, done, ctx})
		}
		e.event(EvPark, t, w.Reason.Task, w.Reason.Op)
		if e.cfg.waitSites {
			e.markSite()
		}
		if w.Data != nil {
			e.checkCycle(t)
		}
	} else {
		// Granted before parking: still a yield point.
		t.Sim.Woken = wokeUnpark
		t.Sim.State = stRunnable
		e.runq.push(t)
		e.host.Ready++
	}
	// A report of the run (deadlock) reads what the task wrote: its
	// history goes to e, which only reports and Shutdown acquire.
	kernel.RaceReleaseMerge(unsafe.Pointer(e))
	// switchOut's loop, inline: see there why.
	for x := e.pickFor(t); x != t; x = e.pickFor(t) {
		if x != nil { // resume x from this goroutine (handoff)
			wk.hosting = true
			if xw := e.enter(x); xw != nil {
				xw.next()
				e.leave(xw)
			}
			wk.hosting = false
			continue
		}
		if !wk.yield(struct{}{}) {
			panic(errStoppedLive)
		}
		for wk.probe { // a deadlock report asks for this stack
			wk.probe, e.probed = false, ownGoroutineStack()
			if !wk.yield(struct{}{}) {
				panic(errStoppedLive)
			}
		}
		break
	}
	t.Sim.Waiter = nil
	if kernel.RaceEnabled { // nothing to evaluate in a normal build
		kernel.RaceAcquire(unsafe.Pointer(w.Lead())) // whoever ended the wait (wake)
	}
	switch t.Sim.Woken {
	case wokeCtx:
		return ctx.Err()
	case wokeDrop:
		return kernel.ErrDropped
	}
	if t.Aborted() {
		return kernel.ErrDropped
	}
	return nil
}

//go:norace
func (e *executor) unwatch(t *kernel.Task) {
	i := t.Sim.Watch
	if i < 0 {
		return
	}
	last := int32(len(e.watch) - 1)
	e.watch[i] = e.watch[last]
	e.watch[i].task.Sim.Watch = i
	e.watch[last] = watched{}
	e.watch = e.watch[:last]
	t.Sim.Watch = -1
}

// watched is a task parked with a ctx that can end, and that ctx's Done.
type watched struct {
	task *kernel.Task
	done <-chan struct{}
	ctx  context.Context // for a deadlock report (wallClockEscape)
}

// wake makes a parked task runnable for the given reason.
//
//go:norace
func (e *executor) wake(t *kernel.Task, why uint8, k EventKind) {
	if kernel.RaceEnabled {
		kernel.RaceRelease(unsafe.Pointer(t.Sim.Waiter.Lead())) // before the task's Park returns
	}
	t.Sim.Woken = why
	e.unwatch(t)
	var by kernel.TaskID
	if e.current != nil {
		by = e.current.ID()
	}
	e.event(k, t, by, "")
	t.Sim.State = stRunnable
	e.runq.push(t)
	e.host.Ready++
}

//go:norace
func (e *executor) Unpark(w *kernel.Waiter) bool {
	if !w.TryWake() {
		return false
	}
	e.Deliver(w)
	return true
}

//go:norace
func (e *executor) Deliver(w *kernel.Waiter) {
	if kernel.RaceEnabled {
		kernel.RaceRelease(unsafe.Pointer(w.Lead())) // the grant before the task's Park returns
	}
	if t := w.Task; t.Sim.State == stParked && t.Sim.Waiter == w.Lead() {
		e.wake(t, wokeUnpark, EvWake)
	}
}

//go:norace
func (e *executor) Yield(t *kernel.Task) {
	e.checkCaller(t, "YieldNow")
	kernel.CheckDrop(t)
	e.event(EvYield, t, 0, "")
	t.Sim.State = stRunnable
	e.runq.yield(t)
	e.host.Ready++
	e.switchOut(t)
	kernel.CheckDrop(t)
}

//go:norace
func (e *executor) Abort(t *kernel.Task) {
	if !t.RequestAbort() {
		return
	}
	if t.Finished() || t.Host() != e.outside.Host() {
		return
	}
	e.event(EvAbort, t, 0, "")
	if t.Sim.State == stParked {
		t.Sim.Waiter.TryAbandon()
		e.wake(t, wokeDrop, EvWake)
	}
}

//go:norace
func (e *executor) RandN(n int) int {
	return e.dec.intN(n)
}

//go:norace
func (e *executor) RandUint64() uint64 { return e.dec.uint64() }

//go:norace
func (e *executor) StartTimer(tm *kernel.Timer) {
	kernel.RaceRelease(unsafe.Pointer(tm)) // the arming before the firing (expire)
	e.timers.push(tm, tm.When.Sub(e.cfg.start), e.dec.uint64())
}

//go:norace
func (e *executor) StopTimer(tm *kernel.Timer) bool {
	return e.timers.remove(tm)
}
