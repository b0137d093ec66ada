package a

import (
	"context"
	crand "crypto/rand"
	"math/rand"
	randv2 "math/rand/v2"
	"sync"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
)

var mu sync.Mutex // want `sync.Mutex blocks without the simulation's knowledge: use runtime.Mutex`

type server struct {
	rw   sync.RWMutex   // want `sync.RWMutex blocks without the simulation's knowledge: use runtime.RWMutex`
	wg   sync.WaitGroup // want `sync.WaitGroup blocks without the simulation's knowledge: use runtime.WaitGroup`
	cond *sync.Cond     // want `sync.Cond blocks without the simulation's knowledge: use runtime.Notify`
	once sync.Once      // not blocking on anything a simulation misses
}

func goroutines(ctx context.Context) {
	go runtime.YieldNow(ctx) // want `go statement: a goroutine is invisible to a simulation; use runtime.Spawn`
	_ = sync.NewCond(&mu)    // want `sync.NewCond: a sync.Cond blocks without the simulation's knowledge; use runtime.Notify`
}

func wallClock(ctx context.Context) {
	start := time.Now()                        // want `time.Now reads the wall clock, which a simulation does not control: use clock.Now\(ctx\)`
	_ = time.Since(start)                      // want `time.Since reads the wall clock.*use clock.Since\(ctx, t\)`
	_ = time.Until(start)                      // want `time.Until reads the wall clock.*use clock.Until\(ctx, t\)`
	time.Sleep(time.Second)                    // want `time.Sleep reads the wall clock.*use clock.Sleep\(ctx, d\)`
	<-time.After(time.Second)                  // want `time.After reads the wall clock.*use runtime.OnAfter`
	_ = time.Tick(time.Second)                 // want `time.Tick reads the wall clock.*use clock.NewTicker`
	_ = time.NewTicker(time.Second)            // want `time.NewTicker reads the wall clock.*use clock.NewTicker`
	_ = time.NewTimer(time.Second)             // want `time.NewTimer reads the wall clock.*use clock.NewTimer`
	_ = time.AfterFunc(time.Second, func() {}) // want `time.AfterFunc reads the wall clock.*use runtime.Spawn`
	_ = clock.Now(ctx)
	_ = time.Duration(3) * time.Second // types and constants of package time are fine
}

func deadlines(ctx context.Context) {
	c1, cancel1 := context.WithTimeout(ctx, time.Second) // want `context.WithTimeout expires on the wall clock, which a simulation does not see: use clock.WithTimeout`
	defer cancel1()
	c2, cancel2 := context.WithDeadline(c1, clock.Now(ctx)) // want `context.WithDeadline expires on the wall clock.*use clock.WithDeadline`
	defer cancel2()
	_, cancel3 := context.WithTimeoutCause(c2, time.Second, nil) // want `context.WithTimeoutCause expires on the wall clock.*use clock.WithTimeout`
	defer cancel3()
	_, cancel4 := context.WithCancel(ctx) // cancellation is not the wall clock
	defer cancel4()
}

func randomness() {
	_ = rand.Intn(10)                   // want `math/rand.Intn draws from the process-wide source, which a simulation does not seed: use runtime.Rand\(ctx\)`
	_ = randv2.IntN(10)                 // want `math/rand/v2.IntN draws from the process-wide source`
	_ = randv2.N[int64](10)             // want `math/rand/v2.N draws from the process-wide source`
	r := rand.New(rand.NewSource(1))    // a seeded source is the caller's
	_ = r.Intn(10)                      // a method, not the global source
	_ = randv2.New(randv2.NewPCG(1, 2)) // constructors draw nothing
	var b [8]byte
	crand.Read(b[:]) // want `crypto/rand.Read draws bytes a simulation does not seed: use io.ReadFull\(runtime.RandReader\(ctx\), b\)`
}

func channels(ctx context.Context, ch chan int, out chan<- int) {
	ch <- 1      // want `send on a native channel: a simulation cannot see it wait; use runtime.Chan`
	v := <-ch    // want `receive from a native channel: a simulation cannot see it wait; use runtime.Chan`
	<-ctx.Done() // want `receive from ctx.Done\(\): a simulation cannot see it wait; use runtime.Select\(ctx\)`
	select {     // want `select statement on native channels: a simulation cannot see it wait; use runtime.Select`
	case x := <-ch:
		_ = x
	case out <- v:
	}
	for x := range ch { // want `range over a native channel: a simulation cannot see it wait`
		_ = x
	}
	for i := range 3 { // a range over an int is not a channel
		_ = i
	}
}

func optOut() {
	//weftvet:ignore the benchmark harness measures wall time, outside any simulation
	start := time.Now()
	_ = time.Since(start) //weftvet:ignore same measurement
	/* want `weftvet:ignore needs a reason` */ //weftvet:ignore
	_ = time.Now()                             // want `time.Now reads the wall clock`
}

func noCtx() time.Time {
	return time.Now() // want `time.Now reads the wall clock`
}
