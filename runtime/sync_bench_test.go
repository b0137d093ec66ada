package runtime_test

import (
	"context"
	"fmt"
	"iter"
	goruntime "runtime"
	"sync"
	"testing"

	"github.com/weftsim/weft/runtime"
)

// The sync benchmarks follow bench_test.go: b.N is the size of the workload
// (locks, round trips, messages), run once on each executor, and "plain" is
// the same workload on goroutines with sync.Mutex and native channels.

// share is task i's part of n units split over k tasks: the parts add up to
// n for any n, so ns/op stays exact when b.N is not a multiple of k.
func share(n, k, i int) int {
	if i < n%k {
		return n/k + 1
	}
	return n / k
}

// lockUnlock locks and unlocks mu n times in one task, never waiting.
func lockUnlock(ctx context.Context, n int) error {
	var mu runtime.Mutex
	for range n {
		if err := mu.Lock(ctx); err != nil {
			return err
		}
		mu.Unlock()
	}
	return nil
}

func BenchmarkMutexUncontended(b *testing.B) {
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		inSim(b, func(ctx context.Context) error { return lockUnlock(ctx, b.N) })
		perUnit(b, 1, "lock")
	})
	b.Run("prod", func(b *testing.B) {
		b.ReportAllocs()
		inProd(b, func(ctx context.Context) error { return lockUnlock(ctx, b.N) })
		perUnit(b, 1, "lock")
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		var mu sync.Mutex
		for range b.N {
			mu.Lock()
			mu.Unlock()
		}
		perUnit(b, 1, "lock")
	})
}

// contenders is how many tasks fight over the Mutex in MutexContended.
const contenders = 4

// lockYieldUnlock runs the W4 pattern on a small scale: contenders tasks
// share n rounds of lock, yield, unlock on one Mutex. The yield inside the
// critical section makes every other task queue behind the holder. count,
// guarded by mu alone, checks that the rounds excluded each other (and gives
// -race something to catch in production).
func lockYieldUnlock(ctx context.Context, n int) error {
	var mu runtime.Mutex
	count := 0
	var set runtime.JoinSet[int]
	for i := range contenders {
		set.Spawn(ctx, func(ctx context.Context) (int, error) {
			for range share(n, contenders, i) {
				if err := mu.Lock(ctx); err != nil {
					return 0, err
				}
				c := count
				runtime.YieldNow(ctx)
				count = c + 1
				mu.Unlock()
			}
			return 0, nil
		})
	}
	for set.Len() > 0 {
		if _, err := set.JoinNext(ctx); err != nil {
			return err
		}
	}
	if count != n {
		return fmt.Errorf("%d tasks counted %d rounds under the Mutex, want %d", contenders, count, n)
	}
	return nil
}

func BenchmarkMutexContended(b *testing.B) {
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		inSim(b, func(ctx context.Context) error { return lockYieldUnlock(ctx, b.N) })
		perUnit(b, 1, "lock")
	})
	b.Run("prod", func(b *testing.B) {
		b.ReportAllocs()
		inProd(b, func(ctx context.Context) error { return lockYieldUnlock(ctx, b.N) })
		perUnit(b, 1, "lock")
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		var mu sync.Mutex
		count := 0
		var wg sync.WaitGroup
		for i := range contenders {
			wg.Go(func() {
				for range share(b.N, contenders, i) {
					mu.Lock()
					c := count
					goruntime.Gosched()
					count = c + 1
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if count != b.N {
			b.Fatalf("%d goroutines counted %d rounds under the Mutex, want %d", contenders, count, b.N)
		}
		perUnit(b, 1, "lock")
	})
}

// pingPong makes n round trips between the calling task and an echo task
// over two capacity-1 channels (W2 in both directions): one op is a ping
// and its pong, two messages and two task switches.
func pingPong(ctx context.Context, n int) error {
	ping, pong := runtime.NewChan[int](1), runtime.NewChan[int](1)
	echo := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		for range n {
			v, err := ping.Recv(ctx)
			if err != nil {
				return 0, err
			}
			if err := pong.Send(ctx, v); err != nil {
				return 0, err
			}
		}
		return 0, nil
	})
	for i := range n {
		if err := ping.Send(ctx, i); err != nil {
			return err
		}
		v, err := pong.Recv(ctx)
		if err != nil {
			return err
		}
		if v != i {
			return fmt.Errorf("pong %d came back for ping %d", v, i)
		}
	}
	_, err := echo.Join(ctx)
	return err
}

func BenchmarkChanPingPong(b *testing.B) {
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		inSim(b, func(ctx context.Context) error { return pingPong(ctx, b.N) })
		perUnit(b, 2, "msg")
	})
	b.Run("prod", func(b *testing.B) {
		b.ReportAllocs()
		inProd(b, func(ctx context.Context) error { return pingPong(ctx, b.N) })
		perUnit(b, 2, "msg")
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		ping, pong := make(chan int, 1), make(chan int, 1)
		go func() {
			for range b.N {
				pong <- <-ping
			}
		}()
		for i := range b.N {
			ping <- i
			if v := <-pong; v != i {
				b.Fatalf("pong %d came back for ping %d", v, i)
			}
		}
		perUnit(b, 2, "msg")
	})
	// iterpull is the floor of S3 for the simulated ping-pong (§7 W2): one
	// op is a bare coroutine round trip, next() in and yield back out.
	b.Run("iterpull", func(b *testing.B) {
		b.ReportAllocs()
		next, stop := iter.Pull(func(yield func(int) bool) {
			for i := 0; yield(i); i++ {
			}
		})
		defer stop()
		for i := range b.N {
			if v, ok := next(); !ok || v != i {
				b.Fatalf("next() = %d, %t; want %d, true", v, ok, i)
			}
		}
	})
}

// selectRecv sends n values round-robin over k capacity-1 channels from a
// producer task, and receives them all in the calling task with a Select
// over k OnRecv cases: one op is one message through one Select.
func selectRecv(ctx context.Context, n, k int) error {
	chs := make([]*runtime.Chan[int], k)
	for i := range chs {
		chs[i] = runtime.NewChan[int](1)
	}
	producer := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		for i := range n {
			if err := chs[i%k].Send(ctx, i); err != nil {
				return 0, err
			}
		}
		return 0, nil
	})
	var got int
	var gotErr error
	onRecv := func(v int, err error) { got, gotErr = v, err }
	cases := make([]runtime.Case, k)
	sum := 0
	for range n {
		for i, c := range chs {
			cases[i] = runtime.OnRecv(c, onRecv)
		}
		if err := runtime.Select(ctx, cases...); err != nil {
			return err
		}
		if gotErr != nil {
			return gotErr
		}
		sum += got
	}
	if _, err := producer.Join(ctx); err != nil {
		return err
	}
	return checkSum(n, sum)
}

// produce is the producer of the plain Select benchmarks.
func produce(n int, chs ...chan int) {
	for i := range n {
		chs[i%len(chs)] <- i
	}
}

func BenchmarkSelect2(b *testing.B) {
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		inSim(b, func(ctx context.Context) error { return selectRecv(ctx, b.N, 2) })
		perUnit(b, 1, "msg")
	})
	b.Run("prod", func(b *testing.B) {
		b.ReportAllocs()
		inProd(b, func(ctx context.Context) error { return selectRecv(ctx, b.N, 2) })
		perUnit(b, 1, "msg")
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		c0, c1 := make(chan int, 1), make(chan int, 1)
		go produce(b.N, c0, c1)
		sum := 0
		for range b.N {
			select {
			case v := <-c0:
				sum += v
			case v := <-c1:
				sum += v
			}
		}
		if err := checkSum(b.N, sum); err != nil {
			b.Fatal(err)
		}
		perUnit(b, 1, "msg")
	})
}

func BenchmarkSelect8(b *testing.B) {
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		inSim(b, func(ctx context.Context) error { return selectRecv(ctx, b.N, 8) })
		perUnit(b, 1, "msg")
	})
	b.Run("prod", func(b *testing.B) {
		b.ReportAllocs()
		inProd(b, func(ctx context.Context) error { return selectRecv(ctx, b.N, 8) })
		perUnit(b, 1, "msg")
	})
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		var c [8]chan int
		for i := range c {
			c[i] = make(chan int, 1)
		}
		go produce(b.N, c[:]...)
		sum := 0
		for range b.N {
			select {
			case v := <-c[0]:
				sum += v
			case v := <-c[1]:
				sum += v
			case v := <-c[2]:
				sum += v
			case v := <-c[3]:
				sum += v
			case v := <-c[4]:
				sum += v
			case v := <-c[5]:
				sum += v
			case v := <-c[6]:
				sum += v
			case v := <-c[7]:
				sum += v
			}
		}
		if err := checkSum(b.N, sum); err != nil {
			b.Fatal(err)
		}
		perUnit(b, 1, "msg")
	})
}
