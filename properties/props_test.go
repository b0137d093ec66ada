package properties_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"pgregory.net/rapid"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// runProg runs p as the root task of a simulation and returns the world.
func runProg(t *rapid.T, p *prog, opts ...sim.Option) (*world, sim.Result) {
	w := newWorld(p)
	res := sim.Run(worldBody(w, p), opts...)
	if res.Err != nil && !isProgramFailure(res.Err) {
		t.Fatalf("run failed: %v\nprogram:\n%v", res.Err, p)
	}
	return w, res
}

// worldBody is the root task that interprets p against w.
func worldBody(w *world, p *prog) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := w.run(ctx, p)
		return err
	}
}

// isProgramFailure tells a failure the program asked for (a panic op)
// from one of the executor.
func isProgramFailure(err error) bool {
	var pe *runtime.PanicError
	return errors.As(err, &pe)
}

// S10: a spawned task's first step never comes before the spawner's next
// yield point, for any program and strategy.
func TestS10_SpawnNeverPollsInline(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProg(t, allFeatures, 3)
		w, _ := runProg(t, p, simOpts(t)...)
		if len(w.inline) > 0 {
			t.Fatalf("%v\nprogram:\n%v", w.inline, p)
		}
	})
}

// S16: after Shutdown returns, no user code of a dropped task runs, every
// started task's deferred functions have run, every handle is finished and
// reports ErrCancelled or its real result, and no goroutine remains.
func TestS16_ShutdownDropsTasks(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProg(t, allFeatures, 3)
		rootSteps := rapid.IntRange(0, 6).Draw(t, "root yields before returning")
		before := goleak.IgnoreCurrent()
		w := newWorld(p)
		rt := sim.New(simOpts(t)...)
		err := rt.BlockOn(func(ctx context.Context) error {
			runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return w.run(ctx, p) })
			for range rootSteps {
				runtime.YieldNow(ctx)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rt.Shutdown()
		opsAtShutdown := w.userOps
		for id, started := range w.started {
			if started && !w.deferred[id] {
				t.Fatalf("task#%d started but its deferred functions did not run\nprogram:\n%v", id, p)
			}
		}
		for _, h := range w.handles {
			if !h.IsFinished() {
				t.Fatalf("task %d is not finished after Shutdown\nprogram:\n%v", h.ID(), p)
			}
			if _, err := h.Join(context.Background()); err != nil && !errors.Is(err, runtime.ErrCancelled) {
				var pe *runtime.PanicError
				if !errors.As(err, &pe) {
					t.Fatalf("task %d: Join after Shutdown = %v", h.ID(), err)
				}
			}
		}
		if w.userOps != opsAtShutdown {
			t.Fatalf("user code ran after Shutdown returned")
		}
		if err := goleak.Find(before); err != nil {
			t.Fatalf("goroutines left after Shutdown: %v", err)
		}
	})
}

// S11: spawning while holding a runtime.Mutex or a sync.Mutex that the
// children take too always completes.
func TestS11_LockHeldSpawnsCannotDeadlock(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		children := rapid.IntRange(1, 5).Draw(t, "children")
		useSync := rapid.Bool().Draw(t, "sync.Mutex")
		yields := rapid.IntRange(0, 3).Draw(t, "yields while holding")
		res := sim.Run(func(ctx context.Context) error {
			var rm runtime.Mutex
			var sm sync.Mutex
			lock := func(ctx context.Context) error {
				if useSync {
					sm.Lock()
					return nil
				}
				return rm.Lock(ctx)
			}
			unlock := func() {
				if useSync {
					sm.Unlock()
				} else {
					rm.Unlock()
				}
			}
			if err := lock(ctx); err != nil {
				return err
			}
			var hs []*runtime.JoinHandle[int]
			for i := range children {
				hs = append(hs, runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
					if err := lock(ctx); err != nil {
						return 0, err
					}
					defer unlock()
					return i, nil
				}))
			}
			if !useSync { // a sync.Mutex must not be held across a yield point
				for range yields {
					runtime.YieldNow(ctx)
				}
			}
			unlock()
			for _, h := range hs {
				if _, err := h.Join(ctx); err != nil {
					return err
				}
			}
			return nil
		}, simOpts(t)...)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	})
}

// S2, S5: the same program, seed and strategy give the same hash and the
// same event log.
func TestS2_S5_Determinism(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProg(t, allFeatures, 3)
		opts := append(simOpts(t), sim.WithTrace(1<<14))
		w1, a := runProg(t, p, opts...)
		w2, b := runProg(t, p, opts...)
		if a.Hash != b.Hash || !slices.Equal(a.Events, b.Events) || !slices.Equal(w1.log, w2.log) {
			t.Fatalf("two runs of one seed differ: hash %#x vs %#x\nprogram:\n%v", a.Hash, b.Hash, p)
		}
	})
}

// S2, S5 (differential): a race-free program computes the same result
// under every strategy and on the production executor.
func TestS5_RaceFreeResultsDoNotDependOnTheExecutor(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProg(t, raceFree, 3)
		results := map[string]int{}
		for _, s := range []sim.Strategy{sim.FIFO(), sim.Random(), sim.PCT(3)} {
			w := newWorld(p)
			var got int
			res := sim.Run(func(ctx context.Context) (err error) {
				got, err = w.run(ctx, p)
				return err
			}, sim.WithStrategy(s), sim.WithSeed(rapid.Uint64().Draw(t, "seed")))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			results[s.String()] = got
		}
		rt := runtime.New()
		w := newWorld(p)
		var got int
		if err := rt.BlockOn(func(ctx context.Context) (err error) {
			got, err = w.run(ctx, p)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		rt.Shutdown()
		results["production"] = got
		for k, v := range results {
			if v != results["production"] {
				t.Fatalf("results differ: %v (%s)\nprogram:\n%v", results, k, p)
			}
		}
	})
}

// S15: a task aborted before it started never starts; an aborted task
// that had not finished reports ErrCancelled; one that had keeps its
// result; every started task's deferred functions run.
func TestS15_Abort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProg(t, features{abort: true, shared: true}, 3)
		w, _ := runProg(t, p, simOpts(t)...)
		for _, a := range w.aborts {
			if !a.started && w.started[a.child.id] {
				t.Fatalf("task#%d was aborted before it started, and started\nprogram:\n%v", a.child.id, p)
			}
			v, err := a.h.Join(context.Background())
			switch {
			case a.finished && (v != a.joinValue || fmt.Sprint(err) != fmt.Sprint(a.joinErr)):
				t.Fatalf("task#%d finished with (%v, %v) before its abort, then reports (%v, %v)", a.child.id, a.joinValue, a.joinErr, v, err)
			case !a.finished && !w.returned[a.child.id] && !errors.Is(err, runtime.ErrCancelled):
				t.Fatalf("task#%d was aborted before returning but reports %v", a.child.id, err)
			}
		}
		for id, started := range w.started {
			if started && !w.deferred[id] {
				t.Fatalf("task#%d: deferred functions did not run", id)
			}
		}
	})
}

// S13, S14: Join returns the same outcome every time; a panic is a
// *PanicError naming the task.
func TestS13_S14_JoinOutcomes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProg(t, allFeatures, 3)
		w, _ := runProg(t, p, simOpts(t)...)
		for _, h := range w.handles {
			v1, e1 := h.Join(context.Background())
			v2, e2 := h.Join(context.Background())
			if v1 != v2 || fmt.Sprint(e1) != fmt.Sprint(e2) {
				t.Fatalf("task %d: Join gave (%v, %v) then (%v, %v)", h.ID(), v1, e1, v2, e2)
			}
			var pe *runtime.PanicError
			if errors.As(e1, &pe) && pe.ID != h.ID() {
				t.Fatalf("PanicError names task %d, handle is task %d", pe.ID, h.ID())
			}
		}
	})
}

// S18: JoinNext returns results in completion order, each task once, then
// ErrNoTasks.
func TestS18_JoinSetCompletionOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sleeps := rapid.SliceOfN(rapid.IntRange(0, 5), 1, 8).Draw(t, "sleeps (ms)")
		res := sim.Run(func(ctx context.Context) error {
			var js runtime.JoinSet[int]
			var finished []int
			var mu sync.Mutex // the tasks' appends are no data race (S2a); it never waits
			for i, ms := range sleeps {
				js.Spawn(ctx, func(ctx context.Context) (int, error) {
					if err := clock.Sleep(ctx, time.Duration(ms)*time.Millisecond); err != nil {
						return 0, err
					}
					mu.Lock()
					finished = append(finished, i)
					mu.Unlock()
					return i, nil
				})
			}
			var joined []int
			for js.Len() > 0 {
				v, err := js.JoinNext(ctx)
				if err != nil {
					return err
				}
				joined = append(joined, v)
			}
			if _, err := js.JoinNext(ctx); !errors.Is(err, runtime.ErrNoTasks) {
				return fmt.Errorf("JoinNext on an empty set: %v", err)
			}
			if !slices.Equal(joined, finished) {
				return fmt.Errorf("joined %v, finished %v", joined, finished)
			}
			return nil
		}, simOpts(t)...)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	})
}

// S6, S40: every sleeper wakes at exactly its deadline, in deadline order.
func TestS6_S40_TimerOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sleeps := rapid.SliceOfN(rapid.IntRange(0, 1000), 1, 10).Draw(t, "sleeps (ms)")
		res := sim.Run(func(ctx context.Context) error {
			start := clock.Now(ctx)
			var woke []time.Duration
			var mu sync.Mutex // the tasks' appends are no data race (S2a); it never waits
			var wg runtime.WaitGroup
			for _, ms := range sleeps {
				d := time.Duration(ms) * time.Millisecond
				wg.Go(ctx, func(ctx context.Context) {
					if clock.Sleep(ctx, d) == nil {
						if got := clock.Since(ctx, start); got != d {
							panic(fmt.Sprintf("slept %v, woke after %v", d, got))
						}
						mu.Lock()
						woke = append(woke, d)
						mu.Unlock()
					}
				})
			}
			if err := wg.Wait(ctx); err != nil {
				return err
			}
			if !slices.IsSorted(woke) || len(woke) != len(sleeps) {
				return fmt.Errorf("wake order %v", woke)
			}
			return nil
		}, simOpts(t)...)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	})
}

// S30: a channel delivers every message exactly once, and each producer's
// messages in the order sent.
func TestS30_ChanFIFONoLostMessages(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		capacity := rapid.IntRange(-1, 3).Draw(t, "capacity")
		producers := rapid.IntRange(1, 3).Draw(t, "producers")
		consumers := rapid.IntRange(1, 3).Draw(t, "consumers")
		per := rapid.IntRange(0, 10).Draw(t, "messages per producer")
		res := sim.Run(func(ctx context.Context) error {
			c := runtime.NewChan[int](capacity)
			var prod, cons runtime.WaitGroup
			for p := range producers {
				prod.Go(ctx, func(ctx context.Context) {
					for i := range per {
						if c.Send(ctx, p*1000+i) != nil {
							return
						}
					}
				})
			}
			got := make([][]int, consumers) // what each consumer received, in order
			for k := range consumers {
				cons.Go(ctx, func(ctx context.Context) {
					for v := range c.All(ctx) {
						got[k] = append(got[k], v)
					}
				})
			}
			if err := prod.Wait(ctx); err != nil {
				return err
			}
			c.Close()
			if err := cons.Wait(ctx); err != nil {
				return err
			}
			// Each consumer sees each producer's messages in the order sent
			// (which consumer gets which message is the scheduler's choice).
			var all []int
			for k, vs := range got {
				last := map[int]int{}
				for _, v := range vs {
					p, i := v/1000, v%1000
					if prev, ok := last[p]; ok && i <= prev {
						return fmt.Errorf("consumer %d: producer %d's %d received after its %d", k, p, i, prev)
					}
					last[p] = i
				}
				all = append(all, vs...)
			}
			slices.Sort(all)
			if len(all) != producers*per || len(slices.Compact(all)) != producers*per {
				return fmt.Errorf("received %v, want each of %d messages once", all, producers*per)
			}
			return nil
		}, simOpts(t)...)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	})
}
