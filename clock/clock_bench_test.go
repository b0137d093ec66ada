package clock_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// W3 (SPEC §7): 10,000 tasks x 100 sleeps of 1..1000 ms, about a minute of
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
			res := sim.Run(func(ctx context.Context) error {
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
			}, sim.WithStepLimit(0), sim.WithStrategy(sim.FIFO()))
			if res.Err != nil {
				b.Fatal(res.Err)
			}
		}
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
	})
}

// inBubble runs f in a testing/synctest bubble. synctest.Test needs a
// *testing.T, which a benchmark does not have: testing.RunTests provides
// one. RunTests repeats each test -test.count times, so the flag is set to
// 1 around the call (benchmarks run one at a time).
func inBubble(b *testing.B, f func()) {
	count := flag.Lookup("test.count")
	old := count.Value.String()
	if err := count.Value.Set("1"); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = count.Value.Set(old) }()
	ok := testing.RunTests(func(_, _ string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "bubble", F: func(t *testing.T) {
			synctest.Test(t, func(*testing.T) { f() })
		}}})
	if !ok {
		b.Fatal("the synctest bubble failed")
	}
}

// BenchmarkTimerFirings measures one timer firing (a sleep's timer, due,
// popped, its task woken and run): SPEC §7 asks for 1,000,000 in under a
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
