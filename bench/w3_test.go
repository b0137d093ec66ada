package bench_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// W3 (docs/CONTRACT.md §7): 10,000 tasks x 100 sleeps of 1..1000 ms, about a minute of
// virtual time.
const (
	w3Tasks  = 10_000
	w3Sleeps = 100
)

// w3Durations returns task i's sleeps, the same for every executor.
func w3Durations(i int) []time.Duration {
	r := rand.New(rand.NewPCG(uint64(i), 3))
	d := make([]time.Duration, w3Sleeps)
	for j := range d {
		d[j] = time.Duration(1+r.IntN(1000)) * time.Millisecond
	}
	return d
}

func BenchmarkW3Sleeps(b *testing.B) {
	plans := make([][]time.Duration, w3Tasks)
	for i := range plans {
		plans[i] = w3Durations(i)
	}
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			inSim(b, func(ctx context.Context) error {
				var wg runtime.WaitGroup
				for _, plan := range plans {
					wg.Go(ctx, func(ctx context.Context) {
						for _, d := range plan {
							if clock.Sleep(ctx, d) != nil {
								return
							}
						}
					})
				}
				return wg.Wait(ctx)
			})
		}
		per(b, w3Tasks*w3Sleeps, "ns/sleep")
	})
	b.Run("synctest", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			inBubble(b, func() {
				var wg sync.WaitGroup
				for _, plan := range plans {
					wg.Go(func() {
						for _, d := range plan {
							time.Sleep(d)
						}
					})
				}
				wg.Wait()
			})
		}
		per(b, w3Tasks*w3Sleeps, "ns/sleep")
	})
}

// BenchmarkTimerFirings measures one timer firing (a sleep's timer, due,
// popped, its task woken and run): docs/CONTRACT.md §7 asks for 1,000,000 in under a
// second, that is under 1000 ns each.
func BenchmarkTimerFirings(b *testing.B) {
	const tasks = 1000
	b.ReportAllocs()
	res := sim.Run(func(ctx context.Context) error {
		var wg runtime.WaitGroup
		for i := range tasks {
			n := b.N / tasks
			if i < b.N%tasks {
				n++
			}
			wg.Go(ctx, func(ctx context.Context) {
				for j := range n {
					if clock.Sleep(ctx, time.Duration(1+(i+j)%997)*time.Millisecond) != nil {
						return
					}
				}
			})
		}
		return wg.Wait(ctx)
	}, sim.WithStepLimit(0), sim.WithStrategy(sim.FIFO()), sim.WithTimeLimit(0))
	if res.Err != nil {
		b.Fatal(res.Err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/firing")
}
