package sim_test

import (
	"context"
	"errors"
	goruntime "runtime"
	"runtime/debug"
	"testing"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// Many parked tasks: what each one holds while parked, and what is left
// of it once it has ended, must not grow with the work.

// TestScale_EndedTasksEndTheirGoroutines aborts a thousand parked tasks
// in the middle of a run: their goroutines end with them, all but a small
// pool of idle ones kept for new tasks, rather than waiting for the end
// of the run.
func TestScale_EndedTasksEndTheirGoroutines(t *testing.T) {
	const n = 1000
	var during, before int
	res := sim.Run(func(ctx context.Context) error {
		before = goruntime.NumGoroutine()
		c := runtime.NewChan[int](0)
		hs := make([]*runtime.JoinHandle[int], n)
		for i := range hs {
			hs[i] = runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return c.Recv(ctx) })
		}
		runtime.YieldNow(ctx)
		for _, h := range hs {
			h.Abort()
		}
		for _, h := range hs {
			if _, err := h.Join(ctx); !errors.Is(err, runtime.ErrCancelled) {
				t.Errorf("Join of an aborted task: %v, want ErrCancelled", err)
			}
		}
		during = goruntime.NumGoroutine()
		return nil
	})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if kept := during - before; kept > n/2 {
		t.Errorf("%d goroutines outlive %d ended tasks until the run ends; want at most a small pool", kept, n)
	}
}

// TestScale_ParkedOnMutexKeepsTheSmallestStack parks a thousand tasks on a
// Mutex whose holder is parked too: the search for a cycle of waiting
// that each park makes must not grow their stacks beyond the smallest a
// goroutine has (2 KiB).
func TestScale_ParkedOnMutexKeepsTheSmallestStack(t *testing.T) {
	if underRace {
		t.Skip("a race build's stacks are larger by its instrumentation")
	}
	const n = 3000
	// A collection that never stops: every allocation on the way to a
	// park pays an assist, deeper in the stack than the allocation.
	defer debug.SetGCPercent(debug.SetGCPercent(1))
	var perTask uint64
	res := sim.Run(func(ctx context.Context) error {
		var mu runtime.Mutex
		if err := mu.Lock(ctx); err != nil {
			return err
		}
		var parked runtime.WaitGroup
		parked.Add(n)
		base := stackInUse()
		for range n {
			runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				parked.Done()
				if err := mu.Lock(ctx); err != nil {
					return 0, err
				}
				mu.Unlock()
				return 0, nil
			})
		}
		if err := parked.Wait(ctx); err != nil {
			return err
		}
		runtime.YieldNow(ctx)
		perTask = (stackInUse() - base) / n
		return nil
	}, sim.WithStrategy(sim.FIFO()))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if perTask > 2048+64 {
		t.Errorf("a task parked on a Mutex holds %d bytes of stack; want 2 KiB", perTask)
	}
}

func stackInUse() uint64 {
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.StackInuse
}
