package bench_test

import (
	"context"
	"iter"
	"testing"

	"github.com/weftsim/weft/runtime"
)

// W1 (docs/CONTRACT.md §7): spawn 100,000 tasks returning an int, join all.
const w1Tasks = 100_000

// w1Run spawns n tasks and joins them.
func w1Run(n int) func(ctx context.Context) error {
	return func(ctx context.Context) error {
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
		if sum != n*(n-1)/2 {
			panic("W1: wrong sum")
		}
		return nil
	}
}

// w1Goroutines starts n goroutines and collects their results.
func w1Goroutines(n int) {
	chans := make([]chan int, n)
	for i := range chans {
		ch := make(chan int, 1)
		chans[i] = ch
		go func() { ch <- i }()
	}
	sum := 0
	for _, ch := range chans {
		sum += <-ch
	}
	if sum != n*(n-1)/2 {
		panic("W1: wrong sum")
	}
}

func BenchmarkW1SpawnJoin(b *testing.B) {
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			inSim(b, w1Run(w1Tasks))
		}
		per(b, w1Tasks, "ns/task")
	})
	b.Run("prod", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			inProd(b, w1Run(w1Tasks))
		}
		per(b, w1Tasks, "ns/task")
	})
	b.Run("goroutines", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			w1Goroutines(w1Tasks)
		}
		per(b, w1Tasks, "ns/task")
	})
	b.Run("synctest", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			inBubble(b, func() { w1Goroutines(w1Tasks) })
		}
		per(b, w1Tasks, "ns/task")
	})
}

// W2 (docs/CONTRACT.md §7): two tasks exchange 1,000,000 messages over a capacity-1
// channel.
const w2Msgs = 1_000_000

func w2Tasks(ctx context.Context) error {
	c := runtime.NewChan[int](1)
	h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		sum := 0
		for range w2Msgs {
			v, err := c.Recv(ctx)
			if err != nil {
				return 0, err
			}
			sum += v
		}
		return sum, nil
	})
	for i := range w2Msgs {
		if err := c.Send(ctx, i); err != nil {
			return err
		}
	}
	sum, err := h.Join(ctx)
	if sum != w2Msgs*(w2Msgs-1)/2 {
		panic("W2: wrong sum")
	}
	return err
}

func w2Goroutines() {
	c := make(chan int, 1)
	done := make(chan int)
	go func() {
		sum := 0
		for range w2Msgs {
			sum += <-c
		}
		done <- sum
	}()
	for i := range w2Msgs {
		c <- i
	}
	if <-done != w2Msgs*(w2Msgs-1)/2 {
		panic("W2: wrong sum")
	}
}

func BenchmarkW2PingPong(b *testing.B) {
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		var steps uint64
		for range b.N {
			steps += inSim(b, w2Tasks)
		}
		per(b, w2Msgs, "ns/msg")
		perStep(b, steps, w2Msgs, "msg")
	})
	b.Run("prod", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			inProd(b, w2Tasks)
		}
		per(b, w2Msgs, "ns/msg")
	})
	b.Run("goroutines", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			w2Goroutines()
		}
		per(b, w2Msgs, "ns/msg")
	})
	b.Run("synctest", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			inBubble(b, w2Goroutines)
		}
		per(b, w2Msgs, "ns/msg")
	})
	b.Run("iterpull", func(b *testing.B) { // the contract's reference: a bare coroutine round trip
		b.ReportAllocs()
		for range b.N {
			next, stop := iter.Pull(func(yield func(int) bool) {
				for i := 0; yield(i); i++ {
				}
			})
			for range w2Msgs {
				next()
			}
			stop()
		}
		per(b, w2Msgs, "ns/msg")
	})
	b.Run("baton", func(b *testing.B) { // S3's fallback: the same round trip over a channel baton
		b.ReportAllocs()
		for range b.N {
			resume, yield := make(chan struct{}), make(chan struct{})
			go func() {
				for range resume {
					yield <- struct{}{}
				}
				close(yield)
			}()
			for range w2Msgs {
				resume <- struct{}{}
				<-yield
			}
			close(resume)
			<-yield
		}
		per(b, w2Msgs, "ns/msg")
	})
}
