package bench_test

import (
	"context"
	goruntime "runtime"
	"slices"
	"sync"
	"testing"

	"github.com/weftsim/weft/runtime"
)

// W5 (docs/CONTRACT.md §7): 1,000,000 parked tasks; the metric is the memory each one
// holds (heap and stack in use), in bytes/task.
const w5Tasks = 1_000_000

// inUse returns the heap and stack memory in use, after a collection.
func inUse() uint64 {
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// w5Run parks n tasks on one Notify, measures, then releases them.
func w5Run(n int, report func(bytes uint64)) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var wake runtime.Notify
		var parked runtime.WaitGroup
		var done runtime.WaitGroup
		before := inUse()
		parked.Add(n)
		for range n {
			done.Go(ctx, func(ctx context.Context) {
				parked.Done()
				_ = wake.Wait(ctx)
			})
		}
		if err := parked.Wait(ctx); err != nil {
			return err
		}
		runtime.YieldNow(ctx) // let the last ones reach their Wait
		report(inUse() - before)
		wake.NotifyAll()
		for range 2 {
			runtime.YieldNow(ctx)
		}
		for range n {
			wake.NotifyOne() // any task not yet waiting takes a permit
		}
		return done.Wait(ctx)
	}
}

func w5Goroutines(n int, report func(bytes uint64)) {
	release := make(chan struct{})
	var parked, done sync.WaitGroup
	before := inUse()
	parked.Add(n)
	for range n {
		done.Go(func() {
			parked.Done()
			<-release
		})
	}
	parked.Wait()
	report(inUse() - before)
	close(release)
	done.Wait()
}

// BenchmarkW5Parked measures each executor in processes of its own
// (fresh_test.go): b.N of them, one after another, each parking w5Tasks
// tasks once.
func BenchmarkW5Parked(b *testing.B) {
	for _, v := range []string{"sim", "prod", "goroutines", "synctest"} {
		b.Run(v, func(b *testing.B) {
			var bytes []float64
			for range b.N {
				bytes = append(bytes, float64(inFresh(b, "w5-"+v, w5Tasks).Peak)/w5Tasks)
			}
			b.ReportMetric(median(bytes), "bytes/task")
		})
	}
}

// median returns the median of xs, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
