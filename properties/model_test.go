package properties_test

import (
	"context"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"time"

	"pgregory.net/rapid"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// opKind is one step of a generated task program.
type opKind int

const (
	opYield    opKind = iota
	opSleep           // clock.Sleep(d)
	opSpawn           // spawn child; its handle is kept
	opJoin            // join the idx-th child spawned so far (if any)
	opAbort           // abort the idx-th child spawned so far (if any)
	opCritical        // Lock the shared Mutex; inner ops; Unlock
	opSend            // send val on the shared unbounded Chan
	opRecv            // TryRecv on the shared Chan
	opPanic           // panic (ends the task)
)

var opNames = [...]string{"yield", "sleep", "spawn", "join", "abort", "critical", "send", "recv", "panic"}

type op struct {
	kind  opKind
	d     time.Duration
	child *prog
	idx   int
	inner []op
	val   int
}

// prog is one task's program; id numbers the tasks of a tree in pre-order.
type prog struct {
	id  int
	ops []op
	ret int
}

func (p *prog) String() string {
	var b strings.Builder
	p.write(&b, 0)
	return b.String()
}

func (p *prog) write(b *strings.Builder, depth int) {
	fmt.Fprintf(b, "%stask#%d returns %d:\n", strings.Repeat("  ", depth), p.id, p.ret)
	for _, o := range p.ops {
		fmt.Fprintf(b, "%s- %s", strings.Repeat("  ", depth+1), opNames[o.kind])
		switch o.kind {
		case opSleep:
			fmt.Fprintf(b, " %v", o.d)
		case opJoin, opAbort:
			fmt.Fprintf(b, " child %d", o.idx)
		case opSend:
			fmt.Fprintf(b, " %d", o.val)
		case opCritical:
			fmt.Fprintf(b, " (%d inner)", len(o.inner))
		}
		b.WriteString("\n")
		if o.kind == opSpawn {
			o.child.write(b, depth+2)
		}
	}
}

// features selects the operations a generated program may use.
type features struct {
	abort, panic, shared bool // shared: the Mutex and the Chan
}

// allFeatures allows every operation.
var allFeatures = features{abort: true, panic: true, shared: true}

// raceFree allows only operations whose results cannot depend on the
// interleaving: no abort (races with completion), no TryRecv, no panic.
var raceFree = features{}

// genProg draws a tree of at most depth levels.
func genProg(t *rapid.T, f features, depth int) *prog {
	next := 0
	return drawProg(t, f, depth, &next)
}

func drawProg(t *rapid.T, f features, depth int, next *int) *prog {
	p := &prog{id: *next, ret: rapid.IntRange(0, 9).Draw(t, "ret")}
	*next++
	kinds := []opKind{opYield, opSleep, opJoin}
	if depth > 0 {
		kinds = append(kinds, opSpawn, opSpawn)
	}
	if f.abort {
		kinds = append(kinds, opAbort)
	}
	if f.shared {
		kinds = append(kinds, opCritical, opSend, opRecv)
	}
	if f.panic {
		kinds = append(kinds, opPanic)
	}
	n := rapid.IntRange(0, 5).Draw(t, "ops")
	for range n {
		o := op{kind: rapid.SampledFrom(kinds).Draw(t, "op")}
		switch o.kind {
		case opSleep:
			o.d = time.Duration(rapid.IntRange(0, 3).Draw(t, "ms")) * time.Millisecond
		case opSpawn:
			o.child = drawProg(t, f, depth-1, next)
		case opJoin, opAbort:
			o.idx = rapid.IntRange(0, 3).Draw(t, "child")
		case opCritical:
			for range rapid.IntRange(0, 2).Draw(t, "inner") {
				o.inner = append(o.inner, op{kind: opYield})
			}
		case opSend:
			o.val = rapid.IntRange(0, 99).Draw(t, "val")
		}
		p.ops = append(p.ops, o)
	}
	return p
}

// count returns the number of tasks of the tree.
func (p *prog) count() int {
	n := 1
	for _, o := range p.ops {
		if o.kind == opSpawn {
			n += o.child.count()
		}
	}
	return n
}

// world is the shared state a program runs against, and what the
// properties observe. It is guarded by mu, for the production executor.
type world struct {
	mu       sync.Mutex
	lock     runtime.Mutex
	ch       *runtime.Chan[int]
	started  []bool
	deferred []bool
	returned []bool
	inline   []string // S10 violations
	userOps  int      // user operations executed so far
	handles  []*runtime.JoinHandle[int]
	aborts   []abortRecord
	log      []string
}

// abortRecord is what was true when a task was aborted: whether it had
// started, whether it had finished, and then with what outcome.
type abortRecord struct {
	child             *prog
	h                 *runtime.JoinHandle[int]
	started, finished bool
	joinValue         int
	joinErr           error
}

func newWorld(p *prog) *world {
	n := p.count()
	return &world{
		ch:       runtime.NewChan[int](-1),
		started:  make([]bool, n),
		deferred: make([]bool, n),
		returned: make([]bool, n),
	}
}

func (w *world) note(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.userOps++
	w.log = append(w.log, fmt.Sprintf(format, args...))
}

func (w *world) set(flags []bool, id int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	flags[id] = true
}

func (w *world) get(flags []bool, id int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return flags[id]
}

// run interprets p as the body of a task and returns the sum of its return
// value and those of the children it joined successfully.
func (w *world) run(ctx context.Context, p *prog) (int, error) {
	w.set(w.started, p.id)
	defer w.set(w.deferred, p.id)
	var kids []*runtime.JoinHandle[int]
	var kidProgs []*prog
	sum := p.ret
	for i, o := range p.ops {
		w.note("task#%d op %d %s", p.id, i, opNames[o.kind])
		switch o.kind {
		case opYield:
			runtime.YieldNow(ctx)
		case opSleep:
			if err := clock.Sleep(ctx, o.d); err != nil {
				return sum, err
			}
		case opSpawn:
			child := o.child
			h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return w.run(ctx, child) })
			if w.get(w.started, child.id) {
				w.mu.Lock()
				w.inline = append(w.inline, fmt.Sprintf("task#%d started inside the Spawn of task#%d", child.id, p.id))
				w.mu.Unlock()
			}
			w.mu.Lock()
			w.handles = append(w.handles, h)
			w.mu.Unlock()
			kids, kidProgs = append(kids, h), append(kidProgs, child)
		case opJoin:
			if len(kids) > 0 {
				if v, err := kids[o.idx%len(kids)].Join(ctx); err == nil {
					sum += v
				}
			}
		case opAbort:
			if len(kids) > 0 {
				k := o.idx % len(kids)
				h, c := kids[k], kidProgs[k]
				rec := abortRecord{child: c, h: h, started: w.get(w.started, c.id), finished: h.IsFinished()}
				if rec.finished { // Join of a finished task does not wait
					rec.joinValue, rec.joinErr = h.Join(ctx)
				}
				h.Abort()
				w.mu.Lock()
				w.aborts = append(w.aborts, rec)
				w.mu.Unlock()
			}
		case opCritical:
			if err := w.critical(ctx, len(o.inner)); err != nil {
				return sum, err
			}
		case opSend:
			if err := w.ch.Send(ctx, o.val); err != nil {
				return sum, err
			}
		case opRecv:
			_, _ = w.ch.TryRecv()
		case opPanic:
			panic(fmt.Sprintf("task#%d panics", p.id))
		}
	}
	w.set(w.returned, p.id)
	return sum, nil
}

// critical holds the shared Mutex across n yields, unlocking in a deferred
// call as careful code does: a task dropped inside still releases it.
func (w *world) critical(ctx context.Context, n int) error {
	if err := w.lock.Lock(ctx); err != nil {
		return err
	}
	defer w.lock.Unlock()
	for range n {
		runtime.YieldNow(ctx)
	}
	return nil
}

// strategy draws a scheduling strategy.
func strategy(t *rapid.T) sim.Strategy {
	return rapid.SampledFrom([]sim.Strategy{sim.FIFO(), sim.Random(), sim.PCT(1), sim.PCT(2), sim.PCT(3)}).Draw(t, "strategy")
}

// simOpts draws a strategy and a seed.
func simOpts(t *rapid.T) []sim.Option {
	return []sim.Option{
		sim.WithStrategy(strategy(t)),
		sim.WithSeed(rapid.Uint64().Draw(t, "seed")),
		sim.AllowUnobservedPanics(),
		sim.WithWatchdog(2 * time.Second),
	}
}

// goexit ends the calling task as t.FailNow would.
func goexit() { goruntime.Goexit() }
