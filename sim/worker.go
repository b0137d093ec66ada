package sim

import (
	"unsafe"

	"github.com/weftsim/weft/internal/kernel"
)

// worker is a coroutine (S3) that runs tasks one after another: a task's
// goroutine is created when the task first runs and reused once it ends
// (newWorker; a race build gives each task a goroutine of its own).
type worker struct {
	next  func() (struct{}, bool)
	stop  func()
	yield func(struct{}) bool
	task  *kernel.Task

	// probe asks the parked task to capture its own stack into
	// executor.probed (deadlock reports) and yield again at once, without
	// returning to user code.
	probe bool
	// hosting is set while the worker's parked task has resumed another
	// task from its own goroutine (Park, switchOut): it cannot be resumed
	// until that one yields back.
	hosting bool
	// dead is set once a task on the worker called runtime.Goexit: its
	// goroutine is ending (see TaskGoexited).
	dead bool
	// over is set once the worker's goroutine has ended, its tasks done
	// and the idle workers enough (keepIdle).
	over bool
	// g is the worker's goroutine (kernel.Goroutine): a caller elsewhere
	// is not the task it runs (S64).
	g uintptr
}

// taskWorker returns the worker running t, or nil.
//
//go:norace
func taskWorker(t *kernel.Task) *worker { return (*worker)(t.Sim.Worker) }

// maxDepth bounds how many coroutines are resumed one inside another: the
// driver resumes a task, whose goroutine may resume one more (handoff).
const maxDepth = 2

// A scheduling step passes control from one task to the next. Through the
// driver that is two coroutine switches (task to driver, driver to task).
// Many steps take one or none instead, because the goroutine of the task
// that stops running takes the scheduler's next step itself (decide):
//   - a task that ends and is followed by a new task runs it on its own
//     coroutine (inline): no switch;
//   - a task that parks or yields and is picked again just goes on: no
//     switch;
//   - a task that parks and is followed by a parked task resumes that task
//     from its own goroutine (pickFor, then Park or switchOut), if it was
//     resumed by the driver;
//     when the resumed task parks and the first is picked, it yields back
//     to it: one switch per step for two tasks handing work to each other.
//
// Everything else goes back down to whoever resumed the goroutine, and in
// the end to the driver, which alone advances time, reports deadlocks and
// ends the drive. The decisions and events are the same whoever takes a
// step, since the same code (schedule) takes it.

// pick is a scheduling step already taken, for whoever carries it out.
type pick struct {
	task *kernel.Task
	err  error // with a nil task: the drive is over
	set  bool
}

// decide returns the scheduler's next step: one taken already, or one it
// takes now. ok is false when the step is for the driver to take (time must
// advance, or a deadlock be reported).
//
//go:norace
func (e *executor) decide() (p pick, ok bool) {
	if p = e.next; p.set {
		e.next = pick{}
		return p, true
	}
	if e.viaDriver || e.host.Ready == 0 || e.cycle != nil {
		return pick{}, false
	}
	p.task, p.err = e.schedule()
	p.set = true
	return p, true
}

// ended retires t, which has just ended on w.
//
//go:norace
func (e *executor) ended(w *worker, t *kernel.Task) {
	e.current = nil
	t.Sim.Worker = nil
	w.task = nil
	e.retire(t)
}

// inline returns the next task when it is a new one, to run on w, whose
// task has just ended; otherwise it leaves the step to w's resumer.
//
//go:norace
func (e *executor) inline(w *worker) *kernel.Task {
	for {
		p, ok := e.decide()
		if !ok {
			return nil
		}
		t := p.task
		if t == nil || t.Sim.State != stNew {
			e.next = p
			return nil
		}
		if t.Aborted() {
			e.neverStarted(t)
			continue
		}
		t.Sim.Worker = unsafe.Pointer(w)
		e.start(t)
		return t
	}
}

// switchOut is how the running task t stops running when it yields: it
// returns once t is resumed.
//
// Park has the same loop written inline, and the two must stay alike: a
// resumed coroutine returns through every frame between its switch and
// the task's code, and each of those returns is mispredicted (the CPU's
// return stack belongs to the goroutine that ran before). One frame less
// on that path is 8 % of a simulated ping-pong.
//
//go:norace
func (e *executor) switchOut(t *kernel.Task) {
	w := taskWorker(t)
	for x := e.pickFor(t); x != t; x = e.pickFor(t) {
		if x != nil { // resume x from this goroutine (handoff)
			w.hosting = true
			if xw := e.enter(x); xw != nil {
				xw.next()
				e.leave(xw)
			}
			w.hosting = false
			continue
		}
		if !w.yield(struct{}{}) {
			panic(errStoppedLive)
		}
		for w.probe { // a deadlock report asks for this stack
			w.probe, e.probed = false, ownGoroutineStack()
			if !w.yield(struct{}{}) {
				panic(errStoppedLive)
			}
		}
		return
	}
}

const errStoppedLive = "sim: internal error: a live task's coroutine was stopped"

// pickFor takes the scheduler's next step for the goroutine of t, which
// has stopped running (it parked or yielded). It returns t if t runs on
// (picked again), another task to resume from this goroutine, or nil if the
// goroutine must yield, leaving the step in e.next for whoever runs next.
//
//go:norace
func (e *executor) pickFor(t *kernel.Task) *kernel.Task {
	p, ok := e.decide()
	if !ok {
		return nil
	}
	x := p.task
	if x == t {
		e.start(t)
		return t
	}
	if x == nil || e.depth >= maxDepth || x.Sim.State != stNew && taskWorker(x).hosting {
		e.next = p
		return nil
	}
	return x
}

// neverStarted ends t, aborted before its first step.
//
//go:norace
func (e *executor) neverStarted(t *kernel.Task) {
	kernel.Finish(t, kernel.Cancelled, nil, nil)
	e.retire(t)
}

// run starts or resumes t on its coroutine and returns when that coroutine
// yields back. A task aborted before its first step never starts (S15).
//
//go:norace
func (e *executor) run(t *kernel.Task) {
	if w := e.enter(t); w != nil {
		w.next()
		e.leave(w)
	}
}

// enter makes t the running task, one level deeper, and returns its
// worker for next(); nil if t was aborted before its first step (it is
// over then).
//
//go:norace
func (e *executor) enter(t *kernel.Task) *worker {
	if t.Sim.State == stNew && !kernel.RaceEnabled && t.Aborted() {
		e.neverStarted(t) // a race build checks on the task's goroutine (raceCoro.body)
		return nil
	}
	w := e.workerOf(t)
	e.start(t)
	e.depth++
	return w
}

// leave follows the return of w.next(): the task w ran has parked,
// yielded or ended.
//
//go:norace
func (e *executor) leave(w *worker) {
	e.depth--
	e.current = nil
	switch {
	case w.dead:
		// Its goroutine is ending with runtime.Goexit, which iter.Pull
		// passes on to whoever stops it: a goroutine of its own.
		go w.stop()
		e.coros--
	case w.over:
		e.coros--
	case w.task == nil:
		// Its tasks ended (the last one perhaps started inline).
		e.workers = append(e.workers, w)
	}
}

// maxIdle bounds the idle workers kept for new tasks. A worker whose task
// ends beyond them ends its goroutine at once: when a shutdown drops a
// million parked tasks, each goroutine ends as its task does (one switch
// there and one back) instead of waiting, with its stack, to be stopped
// at the end (two more).
const maxIdle = 256

// keepIdle reports whether a worker whose tasks have ended should wait,
// idle, for a new task, rather than end.
//
//go:norace
func (e *executor) keepIdle() bool { return len(e.workers) < maxIdle }

// workerOf returns t's coroutine, taking an idle one (or a new one) for a
// task that has not started yet.
//
//go:norace
func (e *executor) workerOf(t *kernel.Task) *worker {
	if t.Sim.State != stNew {
		return taskWorker(t)
	}
	var w *worker
	if n := len(e.workers); n > 0 {
		w = e.workers[n-1]
		e.workers = e.workers[:n-1]
	} else {
		w = e.newWorker()
	}
	w.task = t
	t.Sim.Worker = unsafe.Pointer(w)
	return w
}

// start marks t as the running task.
//
//go:norace
func (e *executor) start(t *kernel.Task) {
	t.Sim.State = stRunning
	t.Sim.Spawned = false
	e.current = t
	e.stepTask = t
	// For the watchdog: a step counter that stays put while a task is
	// stuck (between steps nothing waits). The store also publishes
	// e.stepTask, which the watchdog reads once it sees no progress.
	e.progress.Add(1)
}

// TaskGoexited is called on the goroutine of t, which called
// runtime.Goexit, once its outcome is recorded. iter.Pull would pass the
// Goexit on to whoever resumed the goroutine — perhaps another task's
// (switchOut) — so the goroutine instead hands control back as if t had
// returned, and ends only when stopped (see run).
//
//go:norace
func (e *executor) TaskGoexited(t *kernel.Task) {
	w := taskWorker(t)
	e.ended(w, t)
	w.dead = true
	w.yield(struct{}{})
}

// ownStack resumes the parked task just long enough for it to capture its
// own stack (see switchOut), which shows where it waits.
//
//go:norace
func (e *executor) ownStack(w *worker) string {
	w.probe = true
	w.next()
	return e.probed
}
