package sim_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// Two runs with the same seed take the same decisions: their hashes are
// equal. A different seed schedules the tasks differently.
func ExampleRun() {
	workers := func(ctx context.Context) error {
		var set runtime.JoinSet[int]
		for i := range 4 {
			set.Spawn(ctx, func(ctx context.Context) (int, error) {
				for range 5 {
					runtime.YieldNow(ctx)
				}
				return i, clock.Sleep(ctx, time.Duration(i+1)*time.Second)
			})
		}
		for set.Len() > 0 {
			if _, err := set.JoinNext(ctx); err != nil {
				return err
			}
		}
		return nil
	}
	a := sim.Run(workers, sim.WithSeed(7))
	b := sim.Run(workers, sim.WithSeed(7))
	c := sim.Run(workers, sim.WithSeed(8))
	fmt.Println("passed:", a.Err == nil)
	fmt.Println("virtual time:", a.Elapsed)
	fmt.Println("same seed, same hash:", a.Hash == b.Hash && a.Steps == b.Steps)
	fmt.Println("other seed, other hash:", a.Hash != c.Hash)
	// Output:
	// passed: true
	// virtual time: 4s
	// same seed, same hash: true
	// other seed, other hash: true
}

// Virtual time starts at clock.Epoch and jumps to the next deadline when no
// task can run: an hour and a half passes at once.
func ExampleNew() {
	rt := sim.New(sim.WithSeed(1))
	defer rt.Shutdown()
	err := rt.BlockOn(func(ctx context.Context) error {
		fmt.Println(clock.Now(ctx).Format(time.RFC3339))
		if err := clock.Sleep(ctx, 90*time.Minute); err != nil {
			return err
		}
		fmt.Println(clock.Now(ctx).Format(time.RFC3339))
		return nil
	})
	fmt.Println("BlockOn:", err)
	// Output:
	// 2000-01-01T00:00:00Z
	// 2000-01-01T01:30:00Z
	// BlockOn: <nil>
}

// Two tasks that join each other can never run again: the run fails with a
// *DeadlockError that says who waits for whom.
func ExampleDeadlockError() {
	res := sim.Run(func(ctx context.Context) error {
		// Each task is handed the other's handle, then joins it.
		joinHanded := func(handles *runtime.Chan[*runtime.JoinHandle[int]]) func(context.Context) (int, error) {
			return func(ctx context.Context) (int, error) {
				h, err := handles.Recv(ctx)
				if err != nil {
					return 0, err
				}
				return h.Join(ctx)
			}
		}
		toA, toB := runtime.NewChan[*runtime.JoinHandle[int]](1), runtime.NewChan[*runtime.JoinHandle[int]](1)
		a := runtime.Spawn(ctx, joinHanded(toA))
		b := runtime.Spawn(ctx, joinHanded(toB))
		toA.Send(ctx, b)
		toB.Send(ctx, a)
		_, err := a.Join(ctx)
		return err
	}, sim.WithStrategy(sim.FIFO()))
	var de *sim.DeadlockError
	if errors.As(res.Err, &de) {
		// A cycle of waiting is reported as it forms, even if other
		// tasks could still run; Cycle names it.
		fmt.Println("cycle:", de.Cycle)
		for _, t := range de.Tasks {
			fmt.Printf("task %d blocked in %s, waiting for task %d\n", t.ID, t.Op, t.WaitsFor)
		}
	}
	// Output:
	// cycle: [3 2]
	// task 3 blocked in JoinHandle.Join, waiting for task 2
	// task 2 blocked in JoinHandle.Join, waiting for task 3
}

// WithTrace keeps the last events of a run; a failure report prints them.
func ExampleWithTrace() {
	res := sim.Run(func(ctx context.Context) error {
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, clock.Sleep(ctx, time.Second)
		})
		_, err := h.Join(ctx)
		return err
	}, sim.WithStrategy(sim.FIFO()), sim.WithTrace(100))
	for _, ev := range res.Events {
		fmt.Println(ev)
	}
	// Output:
	// step 0 @0s task 1 spawn
	// step 1 @0s task 1 run
	// step 1 @0s task 2 spawn by task 1 at example_test.go:108
	// step 1 @0s task 1 park JoinHandle.Join (task 2)
	// step 2 @0s task 2 run
	// step 2 @0s task 2 park clock.Sleep
	// step 2 @1s advance
	// step 2 @1s timer
	// step 2 @1s task 2 wake
	// step 3 @1s task 2 run
	// step 3 @1s task 1 wake by task 2
	// step 3 @1s task 2 exit returned
	// step 4 @1s task 1 run
	// step 4 @1s task 1 exit returned
}

// Strategies print in the form that -sim.strategy and ParseStrategy read.
func ExampleParseStrategy() {
	for _, v := range []string{"fifo", "random", "pct", "pct:2:500"} {
		s, err := sim.ParseStrategy(v)
		fmt.Println(s, err)
	}
	fmt.Println(sim.PCT(4))
	// Output:
	// fifo <nil>
	// random <nil>
	// pct:3 <nil>
	// pct:2:500 <nil>
	// pct:4
}
