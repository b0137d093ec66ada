package sim

import (
	"context"
	"fmt"
	"strings"

	"github.com/weftsim/weft/internal/kernel"
)

// explainDivergence is compareRuns with, when the runs differ, the stack of
// the task behind the first differing event in each run: each run is taken
// again with the same options, every step through the driver (which gives
// the same events), and stopped for a look at that event. A hidden source
// of randomness (crypto/rand, math/rand's globals, the wall clock) shows up
// as the caller on that stack.
//
//go:norace
func explainDivergence(body func(context.Context) error, run []Option, a, b Result) string {
	msg := compareRuns(a, b)
	if msg == "" {
		return msg
	}
	i := firstDifference(a, b)
	for _, r := range []struct {
		name string
		res  Result
		opts []Option
	}{{"first", a, run}, {"second", b, append(run[:len(run):len(run)], perturb())}} {
		at := r.res.events - uint64(len(r.res.Events)) + uint64(i) + 1
		if i >= len(r.res.Events) {
			continue // this run has no such event
		}
		again := Run(body, append(r.opts[:len(r.opts):len(r.opts)], stackAt(at))...)
		if again.atEvent != "" {
			msg += fmt.Sprintf("\n%s run, at that event: %s", r.name, indent(again.atEvent))
		}
	}
	return msg
}

// firstDifference is the index in Events at which two runs first differ
// (the shorter one's length if one is a prefix of the other).
//
//go:norace
func firstDifference(a, b Result) int {
	n := min(len(a.Events), len(b.Events))
	for i := range n {
		if a.Events[i] != b.Events[i] {
			return i
		}
	}
	return n
}

// stackAt makes a run capture, at its n-th event (from 1), the stack of the
// task behind it. The run takes every step through the driver, where a
// parked task can be asked for its stack.
//
//go:norace
func stackAt(n uint64) Option {
	return func(c *config) { c.stackAt, c.viaDriver = n, true }
}

// eventProbe is the stack capture of stackAt.
type eventProbe struct {
	pending bool         // capture before the next step
	want    *kernel.Task // the event's task, if any
	stack   string
}

// at is called at the chosen event. An event of the running task is taken
// on its goroutine, whose stack shows the call; otherwise (a scheduling
// decision, a timer, a clock advance) the stack of the event's task, or of
// the next task to run, is captured before the next step.
//
//go:norace
func (p *eventProbe) at(e *executor, t *kernel.Task) {
	if cur := e.current; cur != nil {
		p.stack = fmt.Sprintf("task %d, running:\n%s", cur.ID(), userFrames(ownGoroutineStack()))
		return
	}
	p.pending, p.want = true, t
}

// capture runs on the driver between steps, where every started task is
// suspended and can be asked for its stack.
//
//go:norace
func (p *eventProbe) capture(e *executor, next *kernel.Task) {
	p.pending = false
	t := p.want
	if t == nil || t.Finished() {
		t = next
	}
	w := taskWorker(t)
	if w == nil || t.Sim.State == stNew {
		p.stack = fmt.Sprintf("task %d, not started yet; spawned at %s", t.ID(), funcLocation(t.SpawnFunc))
		return
	}
	p.stack = fmt.Sprintf("task %d, waiting:\n%s", t.ID(), userFrames(e.ownStack(w)))
}

//go:norace
func indent(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n\t")
}

// userFrames drops the simulator's own frames (the capture, the
// coroutine) from a goroutine stack: what is left starts at the call into
// weft and goes down to the task's function.
//
//go:norace
func userFrames(stack string) string {
	lines := strings.Split(strings.TrimRight(stack, "\n"), "\n")
	out := lines[:1:1] // the goroutine header
	for i := 1; i+1 < len(lines); i += 2 {
		fn := lines[i]
		if strings.HasPrefix(fn, "github.com/weftsim/weft/sim.") || strings.HasPrefix(fn, "iter.Pull") ||
			strings.HasPrefix(fn, "created by iter.Pull") {
			continue
		}
		out = append(out, fn, lines[i+1])
	}
	return strings.Join(out, "\n")
}
