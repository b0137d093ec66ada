package bench_test

import (
	"context"
	goruntime "runtime"
	"sync"
	"testing"

	"github.com/weftsim/weft/runtime"
)

// W4 (docs/CONTRACT.md §7): 1,000 tasks x 100 lock / yield / unlock on one Mutex.
const (
	w4Tasks  = 1_000
	w4Rounds = 100
)

func w4Run(ctx context.Context) error {
	var mu runtime.Mutex
	var wg runtime.WaitGroup
	count := 0
	for range w4Tasks {
		wg.Go(ctx, func(ctx context.Context) {
			for range w4Rounds {
				if mu.Lock(ctx) != nil {
					return
				}
				count++
				runtime.YieldNow(ctx)
				mu.Unlock()
			}
		})
	}
	if err := wg.Wait(ctx); err != nil {
		return err
	}
	if count != w4Tasks*w4Rounds {
		panic("W4: wrong count")
	}
	return nil
}

func w4Goroutines() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	count := 0
	for range w4Tasks {
		wg.Go(func() {
			for range w4Rounds {
				mu.Lock()
				count++
				goruntime.Gosched()
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if count != w4Tasks*w4Rounds {
		panic("W4: wrong count")
	}
}

func BenchmarkW4Mutex(b *testing.B) {
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		var steps uint64
		for range b.N {
			steps += inSim(b, w4Run)
		}
		per(b, w4Tasks*w4Rounds, "ns/lock")
		perStep(b, steps, w4Tasks*w4Rounds, "lock")
	})
	b.Run("prod", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			inProd(b, w4Run)
		}
		per(b, w4Tasks*w4Rounds, "ns/lock")
	})
	b.Run("goroutines", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			w4Goroutines()
		}
		per(b, w4Tasks*w4Rounds, "ns/lock")
	})
	b.Run("synctest", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			inBubble(b, w4Goroutines)
		}
		per(b, w4Tasks*w4Rounds, "ns/lock")
	})
}
