package sim

import "github.com/weftsim/weft/internal/kernel"

// Point is a scheduling point at an operation that need not wait (S2,
// revised; see kernel.Task.Point for where each operation has it). It is
// called only while another task is runnable, and is a step like any
// other: the running task goes back to the run queue and the strategy
// picks, among it and the others, the task that runs next. FIFO always
// picks the running task (it is not preemptive); Random picks uniformly;
// PCT picks the highest priority, so a change point can fall here. A task
// picked again goes on without a coroutine switch.
//
// FIFO's points are most of the steps of a busy simulation, so the step
// is taken here when nothing else would happen at it (fifoKeeps).
//
// A task aborted meanwhile is dropped here (S15), unless it is already
// unwinding: a deferred Unlock must not cut short the function that
// defers it.
//
//go:norace
func (e *executor) Point(t *kernel.Task, op string) {
	if t == nil {
		t = e.current
	}
	if t == nil || t != e.current || e.inFire {
		// Outside any task (the harness, a timer's callback): nothing to
		// switch. A ctx of another task is reported where it waits.
		return
	}
	if op == kernel.OpSpawn && t.Sim.Spawned {
		return // a run of Spawns is one point (S11)
	}
	e.event(EvYield, t, 0, op)
	if e.fifoKeeps() {
		// The step schedule would take, without the queue and the
		// switch-out: FIFO runs t on. Same events, same hash.
		e.steps++
		e.event(EvRun, t, 0, "")
		t.Sim.Spawned = false
		if e.steps&63 == 0 { // the watchdog needs to see some progress
			e.progress.Add(1)
		}
		if !t.Unwinding() {
			kernel.CheckDrop(t)
		}
		return
	}
	t.Sim.State = stRunnable
	e.runq.preempt(t)
	e.host.Ready++
	e.switchOut(t)
	if !t.Unwinding() {
		kernel.CheckDrop(t)
	}
}

// fifoKeeps reports whether the step at a point is FIFO running the
// current task on with nothing else to do first: no timer due, no ctx to
// poll, no step limit reached, no decision source in trouble, and no test
// option that routes steps through the driver or perturbs them.
//
//go:norace
func (e *executor) fifoKeeps() bool {
	return e.fifo && !e.viaDriver && !e.cfg.perturb && len(e.watch) == 0 &&
		(e.timers.live == 0 || e.timers.peek() > e.now) &&
		(e.cfg.stepLimit == 0 || e.steps < e.limit) &&
		e.dec.div == nil && e.dec.srcPanic == nil && !e.broken.Load()
}
