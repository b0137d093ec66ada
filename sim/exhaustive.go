package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// Exhaustive is the strategy that, under sim.Test, runs every schedule
// with at most p preemptions (iterative context bounding, as CHESS and
// loom do): first every schedule without a preemption, then every one with
// exactly one, and so on up to p. A preemption is a switch away from a task
// that could have gone on running (it yielded); a switch after a task
// parks or ends is free. Every other decision (which Select case wins,
// runtime.Rand) is enumerated too, and timers due at the same instant fire
// in a fixed order. Test then reports "explored N schedules, complete", or
// the first failing schedule — one with the fewest preemptions — and its
// replay file. A small test explored this way is a proof up to the bound;
// the number of schedules grows fast with the number of steps, so keep such
// tests small (or bound them with -sim.time).
//
// Under Run, Exhaustive(p) takes one schedule: a random one with at most p
// preemptions. p must be >= 0.
//
//go:norace
func Exhaustive(p int) Strategy {
	if p < 0 {
		panic("sim: Exhaustive bound must be >= 0; Exhaustive(0) runs every schedule without preemption")
	}
	return Strategy{kind: kindExhaustive, depth: p}
}

// DefaultExhaustiveBound is the preemption bound of "exhaustive" without
// one.
const DefaultExhaustiveBound = 2

// MaxExhaustiveBound is the largest preemption bound -sim.strategy
// accepts: the schedules grow exponentially with it, and a bound past a
// few is a run that takes for ever.
const MaxExhaustiveBound = 100

// exhaustiveQueue keeps the runnable tasks in arrival order. Its first
// option is to let the task that ran last go on, if it can (no
// preemption), otherwise the first task in order; a choice of another task
// that could have gone on is a preemption, and once the bound is spent
// there is no choice left.
type exhaustiveQueue struct {
	dec     *decider
	bound   int
	used    int // preemptions taken
	runq    []*kernel.Task
	running *kernel.Task // picked last
	goesOn  bool         // ... and its step ended runnable: it yielded
}

//go:norace
func (q *exhaustiveQueue) len() int { return len(q.runq) }

//go:norace
func (q *exhaustiveQueue) push(t *kernel.Task) {
	// A task requeued by its own step (granted before parking) has no
	// waiter; one woken after parking has.
	if t == q.running && t.Sim.Waiter == nil {
		q.goesOn = true
	}
	q.runq = append(q.runq, t)
}

//go:norace
func (q *exhaustiveQueue) yield(t *kernel.Task) {
	q.goesOn = t == q.running
	q.runq = append(q.runq, t)
}

// preempt requeues the running task at a scheduling point that need not
// wait: letting it go on is the first option, as after a yield.
//
//go:norace
func (q *exhaustiveQueue) preempt(t *kernel.Task) { q.yield(t) }

//go:norace
func (q *exhaustiveQueue) pick(uint64) *kernel.Task {
	cur := -1
	if q.goesOn {
		cur = slices.Index(q.runq, q.running)
	}
	n := len(q.runq)
	i := 0
	switch {
	case cur < 0:
		i = q.dec.intN(n)
	case q.used >= q.bound:
		i = cur
	default:
		x, _ := q.dec.src.(*explorer)
		if x != nil {
			x.preemptive = true
		}
		k := q.dec.intN(n)
		switch {
		case k == 0:
			i = cur
		case k-1 < cur:
			i = k - 1
		default:
			i = k
		}
		if k != 0 {
			q.used++
			if x != nil {
				x.used = q.used
			}
		}
	}
	t := q.runq[i]
	q.runq = slices.Delete(q.runq, i, i+1)
	q.running, q.goesOn = t, false
	return t
}

// explorer is the decision source of one run of an exhaustive
// exploration: it replays a prefix of choices, then takes the first
// option at every further decision, noting how many options each had.
type explorer struct {
	prefix     []choice
	points     []choice
	used       int  // preemptions the run took
	preemptive bool // the decision being asked for is the scheduler's, with a task that could go on
	nondet     bool // a decision of the prefix offered other options than before
}

type choice struct{ n, c int }

//go:norace
func (x *explorer) IntN(n int) int {
	c := 0
	if i := len(x.points); i < len(x.prefix) {
		c = x.prefix[i].c
		if x.prefix[i].n != n {
			x.nondet, c = true, 0
		}
	}
	x.points = append(x.points, choice{n, c})
	x.preemptive = false
	return c
}

// Uint64 is 0: timers due at the same instant fire in a fixed order.
//
//go:norace
func (x *explorer) Uint64() uint64 { return 0 }

// next returns the prefix of the run after the one that x drove, in
// depth-first order, and false once the tree is done.
//
//go:norace
func (x *explorer) next() ([]choice, bool) {
	for i := len(x.points) - 1; i >= 0; i-- {
		if p := x.points[i]; p.c+1 < p.n {
			return append(slices.Clone(x.points[:i]), choice{p.n, p.c + 1}), true
		}
	}
	return nil, false
}

// errNotDeterministic stops an exhaustive exploration of a body whose
// decisions change from run to run.
var errNotDeterministic = errors.New("sim: the body is not deterministic: a decision offered other options when replayed (state kept outside the simulation? check with -sim.checkdeterminism)")

// exploreSchedules runs body under every schedule with at most bound
// preemptions, fewest preemptions first, and calls visit with each run
// and its preemptions until visit returns false. It returns how many
// schedules it ran and whether that was all of them (not stopped by visit
// or the deadline, zero for none).
//
//go:norace
func exploreSchedules(body func(context.Context) error, opts []Option, bound int, deadline time.Time,
	visit func(Result, int) bool) (n int, complete bool, err error) {
	for b := 0; b <= bound; b++ {
		var prefix []choice
		for {
			if !deadline.IsZero() && time.Now().After(deadline) {
				return n, false, nil
			}
			x := &explorer{prefix: prefix}
			res := Run(body, append(opts[:len(opts):len(opts)], WithStrategy(Exhaustive(b)), WithDecisions(x),
				WithSeed(uint64(n+1)), WithRecording())...)
			if x.nondet {
				return n, false, errNotDeterministic
			}
			if x.used == b { // fewer: the same schedule as one run before
				n++
				if !visit(res, b) {
					return n, false, nil
				}
			}
			var more bool
			if prefix, more = x.next(); !more {
				break
			}
		}
	}
	return n, true, nil
}

// exploreExhaustively is sim.Test under Exhaustive(bound). Schedules are
// numbered from 1 in the order explored, which is the same on every run:
// -sim.seed=N checks schedule N only, which is what the replay line
// gives.
//
//go:norace
func exploreExhaustively(t testing.TB, id testID, body func(context.Context) error, opts []Option, bound int, s settings, dir string, cov *coverage) {
	t.Helper()
	var deadline time.Time
	if s.budget > 0 {
		deadline = time.Now().Add(s.budget)
	}
	var last uint64 // the last schedule -sim.seed asks for
	for _, r := range s.seeds {
		last = max(last, r.hi)
	}
	start := time.Now()
	prog := startProgress(t.Name(), 0, s.budget)
	defer prog.end()
	var bad Result
	failedIn := -1
	n, complete, err := exploreSchedules(body, opts, bound, deadline, func(res Result, b int) bool {
		if s.seeds != nil && !inAny(s.seeds, res.Seed) {
			return res.Seed < last
		}
		cov.add(res)
		prog.ran(res.Err != nil)
		if res.Err != nil || t.Failed() {
			bad, failedIn = res, b
			return false
		}
		return s.seeds == nil || res.Seed < last
	})
	if err != nil {
		t.Fatalf("%v (after %d schedules)", err, n)
	}
	if failedIn >= 0 {
		// Once more, exactly, keeping every event for the schedule.
		bad = Run(body, append(opts[:len(opts):len(opts)], WithStrategy(bad.Strategy), WithSeed(bad.Seed), WithRecording(),
			WithTrace(shrinkTrace), func(c *config) { c.replay = bad.Decisions })...)
		file := writeReplay(t, dir, bad)
		var b strings.Builder
		b.WriteString(report(id, bad, n, file))
		fmt.Fprintf(&b, "\nschedule %d of the exhaustive exploration failed, with %d preemptions (no schedule with fewer fails):\n%s",
			bad.Seed, failedIn, bad.Schedule())
		t.Fatal(strings.TrimRight(b.String(), "\n"))
	}
	switch {
	case s.seeds != nil:
		t.Logf("sim: ran the schedules -sim.seed asks for, of the %d explored", n)
	case complete:
		t.Logf("sim: explored %d schedules with at most %d preemptions in %v, complete", n, bound, time.Since(start).Round(time.Millisecond))
	default:
		t.Logf("sim: explored %d schedules with at most %d preemptions in %v, incomplete: the -sim.time budget ran out", n, bound, time.Since(start).Round(time.Millisecond))
	}
}
