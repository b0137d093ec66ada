package bench_test

import (
	"context"
	"flag"
	"fmt"
	goruntime "runtime"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
)

// scaleMax is the largest task count of the Scale benchmarks. CI runs
// every benchmark once, so the default stops at 10^5; pass
// -scale.max=1000000 for the million-task rows.
var scaleMax = flag.Int("scale.max", 100_000, "largest task count of the BenchmarkScale benchmarks")

// scaleSizes returns the task counts 10^3 (or from) up to -scale.max.
func scaleSizes(from int) []int {
	var ns []int
	for n := from; n <= *scaleMax; n *= 10 {
		ns = append(ns, n)
	}
	return ns
}

// allocated returns the bytes allocated so far by the process.
func allocated() uint64 {
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.TotalAlloc
}

// perTask runs f b.N times and reports its time and allocated bytes per
// task. Each size starts after a collection, so a size does not pay for
// the garbage of the one before.
func perTask(b *testing.B, n int, f func()) {
	goruntime.GC()
	before := allocated()
	b.ResetTimer()
	for range b.N {
		f()
	}
	b.StopTimer()
	per(b, n, "ns/task")
	b.ReportMetric(float64(allocated()-before)/float64(b.N*n), "B/task")
}

// BenchmarkScaleW1 is W1 (spawn tasks returning an int, join all) at
// 10^3 .. -scale.max tasks: cost per task should not grow with the count.
func BenchmarkScaleW1(b *testing.B) {
	for _, n := range scaleSizes(1000) {
		b.Run(fmt.Sprintf("sim/n=%d", n), func(b *testing.B) {
			perTask(b, n, func() { inSim(b, w1Run(n)) })
		})
		b.Run(fmt.Sprintf("goroutines/n=%d", n), func(b *testing.B) {
			perTask(b, n, func() { w1Goroutines(n) })
		})
	}
}

// scaleSleeps is the number of sleeps of each task of BenchmarkScaleW3.
const scaleSleeps = 10

// scaleDelay is sleep j of task i: 1..1000 ms, spread without a table (a
// million tasks' plans would weigh more than the tasks).
func scaleDelay(i, j int) time.Duration {
	return time.Duration(1+(i*7919+j*104729)%1000) * time.Millisecond
}

// BenchmarkScaleW3 is W3 (tasks that sleep) at 10^3 .. -scale.max tasks of
// scaleSleeps sleeps each; ns/task is per task, that is per ten sleeps.
func BenchmarkScaleW3(b *testing.B) {
	for _, n := range scaleSizes(1000) {
		b.Run(fmt.Sprintf("sim/n=%d", n), func(b *testing.B) {
			perTask(b, n, func() {
				inSim(b, func(ctx context.Context) error {
					var wg runtime.WaitGroup
					for i := range n {
						wg.Go(ctx, func(ctx context.Context) {
							for j := range scaleSleeps {
								if clock.Sleep(ctx, scaleDelay(i, j)) != nil {
									return
								}
							}
						})
					}
					return wg.Wait(ctx)
				})
			})
		})
		b.Run(fmt.Sprintf("synctest/n=%d", n), func(b *testing.B) {
			perTask(b, n, func() {
				inBubble(b, func() {
					var wg sync.WaitGroup
					for i := range n {
						wg.Go(func() {
							for j := range scaleSleeps {
								time.Sleep(scaleDelay(i, j))
							}
						})
					}
					wg.Wait()
				})
			})
		})
	}
}

// reportParkDrop reports the medians of runs, measured with n tasks:
// the time per task of each phase and of both, the memory in use with
// every task parked (per task and in all) and the process's peak
// resident memory.
func reportParkDrop(b *testing.B, runs []freshResult, n int) {
	var park, drop, both, peak, rss []float64
	for _, r := range runs {
		park = append(park, float64(r.Park.Nanoseconds())/float64(n))
		drop = append(drop, float64(r.Drop.Nanoseconds())/float64(n))
		both = append(both, float64((r.Park+r.Drop).Nanoseconds())/float64(n))
		peak = append(peak, float64(r.Peak))
		rss = append(rss, float64(r.MaxRSS))
	}
	b.ReportMetric(median(park), "ns-park/task")
	b.ReportMetric(median(drop), "ns-drop/task")
	b.ReportMetric(median(both), "ns-both/task")
	p := median(peak)
	b.ReportMetric(p/float64(n), "peak-B/task")
	b.ReportMetric(p/(1<<20), "peak-MiB")
	if r := median(rss); r > 0 {
		b.ReportMetric(r/(1<<20), "maxRSS-MiB")
	}
}

// parkDropSim parks n tasks, a third each on a Mutex the root holds, a
// Chan nobody sends on and an hour's Sleep, then returns from the root:
// the simulation's shutdown drops them all (S16).
func parkDropSim(n int, m *freshResult) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var mu runtime.Mutex
		if err := mu.Lock(ctx); err != nil {
			return err
		}
		c := runtime.NewChan[int](0)
		var parked runtime.WaitGroup
		parked.Add(n)
		base := inUse()
		start := time.Now()
		for i := range n {
			runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				parked.Done()
				switch i % 3 {
				case 0:
					if err := mu.Lock(ctx); err != nil {
						return 0, err
					}
					mu.Unlock()
				case 1:
					return c.Recv(ctx)
				default:
					return 0, clock.Sleep(ctx, time.Hour)
				}
				return 0, nil
			})
		}
		if err := parked.Wait(ctx); err != nil {
			return err
		}
		runtime.YieldNow(ctx) // the last one reaches its wait
		m.Park = time.Since(start)
		m.Peak = inUse() - base
		return nil
	}
}

// parkDropGoroutines parks n goroutines the same way (a sync.Mutex, a
// channel, a timer) and releases them.
func parkDropGoroutines(n int, m *freshResult) {
	var mu sync.Mutex
	mu.Lock()
	c := make(chan int)
	release := make(chan struct{})
	var parked, done sync.WaitGroup
	parked.Add(n)
	base := inUse()
	start := time.Now()
	for i := range n {
		done.Go(func() {
			parked.Done()
			switch i % 3 {
			case 0:
				mu.Lock()
				mu.Unlock()
			case 1:
				<-c
			default:
				t := time.NewTimer(time.Hour)
				select {
				case <-t.C:
				case <-release:
				}
				t.Stop()
			}
		})
	}
	parked.Wait()
	goruntime.Gosched()
	m.Park = time.Since(start)
	m.Peak = inUse() - base
	start = time.Now()
	mu.Unlock()
	close(c)
	close(release)
	done.Wait()
	m.Drop = time.Since(start)
}

// BenchmarkScaleParkDrop parks n tasks (on a Mutex, a Chan and a Sleep, a
// third each) and shuts the simulation down, which drops them; beside it,
// n goroutines parked the same way and released. Each measurement runs in
// a process of its own (fresh_test.go). It reports the time per task of
// each phase and the memory in use with all of them parked.
func BenchmarkScaleParkDrop(b *testing.B) {
	for _, n := range scaleSizes(10_000) {
		benchParkDrop(b, n)
	}
}

// BenchmarkScaleMillionParkDrop is BenchmarkScaleParkDrop at a million tasks,
// whatever -scale.max says: a user's many-clients test at its largest.
func BenchmarkScaleMillionParkDrop(b *testing.B) { benchParkDrop(b, 1_000_000) }

// benchParkDrop runs the simulated and the goroutine side with n tasks.
func benchParkDrop(b *testing.B, n int) {
	for _, v := range []string{"sim", "goroutines"} {
		b.Run(fmt.Sprintf("%s/n=%d", v, n), func(b *testing.B) {
			var runs []freshResult
			for range b.N {
				runs = append(runs, inFresh(b, "parkdrop-"+v, n))
			}
			reportParkDrop(b, runs, n)
		})
	}
}
