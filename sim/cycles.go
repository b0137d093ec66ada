package sim

import (
	"fmt"
	"strings"

	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/runtime"
)

// A cycle of waiting — task A waits for a Mutex that B holds while B waits
// to join A, say — is a deadlock of its own tasks even while other tasks
// go on running, so waiting for the whole simulation to stop (or for its
// time limit, beside a task that ticks for ever) would report it late or
// never. Each task that parks follows the tasks its wait waits for
// (kernel.Blockers: Join targets, Mutex holders, RWMutex writers, readers
// and requests queued ahead), and a path back to itself fails the run at
// once with a *DeadlockError naming the cycle. A cycle can only form when
// one of its tasks parks: a grant makes the granted task runnable, and
// releases only remove edges. Waits whose ctx can end (a deadline, a
// cancel) can still be broken, so they are not followed.

// stuckFor reports whether t is parked in a wait that only the tasks it
// waits for can end.
//
//go:norace
func stuckFor(t *kernel.Task) bool {
	return t.Sim.State == stParked && t.Sim.Waiter != nil && t.Sim.Watch < 0 && !t.Aborted()
}

// waitsFor appends to buf the tasks that parked t waits for.
//
//go:norace
func waitsFor(t *kernel.Task, buf []*kernel.Task) []*kernel.Task {
	w := t.Sim.Waiter
	switch d := w.Data.(type) {
	case *kernel.Task:
		buf = append(buf, d)
	case kernel.Blockers:
		buf = d.Blockers(w, buf)
	}
	return buf
}

// checkCycle looks for a cycle of waiting through t, which has just
// parked, and keeps it for the scheduler to report. The common case —
// t waits for tasks that are not stuck themselves — allocates nothing.
//
//go:norace
func (e *executor) checkCycle(t *kernel.Task) {
	if e.cycle != nil || !stuckFor(t) {
		return
	}
	e.edges = waitsFor(t, e.edges[:0])
	deeper := false
	for _, y := range e.edges {
		if y == t {
			e.cycle = []*kernel.Task{t}
			return
		}
		deeper = deeper || stuckFor(y)
	}
	if !deeper {
		return
	}
	// A depth-first search for a path back to t, each task entered once.
	type frame struct {
		task  *kernel.Task
		edges []*kernel.Task
	}
	edges := make([]*kernel.Task, len(e.edges))
	for i, y := range e.edges { // element by element: a bulk copy is seen by the race detector
		edges[i] = y
	}
	path := []frame{{t, edges}}
	seen := []*kernel.Task{t}
	for len(path) > 0 {
		top := &path[len(path)-1]
		if len(top.edges) == 0 {
			path = path[:len(path)-1]
			continue
		}
		y := top.edges[0]
		top.edges = top.edges[1:]
		if y == t {
			for _, f := range path {
				e.cycle = append(e.cycle, f.task)
			}
			return
		}
		if stuckFor(y) && !contains(seen, y) {
			seen = append(seen, y)
			path = append(path, frame{y, waitsFor(y, nil)})
		}
	}
}

//go:norace
func contains(ts []*kernel.Task, t *kernel.Task) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// cycleError describes the cycle found, each task waiting for the next
// and the last for the first, with their stacks.
//
//go:norace
func (e *executor) cycleError() *DeadlockError {
	d := &DeadlockError{At: e.now}
	for i, t := range e.cycle {
		next := e.cycle[(i+1)%len(e.cycle)]
		b := BlockedTask{ID: t.ID(), Op: t.Sim.Waiter.Reason.Op, WaitsFor: next.ID(), SpawnedAt: funcLocation(t.SpawnFunc)}
		if w, ok := t.Sim.Worker.(*worker); ok {
			b.Stack = e.ownStack(w)
		}
		d.Tasks = append(d.Tasks, b)
		d.Cycle = append(d.Cycle, t.ID())
	}
	e.cycle = nil
	return d
}

// cycleText is DeadlockError.Error for a cycle.
//
//go:norace
func (e *DeadlockError) cycleText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sim: deadlock at +%v: a cycle of waiting, tasks %s (other tasks may still run):", e.At, cycleIDs(e.Cycle))
	for _, t := range e.Tasks {
		fmt.Fprintf(&b, "\n\ttask %d blocked in %s, waiting for task %d; spawned at %s", t.ID, t.Op, t.WaitsFor, t.SpawnedAt)
	}
	return b.String()
}

// cycleIDs is the cycle as "2 -> 3 -> 2".
//
//go:norace
func cycleIDs(ids []runtime.TaskID) string {
	var b strings.Builder
	for _, id := range append(ids[:len(ids):len(ids)], ids[0]) {
		if b.Len() > 0 {
			b.WriteString(" -> ")
		}
		fmt.Fprint(&b, id)
	}
	return b.String()
}
