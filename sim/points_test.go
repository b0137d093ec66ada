package sim_test

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// Bugs whose window holds only operations that need not wait: an
// uncontended Lock, an Unlock, a Notify, a send into free buffer space.
// Every operation on a primitive is a scheduling point (S2, revised),
// so sim.Test finds each with its default settings; no YieldNow helps it.
// Each has a fixed twin, correct in production too, that never fails.
var pointBugs = []struct {
	name       string
	bug, fixed func(ctx context.Context) error
}{
	{"lost update across an uncontended lock", lostUpdateAcrossLock, lostUpdateOneSection},
	{"dining philosophers", philosophers(false), philosophers(true)},
	{"lost wake-up between Unlock and Wait", lostWakeup(false), lostWakeup(true)},
	{"check-then-act across two channel operations", checkThenAct(false), checkThenAct(true)},
}

// lostUpdateAcrossLock reads and writes x in two critical sections: the
// other task's update between them is lost.
func lostUpdateAcrossLock(ctx context.Context) error {
	var mu runtime.Mutex
	x := 0
	var wg runtime.WaitGroup
	for range 2 {
		wg.Go(ctx, func(ctx context.Context) {
			_ = mu.Lock(ctx)
			v := x
			mu.Unlock()
			_ = mu.Lock(ctx)
			x = v + 1
			mu.Unlock()
		})
	}
	if err := wg.Wait(ctx); err != nil {
		return err
	}
	if x != 2 {
		return fmt.Errorf("lost update: x = %d, want 2", x)
	}
	return nil
}

func lostUpdateOneSection(ctx context.Context) error {
	var mu runtime.Mutex
	x := 0
	var wg runtime.WaitGroup
	for range 2 {
		wg.Go(ctx, func(ctx context.Context) {
			_ = mu.Lock(ctx)
			x++
			mu.Unlock()
		})
	}
	if err := wg.Wait(ctx); err != nil {
		return err
	}
	if x != 2 {
		return fmt.Errorf("lost update: x = %d, want 2", x)
	}
	return nil
}

// philosophers: three tasks each lock their left fork, then their right
// one, with nothing in between. The deadlock needs every task to switch
// between its two Locks. The fix takes the lower-numbered fork first.
func philosophers(ordered bool) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var forks [3]runtime.Mutex
		var wg runtime.WaitGroup
		for i := range 3 {
			first, second := i, (i+1)%3
			if ordered && first > second {
				first, second = second, first
			}
			wg.Go(ctx, func(ctx context.Context) {
				_ = forks[first].Lock(ctx)
				_ = forks[second].Lock(ctx)
				forks[second].Unlock()
				forks[first].Unlock()
			})
		}
		return wg.Wait(ctx)
	}
}

// lostWakeup: the waiter checks ready under the lock, unlocks, then waits;
// NotifyAll keeps no permit, so a notification between the Unlock and the
// Wait is lost and the waiter waits for ever. The fix is NotifyOne, whose
// permit the next Wait consumes.
func lostWakeup(permit bool) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var mu runtime.Mutex
		var cond runtime.Notify
		ready := false
		var wg runtime.WaitGroup
		wg.Go(ctx, func(ctx context.Context) { // waiter
			_ = mu.Lock(ctx)
			if !ready {
				mu.Unlock()
				_ = cond.Wait(ctx)
				return
			}
			mu.Unlock()
		})
		wg.Go(ctx, func(ctx context.Context) { // notifier
			_ = mu.Lock(ctx)
			ready = true
			mu.Unlock()
			if permit {
				cond.NotifyOne()
			} else {
				cond.NotifyAll()
			}
		})
		return wg.Wait(ctx)
	}
}

// checkThenAct: a balance lives in a channel of capacity 1. Each
// withdrawal peeks at it (TryRecv, TrySend back), then, if it covers the
// amount, takes it and puts back the rest: two tasks can both see 10 and
// both withdraw. The fix holds the balance (the value out of the channel)
// from the check to the update.
func checkThenAct(hold bool) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		box := runtime.NewChan[int](1)
		if err := box.Send(ctx, 10); err != nil {
			return err
		}
		var wg runtime.WaitGroup
		for range 2 {
			wg.Go(ctx, func(ctx context.Context) {
				if hold {
					v, _ := box.Recv(ctx)
					if v >= 10 {
						v -= 10
					}
					_ = box.Send(ctx, v)
					return
				}
				v, err := box.TryRecv() // peek...
				if err != nil {
					return
				}
				_ = box.TrySend(v)
				if v >= 10 { // ...then act
					w, err := box.TryRecv()
					if err != nil {
						return
					}
					_ = box.TrySend(w - 10)
				}
			})
		}
		if err := wg.Wait(ctx); err != nil {
			return err
		}
		if v, _ := box.TryRecv(); v < 0 {
			return fmt.Errorf("overdrawn: balance %d", v)
		}
		return nil
	}
}

// fatalRecorder is a testing.TB whose Fatal ends the calling goroutine and
// keeps the message, so a test can run sim.Test and look at its verdict.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Fatal(args ...any) { r.msg = fmt.Sprint(args...); goruntime.Goexit() }
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	goruntime.Goexit()
}

// simTestVerdict runs sim.Test on body with opts and returns its failure
// report, or "" if it passed.
func simTestVerdict(t *testing.T, body func(ctx context.Context) error, opts ...sim.Option) string {
	r := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sim.Test(r, func(ctx context.Context) {
			if err := body(ctx); err != nil {
				panic(err)
			}
		}, append(opts, sim.WithReplayDir(t.TempDir()))...)
	}()
	<-done
	return r.msg
}

func TestPoints_SimTestFindsBugsWithoutYields(t *testing.T) {
	for _, b := range pointBugs {
		t.Run(b.name, func(t *testing.T) {
			report := simTestVerdict(t, b.bug)
			assert.Contains(t, report, "sim: seed", "sim.Test with default settings passed a buggy program")
			t.Logf("%.200s", report)
		})
	}
}

func TestPoints_FixedTwinsNeverFail(t *testing.T) {
	const seeds = 1000
	for _, b := range pointBugs {
		for _, s := range []sim.Strategy{sim.Random(), sim.FIFO(), sim.PCT(2), sim.PCT(3)} {
			for seed := range uint64(seeds) {
				res := sim.Run(b.fixed, sim.WithSeed(seed+1), sim.WithStrategy(s))
				if res.Err != nil {
					t.Fatalf("%s (fixed), %v, seed %d: %v", b.name, s, seed+1, res.Err)
				}
			}
		}
	}
}

// Every buggy program also fails under PCT, whose horizon sim.Test
// measures, within 500 seeds. (FIFO never preempts a running task, so it
// finds none of them.)
func TestPoints_PCTFindsThem(t *testing.T) {
	t.Setenv("WEFT_SIM_SEEDS", "500")
	for _, b := range pointBugs {
		for _, s := range []sim.Strategy{sim.PCT(2), sim.PCT(3)} {
			report := simTestVerdict(t, b.bug, sim.WithStrategy(s))
			assert.Contains(t, report, "sim: seed", "%s: %v did not find it in 500 seeds", b.name, s)
			t.Logf("%s: %v: %.60s", b.name, s, report)
		}
		assert.Empty(t, simTestVerdict(t, b.bug, sim.WithStrategy(sim.FIFO())), "%s: FIFO preempted", b.name)
	}
}

// S15 at the new points: a task aborted while it runs is dropped at its
// next point, but never inside an operation. Dropped at an Unlock, it has
// released the lock (the point comes after the release), so whoever locks
// next gets it; for every seed, nobody deadlocks.
func TestPoints_DroppedAtUnlockHasReleased(t *testing.T) {
	prog := func(ctx context.Context) error {
		var mu runtime.Mutex
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			for {
				_ = mu.Lock(ctx)
				mu.Unlock()
			}
		})
		h.Abort()
		if err := mu.Lock(ctx); err != nil {
			return err
		}
		mu.Unlock()
		if _, err := h.Join(ctx); !errors.Is(err, runtime.ErrCancelled) {
			return fmt.Errorf("Join: %v, want ErrCancelled", err)
		}
		return nil
	}
	for _, s := range []sim.Strategy{sim.Random(), sim.PCT(3).PCTHorizon(20), sim.FIFO()} {
		for seed := range uint64(300) {
			if res := sim.Run(prog, sim.WithSeed(seed+1), sim.WithStrategy(s)); res.Err != nil {
				t.Fatalf("%v, seed %d: %v", s, seed+1, res.Err)
			}
		}
	}
}

// A dropped task's deferred functions run whole: the point of a deferred
// Unlock does not drop the task again in the middle of the function that
// defers it, even with other tasks runnable there.
func TestPoints_DeferredUnlockDoesNotCutItsFunctionShort(t *testing.T) {
	prog := func(ctx context.Context) error {
		var mu runtime.Mutex
		deferred, cleaned := false, false
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			_ = mu.Lock(ctx) // (a drop at its point comes before the defer)
			defer func() {
				mu.Unlock()
				cleaned = true
			}()
			deferred = true
			for {
				runtime.YieldNow(ctx)
			}
		})
		var wg runtime.WaitGroup
		wg.Go(ctx, func(ctx context.Context) { // runnable at the Unlock's point
			for range 5 {
				runtime.YieldNow(ctx)
			}
		})
		runtime.YieldNow(ctx)
		h.Abort()
		_, _ = h.Join(ctx)
		if err := wg.Wait(ctx); err != nil {
			return err
		}
		if deferred && !cleaned {
			return errors.New("the deferred function stopped at its Unlock")
		}
		return nil
	}
	for seed := range uint64(300) {
		if res := sim.Run(prog, sim.WithSeed(seed+1)); res.Err != nil {
			t.Fatalf("seed %d: %v", seed+1, res.Err)
		}
	}
}

// A task that is the only runnable one pays no switch at a point: a
// thousand uncontended Lock/Unlock pairs take no step and draw no
// decision.
func TestPoints_AloneIsNoStep(t *testing.T) {
	run := func(pairs int) sim.Result {
		return sim.Run(func(ctx context.Context) error {
			var mu runtime.Mutex
			for range pairs {
				if err := mu.Lock(ctx); err != nil {
					return err
				}
				mu.Unlock()
			}
			return nil
		}, sim.WithRecording())
	}
	none, many := run(0), run(1000)
	assert.Equal(t, none.Steps, many.Steps)
	assert.Empty(t, many.Decisions)
	assert.Equal(t, none.Hash, many.Hash, "not even an event")
}

// FIFO is not preemptive: at a point that need not wait the running task
// goes on; Random lets the other task in.
func TestPoints_FIFOKeepsTheRunningTask(t *testing.T) {
	prog := func(order *[]string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			var mu runtime.Mutex
			var wg runtime.WaitGroup
			for _, name := range []string{"a", "b"} {
				wg.Go(ctx, func(ctx context.Context) {
					for range 3 {
						_ = mu.Lock(ctx)
						*order = append(*order, name)
						mu.Unlock()
					}
				})
			}
			return wg.Wait(ctx)
		}
	}
	var fifo []string
	sim.Run(prog(&fifo), sim.WithStrategy(sim.FIFO()))
	assert.Equal(t, []string{"a", "a", "a", "b", "b", "b"}, fifo)
	interleaved := false
	for seed := range uint64(20) {
		var order []string
		sim.Run(prog(&order), sim.WithSeed(seed+1))
		if fmt.Sprint(order) != fmt.Sprint(fifo) && fmt.Sprint(order) != "[b b b a a a]" {
			interleaved = true
		}
	}
	assert.True(t, interleaved, "Random never switched at a Lock or Unlock")
}
