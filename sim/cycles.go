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
// parked, and keeps it for the scheduler to report. A search reuses the
// executor's buffers: a park allocates nothing, even when the tasks t
// waits for are parked themselves (a Mutex's holder waiting for the
// tasks queued on it, say, each of which parks and searches).
//
//go:norace
func (e *executor) checkCycle(t *kernel.Task) {
	if e.cycle != nil || !stuckFor(t) {
		return
	}
	s := &e.search
	if kernel.RaceEnabled {
		// A grown buffer copies what another task's goroutine wrote,
		// which the race detector would see: a race build starts afresh.
		*s = cycleSearch{}
	}
	s.edges = waitsFor(t, s.edges[:0])
	deeper := false
	for _, y := range s.edges {
		if y == t {
			e.cycle = []*kernel.Task{t}
			return
		}
		deeper = deeper || stuckFor(y)
	}
	if !deeper {
		return
	}
	// A depth-first search for a path back to t, each task entered once;
	// a frame's edges are s.edges[next:end].
	s.path = append(s.path[:0], cycleFrame{t, 0, len(s.edges)})
	s.seen = append(s.seen[:0], t)
	for len(s.path) > 0 {
		top := &s.path[len(s.path)-1]
		if top.next == top.end {
			s.path = s.path[:len(s.path)-1]
			continue
		}
		y := s.edges[top.next]
		top.next++
		if y == t {
			for _, f := range s.path {
				e.cycle = append(e.cycle, f.task)
			}
			return
		}
		if stuckFor(y) && !contains(s.seen, y) {
			s.seen = append(s.seen, y)
			from := len(s.edges)
			s.edges = waitsFor(y, s.edges)
			s.path = append(s.path, cycleFrame{y, from, len(s.edges)})
		}
	}
}

// cycleSearch is checkCycle's buffers, kept from one park to the next.
type cycleSearch struct {
	edges []*kernel.Task // every entered task's edges, one after another
	path  []cycleFrame
	seen  []*kernel.Task
}

// cycleFrame is a task on the search's path, with the edges not followed
// yet.
type cycleFrame struct {
	task      *kernel.Task
	next, end int
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
		if w := taskWorker(t); w != nil {
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
