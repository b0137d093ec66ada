package sim

import (
	"context"
	"errors"
	"runtime/debug"
	"time"
	"unsafe"

	"github.com/weftsim/weft/internal/kernel"
)

// loop is the scheduler of S4. It returns nil once e.done() holds, or the
// run's failure.
//
//go:norace
func (e *executor) loop() error {
	for {
		p, ok := e.decide()
		if !ok {
			p.task, p.err = e.schedule()
		}
		if p.task == nil {
			return p.err
		}
		if e.probeAt.pending {
			e.probeAt.capture(e, p.task)
		}
		e.run(p.task)
	}
}

// schedule does the scheduler's work between two steps: it fires due
// timers, advances virtual time when nothing can run, and picks the task
// to run next. It returns nil once the drive is over, with the run's
// failure if any.
//
//go:norace
func (e *executor) schedule() (*kernel.Task, error) {
	for !e.done() {
		if e.broken.Load() && !e.cleanup {
			return nil, nil
		}
		if e.foreignErr.Load() != nil && !e.closed {
			return nil, e.foreignFailure()
		}
		if d := e.dec; (d.div != nil || d.srcPanic != nil || e.halt != nil) && !e.closed {
			if d.div != nil {
				return nil, d.div
			}
			if e.halt != nil {
				return nil, e.halt
			}
			return nil, errSourcePanicked
		}
		if e.cycle != nil && !e.closed {
			return nil, e.cycleError()
		}
		if e.timers.live > 0 && e.timers.peek() <= e.now {
			e.fireDue()
		}
		if len(e.watch) > 0 {
			e.pollContexts()
		}
		if e.host.Ready == 0 {
			if e.timers.len() > 0 {
				next := e.timers.peek()
				if e.cfg.timeLimit > 0 && next > e.cfg.timeLimit && !e.closed {
					return nil, &TimeLimitError{Limit: e.cfg.timeLimit, Next: next}
				}
				e.now = next
				e.event(EvAdvance, nil, 0, "")
				continue
			}
			if e.awaitForeign() {
				return nil, e.foreignFailure()
			}
			return nil, e.deadlock()
		}
		if e.cfg.stepLimit > 0 && e.steps >= e.limit {
			return nil, &StepLimitError{Limit: e.cfg.stepLimit}
		}
		e.steps++
		if e.cfg.perturb {
			gosched()
		}
		t := e.runq.pick(e.steps)
		e.host.Ready--
		e.event(EvRun, t, 0, "")
		return t, nil
	}
	return nil, nil
}

//go:norace
func (e *executor) fireDue() {
	e.inFire = true
	for e.timers.len() > 0 && e.timers.peek() <= e.now {
		tm := e.timers.pop()
		e.event(EvTimer, nil, 0, "")
		e.expire(tm)
	}
	e.inFire = false
}

// pollContexts wakes parked tasks whose ctx has ended. A cancel func called
// by a task closes Done synchronously, so the wake happens at the next step
// whatever the goroutines do (S20).
//
//go:norace
func (e *executor) pollContexts() {
	for i := 0; i < len(e.watch); {
		t := e.watch[i].task
		kernel.RaceDisable() // the task's ctx.Err() makes the edge from the cancel
		select {
		case <-e.watch[i].done:
			kernel.RaceEnable()
			if t.Sim.Waiter.TryAbandon() {
				e.wake(t, wokeCtx, EvCancel) // swaps another task into i
				continue
			}
		default:
			kernel.RaceEnable()
		}
		i++
	}
}

//go:norace
func (e *executor) deadlock() error {
	d := &DeadlockError{At: e.now}
	// The report reads what spawners wrote (names): it comes after every
	// spawn (a race build; the run is over).
	kernel.RaceAcquire(unsafe.Pointer(e))
	for t := e.live.Front(); t != nil; t = t.Next() {
		b := BlockedTask{ID: t.ID(), Name: t.Name(), SpawnedAt: funcLocation(t.SpawnFunc)}
		if w := t.Sim.Waiter; w != nil {
			b.Op, b.WaitsFor = w.Reason.Op, w.Reason.Task
		}
		if w := taskWorker(t); w != nil {
			b.Stack = e.ownStack(w)
		}
		d.Tasks = append(d.Tasks, b)
	}
	return e.wallClockEscape(d)
}

// errSourcePanicked stops a run whose DecisionSource panicked; Run
// re-raises the panic once the simulation is shut down.
var errSourcePanicked = errors.New("sim: the decision source panicked")

// drive runs loop on a goroutine of its own, so that the caller can give up
// on a stuck task (watchdog).
//
//go:norace
func (e *executor) drive(done func() bool) error {
	if e.running {
		panic("sim: BlockOn or Shutdown called while the simulation is running; spawn a task instead of nesting")
	}
	e.running = true
	e.harness = kernel.Goroutine()
	e.countBaseline()
	e.done = done
	e.limit = e.steps + e.cfg.stepLimit // per drive: a livelocked run can still be shut down
	res := make(chan error, 1)
	go e.driver(res)
	var err error
	if e.cfg.watchdog > 0 {
		stop := make(chan struct{})
		stuck := make(chan error, 1)
		exited := make(chan struct{})
		go func() {
			defer close(exited)
			e.watchdog(stop, stuck)
		}()
		select {
		case err = <-res:
		case err = <-stuck:
			e.broken.Store(true)
		}
		close(stop)
		<-exited // no goroutine of a finished drive outlives it
	} else {
		err = <-res
	}
	if !e.broken.Load() {
		e.running = false
	}
	if f := e.foreignFailure(); f != nil {
		err = f // what went wrong first: a deadlock, say, follows from it
	}
	return err
}

//go:norace
func (e *executor) driver(res chan<- error) {
	e.driverG = kernel.Goroutine()
	normal := false
	defer func() {
		if normal {
			return
		}
		r := recover()
		if r == nil {
			// A task's runtime.Goexit ends only its own goroutine
			// (TaskGoexited); anything else is a bug of the simulator.
			r = "runtime.Goexit reached the driver"
		}
		e.current = nil
		res <- &InternalError{Value: r, Stack: debug.Stack()}
	}()
	err := e.loop()
	if e.broken.Load() {
		// The watchdog gave up while a task was stuck; that task has now
		// moved on. Drop everything so no goroutine stays behind.
		e.cleanup = true
		e.dropAll()
		e.done = func() bool { return e.live.Len() == 0 }
		err = e.loop()
		e.release()
	}
	normal = true
	res <- err
}

// dropAll aborts every live task, in spawn order.
//
//go:norace
func (e *executor) dropAll() {
	e.closed = true
	for t := e.live.Front(); t != nil; t = t.Next() {
		e.Abort(t)
	}
}

// release stops the idle coroutines and forgets pending timers.
//
//go:norace
func (e *executor) release() {
	for _, w := range e.workers {
		w.stop()
		e.coros--
	}
	e.workers = nil
	e.timers.clear()
}

//go:norace
func (e *executor) BlockOn(root *kernel.Task, body kernel.Runner) error {
	if e.running {
		panic("sim: BlockOn called inside the simulation; spawn a task instead of nesting")
	}
	e.Spawn(context.Background(), e.outside, root, body, nil)
	if root.Finished() {
		return nil
	}
	return e.drive(root.Finished)
}

// Shutdown drops every live task (S16) and runs the scheduler until all have
// ended. Virtual time has no use for a timeout, so it is ignored. After the
// watchdog gave up on a stuck task, Shutdown returns at once: the driver
// drops the tasks when (if) the stuck one moves on.
//
//go:norace
func (e *executor) Shutdown(time.Duration) error {
	if e.broken.Load() {
		return nil
	}
	if e.running {
		panic("sim: Shutdown called inside the simulation; return from BlockOn first")
	}
	if broken == "no-shutdown-drop" {
		e.closed = true
		return nil
	}
	kernel.RaceAcquire(unsafe.Pointer(e)) // every spawn and end so far (retire)
	e.dropAll()
	err := e.drive(func() bool { return e.live.Len() == 0 })
	kernel.RaceAcquire(unsafe.Pointer(e)) // every task's end: Shutdown waits for them
	if !e.broken.Load() {
		e.release()
	}
	return err
}
