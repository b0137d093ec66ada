package bench_test

import (
	"context"
	goruntime "runtime"
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

// w5Run parks w5Tasks tasks on one Notify, measures, then releases them.
func w5Run(report func(bytes uint64)) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var n runtime.Notify
		var parked runtime.WaitGroup
		var done runtime.WaitGroup
		before := inUse()
		parked.Add(w5Tasks)
		for range w5Tasks {
			done.Go(ctx, func(ctx context.Context) {
				parked.Done()
				_ = n.Wait(ctx)
			})
		}
		if err := parked.Wait(ctx); err != nil {
			return err
		}
		runtime.YieldNow(ctx) // let the last ones reach their Wait
		report(inUse() - before)
		n.NotifyAll()
		for range 2 {
			runtime.YieldNow(ctx)
		}
		for range w5Tasks {
			n.NotifyOne() // any task not yet waiting takes a permit
		}
		return done.Wait(ctx)
	}
}

func w5Goroutines(report func(bytes uint64)) {
	release := make(chan struct{})
	var parked, done sync.WaitGroup
	before := inUse()
	parked.Add(w5Tasks)
	for range w5Tasks {
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

func BenchmarkW5Parked(b *testing.B) {
	var bytes uint64
	report := func(v uint64) { bytes = v }
	metric := func(b *testing.B) { b.ReportMetric(float64(bytes)/w5Tasks, "bytes/task") }
	b.Run("sim", func(b *testing.B) {
		for range b.N {
			inSim(b, w5Run(report))
		}
		metric(b)
	})
	b.Run("prod", func(b *testing.B) {
		for range b.N {
			inProd(b, w5Run(report))
		}
		metric(b)
	})
	b.Run("goroutines", func(b *testing.B) {
		for range b.N {
			w5Goroutines(report)
		}
		metric(b)
	})
	b.Run("synctest", func(b *testing.B) {
		for range b.N {
			inBubble(b, func() { w5Goroutines(report) })
		}
		metric(b)
	})
}
