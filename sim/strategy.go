package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/weftsim/weft/internal/kernel"
)

type strategyKind uint8

const (
	kindRandom strategyKind = iota // the zero Strategy is Random
	kindFIFO
	kindPCT
	kindExhaustive // exhaustive.go
)

// Strategy decides which runnable task runs next (S5). Every decision draws
// on the simulation's one seeded PRNG.
type Strategy struct {
	kind    strategyKind
	depth   int
	horizon int // PCT: 0 means estimated (see PCT)
}

// Bounds of PCT's parameters: each change point is a decision drawn when
// a run starts, and a run must not spend its time drawing them.
const (
	MaxPCTDepth   = 100
	MaxPCTHorizon = 1_000_000_000
)

// DefaultPCTHorizon is the horizon of a PCT strategy without one outside
// Test, which measures it instead (see PCT).
const DefaultPCTHorizon = 1000

// FIFO runs tasks in run-queue order, like Tokio's current-thread scheduler.
// Only the order of timers due at the same instant depends on the seed.
//
//go:norace
func FIFO() Strategy { return Strategy{kind: kindFIFO} }

// Random picks uniformly among the runnable tasks at every step.
//
//go:norace
func Random() Strategy { return Strategy{kind: kindRandom} }

// PCT is probabilistic concurrency testing: each task gets a random
// priority, the highest-priority runnable task runs at every step, and at
// depth-1 steps drawn uniformly from the run's k steps (its horizon) the
// running task drops below every other. A bug that needs d ordering
// constraints among n tasks and k steps is found by one run with
// probability at least 1/(n*k^(d-1)).
//
// The bound needs the horizon to be the run's length, so unless
// PCTHorizon sets it, Test measures it: its first seed runs under PCT(1)
// first (no change points, so no horizon needed; an ordinary run of the
// exploration, reported if it fails), and that run's step count is the
// horizon of every seed (the same in a parallel exploration as in a
// sequential one). Each run's Result.Strategy names the horizon it used
// ("pct:3:10"), and the replay command and file with it, so a replay
// never depends on the estimate. Run and New cannot measure a program they run once (running
// it twice would repeat its side effects): they use DefaultPCTHorizon,
// which suits runs of about that many steps; set PCTHorizon for others.
//
// Priorities change only at change points, with one exception that keeps
// spin-waiting alive: a task that calls YieldNow PCTSpinYields times with
// no other task running in between is spinning, and drops below every
// other task (spinners then take turns). Fewer yields leave its priority
// as it is. A task that spins without YieldNow (on TryLock, say) starves
// the others under PCT, as under FIFO.
//
//go:norace
func PCT(depth int) Strategy {
	if depth < 1 || depth > MaxPCTDepth {
		panic(fmt.Sprintf("sim: PCT(%d): the depth must be from 1 to %d; PCT(1) is priority scheduling without change points", depth, MaxPCTDepth))
	}
	return Strategy{kind: kindPCT, depth: depth}
}

// PCTHorizon returns s with its change points spread over the first steps
// steps, instead of a measured horizon. It panics unless s is a PCT
// strategy and steps >= 1.
//
//go:norace
func (s Strategy) PCTHorizon(steps int) Strategy {
	if s.kind != kindPCT || steps < 1 || steps > MaxPCTHorizon {
		panic(fmt.Sprintf("sim: PCTHorizon(%d) on %v: it applies to PCT(depth), with steps from 1 to %d", steps, s, MaxPCTHorizon))
	}
	s.horizon = steps
	return s
}

// String returns the form ParseStrategy reads and -sim.strategy takes:
// "fifo", "random", "pct:3" (depth 3, horizon measured), "pct:3:500"
// (depth 3, horizon 500) or "exhaustive:2" (at most 2 preemptions).
//
//go:norace
func (s Strategy) String() string {
	switch s.kind {
	case kindFIFO:
		return "fifo"
	case kindExhaustive:
		return fmt.Sprintf("exhaustive:%d", s.depth)
	case kindPCT:
		if s.horizon != 0 {
			return fmt.Sprintf("pct:%d:%d", s.depth, s.horizon)
		}
		return fmt.Sprintf("pct:%d", s.depth)
	}
	return "random"
}

// ParseStrategy reads the form String writes. "pct" alone means pct:3,
// "exhaustive" alone exhaustive:2.
//
//go:norace
func ParseStrategy(v string) (Strategy, error) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(v)), ":")
	bad := func(why string) (Strategy, error) {
		return Strategy{}, fmt.Errorf("sim: bad strategy %q: %s; want fifo, random, pct, pct:DEPTH, pct:DEPTH:HORIZON or exhaustive:PREEMPTIONS (DEPTH 1..%d, HORIZON 1..%d, PREEMPTIONS 0..%d)", v, why, MaxPCTDepth, MaxPCTHorizon, MaxExhaustiveBound)
	}
	switch parts[0] {
	case "fifo", "random":
		if len(parts) > 1 {
			return bad(parts[0] + " takes no parameters")
		}
		if parts[0] == "fifo" {
			return FIFO(), nil
		}
		return Random(), nil
	case "pct":
		if len(parts) > 3 {
			return bad("too many parameters")
		}
		s := Strategy{kind: kindPCT, depth: 3}
		for i, p := range parts[1:] {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 {
				return bad(fmt.Sprintf("%q is not a positive integer", p))
			}
			if hi := []int{MaxPCTDepth, MaxPCTHorizon}[i]; n > hi {
				return bad(fmt.Sprintf("%s %d is more than %d", []string{"depth", "horizon"}[i], n, hi))
			}
			if i == 0 {
				s.depth = n
			} else {
				s.horizon = n
			}
		}
		return s, nil
	case "exhaustive":
		if len(parts) > 2 {
			return bad("too many parameters")
		}
		p := DefaultExhaustiveBound
		if len(parts) == 2 {
			n, err := strconv.Atoi(parts[1])
			if err != nil || n < 0 {
				return bad(fmt.Sprintf("%q is not a preemption bound >= 0", parts[1]))
			}
			if n > MaxExhaustiveBound {
				return bad(fmt.Sprintf("preemption bound %d is more than %d", n, MaxExhaustiveBound))
			}
			p = n
		}
		return Exhaustive(p), nil
	}
	return bad("unknown strategy")
}

// runQueue holds the runnable tasks; a strategy is a runQueue.
type runQueue interface {
	push(t *kernel.Task)
	// yield requeues a task that called YieldNow.
	yield(t *kernel.Task)
	// preempt requeues the running task at a scheduling point that need
	// not wait (Point): FIFO puts it first, so it runs on.
	preempt(t *kernel.Task)
	pick(step uint64) *kernel.Task
	len() int
}

//go:norace
func (s Strategy) newQueue(dec *decider) runQueue {
	switch s.kind {
	case kindFIFO:
		return &fifoQueue{}
	case kindExhaustive:
		return &exhaustiveQueue{dec: dec, bound: s.depth}
	case kindPCT:
		q := &pctQueue{dec: dec, depth: s.depth}
		for range s.depth - 1 {
			q.changes = append(q.changes, 1+dec.uint64()%uint64(s.horizon))
		}
		slices.Sort(q.changes)
		return q
	}
	return &randomQueue{dec: dec}
}

// fifoQueue is a ring buffer whose size is a power of two, so positions
// wrap with a mask.
type fifoQueue struct {
	buf        []*kernel.Task
	head, size int
}

//go:norace
func (q *fifoQueue) len() int { return q.size }

//go:norace
func (q *fifoQueue) yield(t *kernel.Task) { q.push(t) }

// preempt puts t at the head: FIFO is not preemptive, the running task
// goes on until it waits or yields (as on Tokio's current-thread
// scheduler).
//
//go:norace
func (q *fifoQueue) preempt(t *kernel.Task) {
	if q.size == len(q.buf) {
		q.push(t) // grow, then move t from the tail to the head
		q.size--
		q.buf[(q.head+q.size)&(len(q.buf)-1)] = nil
	}
	q.head = (q.head - 1) & (len(q.buf) - 1)
	q.buf[q.head] = t
	q.size++
}

//go:norace
func (q *fifoQueue) push(t *kernel.Task) {
	if q.size == len(q.buf) {
		n := make([]*kernel.Task, max(16, 2*len(q.buf)))
		for i := range q.size {
			n[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
		}
		q.buf, q.head = n, 0
	}
	q.buf[(q.head+q.size)&(len(q.buf)-1)] = t
	q.size++
}

//go:norace
func (q *fifoQueue) pick(uint64) *kernel.Task {
	t := q.buf[q.head]
	q.buf[q.head] = nil
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.size--
	return t
}

// randomQueue picks uniformly; removal swaps the last task into the hole,
// which keeps the order a function of the decisions alone.
type randomQueue struct {
	dec  *decider
	runq []*kernel.Task
}

//go:norace
func (q *randomQueue) len() int { return len(q.runq) }

//go:norace
func (q *randomQueue) yield(t *kernel.Task) { q.push(t) }

//go:norace
func (q *randomQueue) preempt(t *kernel.Task) { q.push(t) }

//go:norace
func (q *randomQueue) push(t *kernel.Task) { q.runq = append(q.runq, t) }

//go:norace
func (q *randomQueue) pick(uint64) *kernel.Task {
	n := len(q.runq)
	i := 0
	if n > 1 {
		i = q.dec.intN(n)
		if broken == "nondeterministic" {
			i = rand.IntN(n)
		}
	}
	t := q.runq[i]
	q.runq[i] = q.runq[n-1]
	q.runq[n-1] = nil
	q.runq = q.runq[:n-1]
	return t
}

// pctQueue is a max-heap on (priority, -ID). Priorities fall in three
// bands. A new task gets a random priority in the top band, from
// initialBand up. The i-th change point lowers the chosen task to
// changeBand+depth-i, below every initial priority. YieldNow moves a task
// into the bottom band, below changeBand: see yield.
type pctQueue struct {
	dec     *decider
	depth   int
	changes []uint64 // sorted steps at which a change point falls
	heap    []*kernel.Task
	// spinner is the task that yielded last, if no other task has run
	// since; spins counts its yields in a row.
	spinner *kernel.Task
	spins   int
	low     uint64 // the priority of the next spinner, counting down
}

// PCTSpinYields is how many YieldNow calls in a row, with no other task
// running in between, make a task a spinner under PCT (see PCT).
const PCTSpinYields = 4

// The bands of PCT priorities.
const (
	initialBand = 1 << 63
	changeBand  = 1 << 62
)

//go:norace
func (q *pctQueue) len() int { return len(q.heap) }

//go:norace
func (q *pctQueue) preempt(t *kernel.Task) { q.push(t) }

//go:norace
func (q *pctQueue) push(t *kernel.Task) {
	if t.Sim.Prio == 0 {
		t.Sim.Prio = initialBand + q.dec.uint64()>>2
	}
	q.heap = append(q.heap, t)
	q.up(len(q.heap) - 1)
}

// yield requeues a task that called YieldNow with its priority, unless it
// is spinning: PCTSpinYields yields in a row with nobody else running
// lower it below every other task, those lowered by a change point
// included. A task spinning on YieldNow until another makes progress
// would otherwise keep its priority and starve that other for ever. This
// is the one change of priority outside the change points; it draws
// nothing.
//
//go:norace
func (q *pctQueue) yield(t *kernel.Task) {
	if t != q.spinner {
		q.spinner, q.spins = t, 0
	}
	if q.spins++; q.spins >= PCTSpinYields {
		if q.low == 0 {
			q.low = changeBand - 1
		}
		t.Sim.Prio = min(t.Sim.Prio, q.low)
		q.low--
		q.spinner = nil
	}
	q.push(t)
}

//go:norace
func (q *pctQueue) pick(step uint64) *kernel.Task {
	t := q.pick1(step)
	if t != q.spinner {
		q.spinner = nil // another task runs: no spin
	}
	return t
}

//go:norace
func (q *pctQueue) pick1(step uint64) *kernel.Task {
	t := q.pop()
	for len(q.changes) > 0 && q.changes[0] <= step {
		q.changes = q.changes[1:]
		t.Sim.Prio = min(t.Sim.Prio, changeBand+uint64(len(q.changes)+1))
		q.heap = append(q.heap, t)
		q.up(len(q.heap) - 1)
		t = q.pop()
	}
	return t
}

//go:norace
func (q *pctQueue) less(i, j int) bool { // i ranks above j
	a, b := q.heap[i], q.heap[j]
	if a.Sim.Prio != b.Sim.Prio {
		return a.Sim.Prio > b.Sim.Prio
	}
	return a.ID() < b.ID()
}

//go:norace
func (q *pctQueue) pop() *kernel.Task {
	h := q.heap
	t := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h[n] = nil
	q.heap = h[:n]
	if n > 0 {
		q.down(0)
	}
	return t
}

//go:norace
func (q *pctQueue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			return
		}
		q.heap[i], q.heap[p] = q.heap[p], q.heap[i]
		i = p
	}
}

//go:norace
func (q *pctQueue) down(i int) {
	n := len(q.heap)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && q.less(c+1, c) {
			c++
		}
		if !q.less(c, i) {
			return
		}
		q.heap[i], q.heap[c] = q.heap[c], q.heap[i]
		i = c
	}
}
