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
)

// Strategy decides which runnable task runs next (S5). Every decision draws
// on the simulation's one seeded PRNG.
type Strategy struct {
	kind    strategyKind
	depth   int
	horizon int
}

// DefaultPCTHorizon is the number of steps over which PCT spreads its
// priority change points unless PCTHorizon says otherwise.
const DefaultPCTHorizon = 1000

// FIFO runs tasks in run-queue order, like Tokio's current-thread scheduler.
// Only the order of timers due at the same instant depends on the seed.
func FIFO() Strategy { return Strategy{kind: kindFIFO} }

// Random picks uniformly among the runnable tasks at every step.
func Random() Strategy { return Strategy{kind: kindRandom} }

// PCT is probabilistic concurrency testing: each task gets a random
// priority, the highest-priority runnable task runs, and at depth-1 random
// steps among the first DefaultPCTHorizon the running task drops to the
// lowest priority. A task that calls YieldNow draws a fresh priority, so
// spin-waiting makes progress. A bug that needs d ordering constraints among n tasks
// and k steps is found by one run with probability at least 1/(n*k^(d-1)).
func PCT(depth int) Strategy {
	if depth < 1 {
		panic("sim: PCT depth must be at least 1; PCT(1) is priority scheduling without change points")
	}
	return Strategy{kind: kindPCT, depth: depth, horizon: DefaultPCTHorizon}
}

// PCTHorizon returns s with its change points spread over the first steps
// steps. It panics unless s is a PCT strategy and steps >= 1.
func (s Strategy) PCTHorizon(steps int) Strategy {
	if s.kind != kindPCT || steps < 1 {
		panic("sim: PCTHorizon applies to PCT(depth) with steps >= 1")
	}
	s.horizon = steps
	return s
}

// String returns the form ParseStrategy reads and -sim.strategy takes:
// "fifo", "random", "pct:3" or "pct:3:500" (depth 3, horizon 500).
func (s Strategy) String() string {
	switch s.kind {
	case kindFIFO:
		return "fifo"
	case kindPCT:
		if s.horizon != DefaultPCTHorizon {
			return fmt.Sprintf("pct:%d:%d", s.depth, s.horizon)
		}
		return fmt.Sprintf("pct:%d", s.depth)
	}
	return "random"
}

// ParseStrategy reads the form String writes. "pct" alone means pct:3.
func ParseStrategy(v string) (Strategy, error) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(v)), ":")
	bad := func(why string) (Strategy, error) {
		return Strategy{}, fmt.Errorf("sim: bad strategy %q: %s; want fifo, random, pct, pct:DEPTH or pct:DEPTH:HORIZON", v, why)
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
		s := Strategy{kind: kindPCT, depth: 3, horizon: DefaultPCTHorizon}
		for i, p := range parts[1:] {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 {
				return bad(fmt.Sprintf("%q is not a positive integer", p))
			}
			if i == 0 {
				s.depth = n
			} else {
				s.horizon = n
			}
		}
		return s, nil
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

func (s Strategy) newQueue(dec *decider) runQueue {
	switch s.kind {
	case kindFIFO:
		return &fifoQueue{}
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

func (q *fifoQueue) len() int             { return q.size }
func (q *fifoQueue) yield(t *kernel.Task) { q.push(t) }

// preempt puts t at the head: FIFO is not preemptive, the running task
// goes on until it waits or yields (as on Tokio's current-thread
// scheduler).
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

func (q *randomQueue) len() int               { return len(q.runq) }
func (q *randomQueue) yield(t *kernel.Task)   { q.push(t) }
func (q *randomQueue) preempt(t *kernel.Task) { q.push(t) }
func (q *randomQueue) push(t *kernel.Task)    { q.runq = append(q.runq, t) }
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
// bands. A new task gets a random priority in the top band, [yieldBand+1,
// yieldBand+2^62). The i-th change point lowers the chosen task to
// depth-i, the bottom band, below everything. YieldNow moves a task into
// the middle band, just below every task that has not yielded since: see
// yield.
type pctQueue struct {
	dec       *decider
	depth     int
	changes   []uint64 // sorted steps at which a change point falls
	heap      []*kernel.Task
	nextYield uint64 // the priority the next YieldNow gives, counting down
}

// yieldBand is the top of the middle band of PCT priorities.
const yieldBand = 1 << 62

func (q *pctQueue) len() int               { return len(q.heap) }
func (q *pctQueue) preempt(t *kernel.Task) { q.push(t) }

func (q *pctQueue) push(t *kernel.Task) {
	if t.Sim.Prio == 0 {
		t.Sim.Prio = yieldBand + 1 + q.dec.uint64()>>2
	}
	q.heap = append(q.heap, t)
	q.up(len(q.heap) - 1)
}

// yield lowers a task that calls YieldNow below every task that has not
// yielded since (a change point's priority it keeps, being lower still).
// Without it a task spinning on YieldNow, waiting for another to make
// progress, would keep the highest priority and starve everyone for ever;
// with it, tasks that yield take turns in the order they yielded. This is
// the one change of priority outside the change points, and it is
// deterministic: it draws nothing.
func (q *pctQueue) yield(t *kernel.Task) {
	if q.nextYield == 0 {
		q.nextYield = yieldBand
	}
	t.Sim.Prio = min(t.Sim.Prio, q.nextYield)
	q.nextYield--
	q.push(t)
}

func (q *pctQueue) pick(step uint64) *kernel.Task {
	t := q.pop()
	for len(q.changes) > 0 && q.changes[0] <= step {
		q.changes = q.changes[1:]
		t.Sim.Prio = uint64(len(q.changes) + 1)
		q.heap = append(q.heap, t)
		q.up(len(q.heap) - 1)
		t = q.pop()
	}
	return t
}

func (q *pctQueue) less(i, j int) bool { // i ranks above j
	a, b := q.heap[i], q.heap[j]
	if a.Sim.Prio != b.Sim.Prio {
		return a.Sim.Prio > b.Sim.Prio
	}
	return a.ID() < b.ID()
}

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
