package runtime_test

import (
	"context"
	"fmt"
	goruntime "runtime"
	"sync"
	"testing"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// Each benchmark runs one workload three ways in the same run (docs/CONTRACT.md §7):
//
//	sim         the simulated executor (FIFO, no step limit), inside sim.Run
//	prod        the production executor, inside runtime.New().BlockOn
//	goroutines  plain goroutines and channels, the baseline
//
// b.N is the size of the workload, not a repetition count, so one op is one
// unit of it (a task, a yield round trip) and ns/op compares directly.

// simOpts lets big b.N run: the default step limit would stop a long run.
var simOpts = []sim.Option{sim.WithStrategy(sim.FIFO()), sim.WithStepLimit(0)}

// inSim runs f as the root task of a simulation.
func inSim(b *testing.B, f func(ctx context.Context) error) {
	b.Helper()
	if res := sim.Run(f, simOpts...); res.Err != nil {
		b.Fatal(res.Err)
	}
}

// inProd runs f as the root task of a production runtime.
func inProd(b *testing.B, f func(ctx context.Context) error) {
	b.Helper()
	rt := runtime.New()
	defer rt.Shutdown()
	if err := rt.BlockOn(f); err != nil {
		b.Fatal(err)
	}
}

// perUnit reports ns per unit of work, n units per op.
func perUnit(b *testing.B, n int, unit string) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/"+unit)
}

// spawnJoin spawns n tasks returning an int (W1) and joins them all.
func spawnJoin(ctx context.Context, n int) error {
	hs := make([]*runtime.JoinHandle[int], n)
	for i := range hs {
		hs[i] = runtime.Spawn(ctx, func(context.Context) (int, error) { return i, nil })
	}
	sum := 0
	for _, h := range hs {
		v, err := h.Join(ctx)
		if err != nil {
			return err
		}
		sum += v
	}
	return checkSum(n, sum)
}

// checkSum makes sure every task's result arrived: 0+1+...+(n-1).
func checkSum(n, sum int) error {
	if want := n * (n - 1) / 2; sum != want {
		return fmt.Errorf("sum of task results is %d, want %d", sum, want)
	}
	return nil
}

func BenchmarkSpawnJoin(b *testing.B) {
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		inSim(b, func(ctx context.Context) error { return spawnJoin(ctx, b.N) })
		perUnit(b, 1, "task")
	})
	b.Run("prod", func(b *testing.B) {
		b.ReportAllocs()
		inProd(b, func(ctx context.Context) error { return spawnJoin(ctx, b.N) })
		perUnit(b, 1, "task")
	})
	b.Run("goroutines", func(b *testing.B) {
		b.ReportAllocs()
		chs := make([]chan int, b.N)
		for i := range chs {
			ch := make(chan int, 1)
			chs[i] = ch
			go func() { ch <- i }()
		}
		sum := 0
		for _, ch := range chs {
			sum += <-ch
		}
		if err := checkSum(b.N, sum); err != nil {
			b.Fatal(err)
		}
		perUnit(b, 1, "task")
	})
}

// yieldPair runs two tasks that each call YieldNow n times. Under FIFO they
// alternate, so one op is a round trip: two yields, two task switches.
func yieldPair(ctx context.Context, n int) error {
	yielder := func(ctx context.Context) (int, error) {
		for range n {
			runtime.YieldNow(ctx)
		}
		return 0, nil
	}
	a, c := runtime.Spawn(ctx, yielder), runtime.Spawn(ctx, yielder)
	if _, err := a.Join(ctx); err != nil {
		return err
	}
	_, err := c.Join(ctx)
	return err
}

func BenchmarkYield(b *testing.B) {
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		inSim(b, func(ctx context.Context) error { return yieldPair(ctx, b.N) })
		perUnit(b, 2, "yield")
	})
	b.Run("prod", func(b *testing.B) {
		b.ReportAllocs()
		inProd(b, func(ctx context.Context) error { return yieldPair(ctx, b.N) })
		perUnit(b, 2, "yield")
	})
	b.Run("goroutines", func(b *testing.B) {
		b.ReportAllocs()
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				for range b.N {
					goruntime.Gosched()
				}
			})
		}
		wg.Wait()
		perUnit(b, 2, "yield")
	})
}
