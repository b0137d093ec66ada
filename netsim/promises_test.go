package netsim_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// seeds is how many seeds each promise below is checked over.
const seeds = 200

// arrival is a datagram received: its first byte and when it came.
type arrival struct {
	seq int
	at  time.Duration // since the epoch
}

// udpPair opens a receiver on b:9000 that records every arrival until
// the returned stop is called, and a sender on a.
func udpPair(ctx context.Context, a, b *netsim.Host) (send func(seq int), got func() []arrival, err error) {
	rx, err := netsim.ListenPacket(b.Context(ctx), "udp", ":9000")
	if err != nil {
		return nil, nil, err
	}
	tx, err := netsim.ListenPacket(a.Context(ctx), "udp", ":0")
	if err != nil {
		return nil, nil, err
	}
	var arrivals []arrival
	var mu sync.Mutex // the reader's appends and the test's read are no data race; it never waits
	runtime.Spawn(b.Context(ctx), func(ctx context.Context) (int, error) {
		buf := make([]byte, 8)
		for {
			k, _, err := rx.ReadFrom(buf)
			if err != nil || k == 0 {
				return 0, nil
			}
			mu.Lock()
			arrivals = append(arrivals, arrival{int(buf[0]), clock.Since(ctx, clock.Epoch)})
			mu.Unlock()
		}
	})
	to := &net.UDPAddr{IP: b.IP(), Port: 9000}
	send = func(seq int) { tx.WriteTo([]byte{byte(seq)}, to) }
	return send, func() []arrival { mu.Lock(); defer mu.Unlock(); return slices.Clone(arrivals) }, nil
}

// forSeeds runs body as a simulation with hosts a and b for each seed.
func forSeeds(t *testing.T, body func(ctx context.Context, n *netsim.Network, a, b *netsim.Host) error) {
	t.Helper()
	for seed := uint64(1); seed <= seeds; seed++ {
		res := sim.Run(func(ctx context.Context) error {
			n := netsim.New(ctx)
			defer n.Close()
			return body(ctx, n, n.AddHost("a"), n.AddHost("b"))
		}, sim.WithSeed(seed))
		require.NoError(t, res.Err, "seed %d", seed)
	}
}

func sleep(ctx context.Context, d time.Duration) error { return clock.Sleep(ctx, d) }

// S60: a datagram is delivered only if its path is open when it arrives;
// one in flight when a partition starts is lost.
func TestProperty_ADatagramInFlightWhenAPartitionStartsIsLost(t *testing.T) {
	forSeeds(t, func(ctx context.Context, n *netsim.Network, a, b *netsim.Host) error {
		n.SetDefaultLink(netsim.Link{Latency: netsim.Uniform(time.Millisecond, 20*time.Millisecond)})
		send, got, err := udpPair(ctx, a, b)
		if err != nil {
			return err
		}
		for i := range 20 {
			send(i)
		}
		cut := time.Duration(runtime.Rand(ctx).IntN(20)) * time.Millisecond
		if err := sleep(ctx, cut); err != nil {
			return err
		}
		from := clock.Since(ctx, clock.Epoch)
		n.Partition(a, b)
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
		n.Repair(a, b)
		for _, v := range got() {
			if v.at >= from {
				t.Errorf("datagram %d arrived at %v, during the partition that began at %v", v.seq, v.at, from)
			}
		}
		return nil
	})
}

// S60: Release delivers held traffic in the order it was sent.
func TestProperty_ReleaseDeliversHeldDatagramsInTheOrderSent(t *testing.T) {
	forSeeds(t, func(ctx context.Context, n *netsim.Network, a, b *netsim.Host) error {
		n.SetDefaultLink(netsim.Link{Latency: netsim.Uniform(0, 20*time.Millisecond)})
		send, got, err := udpPair(ctx, a, b)
		if err != nil {
			return err
		}
		n.Hold(a, b)
		for i := range 30 {
			send(i)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
		n.Release(a, b)
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
		var seqs []int
		for _, v := range got() {
			seqs = append(seqs, v.seq)
		}
		if len(seqs) != 30 || !slices.IsSorted(seqs) {
			t.Errorf("released %v; want 0..29 in order", seqs)
		}
		return nil
	})
}

// S60: held datagrams released into a partition are lost.
func TestProperty_HeldDatagramsReleasedIntoAPartitionAreLost(t *testing.T) {
	forSeeds(t, func(ctx context.Context, n *netsim.Network, a, b *netsim.Host) error {
		n.SetDefaultLink(netsim.Link{Latency: netsim.Uniform(0, 5*time.Millisecond)})
		send, got, err := udpPair(ctx, a, b)
		if err != nil {
			return err
		}
		n.Hold(a, b)
		for i := range 10 {
			send(i)
		}
		n.Partition(a, b)
		n.Release(a, b)
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
		n.Repair(a, b)
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
		if len(got()) > 0 {
			t.Errorf("%d held datagrams crossed the partition they were released into", len(got()))
		}
		return nil
	})
}

// S61: after a read returns a reset, no later read returns data, however
// much was on its way when the writer's host crashed.
func TestProperty_NoReadReturnsDataAfterAReset(t *testing.T) {
	forSeeds(t, func(ctx context.Context, n *netsim.Network, a, b *netsim.Host) error {
		n.SetDefaultLink(netsim.Link{Latency: netsim.Uniform(time.Millisecond, 10*time.Millisecond)})
		l, err := netsim.Listen(b.Context(ctx), "tcp", ":80")
		if err != nil {
			return err
		}
		defer l.Close()
		a.Start(ctx, func(ctx context.Context) error {
			c, err := netsim.Dial(ctx, "tcp", "b:80")
			if err != nil {
				return err
			}
			for {
				if _, err := c.Write(make([]byte, 1000)); err != nil {
					return err
				}
			}
		})
		c, err := l.Accept()
		if err != nil {
			return err
		}
		defer c.Close()
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			if err := sleep(ctx, time.Duration(runtime.Rand(ctx).IntN(50))*time.Millisecond); err != nil {
				return 0, err
			}
			a.Crash()
			return 0, nil
		})
		buf := make([]byte, 700)
		reset := false
		for range 1000 {
			if reset { // let what was on its way arrive
				if err := sleep(ctx, time.Millisecond); err != nil {
					return err
				}
			}
			k, err := c.Read(buf)
			switch {
			case reset && k > 0:
				t.Errorf("read %d bytes after a read returned a reset", k)
				return nil
			case errors.Is(err, syscall.ECONNRESET):
				reset = true
			case err != nil:
				return err
			}
		}
		assert.True(t, reset, "the crash resets the connection")
		return nil
	})
}

// A write on a reset connection reports a reset of the write.
func TestWriteOnAResetConnectionReportsAWriteError(t *testing.T) {
	forSeeds(t, func(ctx context.Context, n *netsim.Network, a, b *netsim.Host) error {
		l, err := netsim.Listen(b.Context(ctx), "tcp", ":80")
		if err != nil {
			return err
		}
		defer l.Close()
		c, err := netsim.Dial(a.Context(ctx), "tcp", "b:80")
		if err != nil {
			return err
		}
		defer c.Close()
		b.Crash()
		_, err = c.Write([]byte("hello"))
		require.ErrorIs(t, err, syscall.ECONNRESET)
		assert.Contains(t, err.Error(), "write: connection reset")
		assert.NotContains(t, err.Error(), "read:")
		return nil
	})
}

// SetDefaultLink applies to every path SetLink did not configure, those
// traffic has used already included.
func TestSetDefaultLinkChangesPathsAlreadyUsed(t *testing.T) {
	forSeeds(t, func(ctx context.Context, n *netsim.Network, a, b *netsim.Host) error {
		send, got, err := udpPair(ctx, a, b)
		if err != nil {
			return err
		}
		send(0) // the path is in use
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
		n.SetDefaultLink(netsim.Link{Loss: 1})
		for i := 1; i <= 20; i++ {
			send(i)
		}
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
		assert.Len(t, got(), 1, "after SetDefaultLink with full loss, nothing more arrives")
		return nil
	})
}

// Heal repairs every partition, one-way or not, and releases every hold,
// delivering what was held.
func TestHealRepairsEveryPartitionAndReleasesEveryHold(t *testing.T) {
	forSeeds(t, func(ctx context.Context, n *netsim.Network, a, b *netsim.Host) error {
		c := n.AddHost("c")
		sendAB, gotAB, err := udpPair(ctx, a, b)
		if err != nil {
			return err
		}
		sendCA, gotCA, err := udpPair(ctx, c, a)
		if err != nil {
			return err
		}
		n.Partition(a, b)
		n.PartitionOneWay(c, a)
		n.Hold(b, c)
		n.Hold(a, b)
		sendAB(1) // lost: a-b is partitioned
		n.Heal()
		sendAB(2)
		sendCA(3)
		if err := sleep(ctx, time.Second); err != nil {
			return err
		}
		assert.Equal(t, []arrival{{2, time.Millisecond}}, gotAB(), "a->b flows after Heal (the datagram sent into the partition is lost)")
		assert.Len(t, gotCA(), 1, "c->a flows after Heal")
		return nil
	})
}

// S62: a Swarm whose ctx ends heals what it did before virtual time next
// advances: no host it crashed stays down, no partition of its stays, and
// its lossy link gives way to the one before.
func TestProperty_ASwarmWhoseCtxEndsHealsWhatItDid(t *testing.T) {
	forSeeds(t, func(ctx context.Context, n *netsim.Network, a, b *netsim.Host) error {
		hosts := []*netsim.Host{a, b, n.AddHost("c")}
		for _, h := range hosts {
			h.Start(ctx, func(ctx context.Context) error { return sleep(ctx, time.Hour) })
		}
		sctx, cancel := clock.WithTimeout(ctx, time.Duration(1+runtime.Rand(ctx).IntN(5000))*time.Millisecond)
		defer cancel()
		n.Swarm(sctx, hosts...)
		<-doneOf(sctx)
		if err := sleep(ctx, time.Nanosecond); err != nil { // the next instant
			return err
		}
		for _, h := range hosts {
			assert.False(t, h.Down(), "host %s is still down", h.Name())
		}
		for _, x := range hosts {
			for _, y := range hosts {
				if x == y {
					continue
				}
				rx, _ := netsim.ListenPacket(y.Context(ctx), "udp", ":0")
				tx, _ := netsim.ListenPacket(x.Context(ctx), "udp", ":0")
				for range 20 {
					tx.WriteTo([]byte("x"), rx.LocalAddr())
				}
				k := 0
				for {
					rx.SetReadDeadline(clock.Now(ctx).Add(100 * time.Millisecond))
					if _, _, err := rx.ReadFrom(make([]byte, 1)); err != nil {
						break
					}
					k++
				}
				assert.Equal(t, 20, k, "%s->%s: each datagram once, none lost", x.Name(), y.Name())
				rx.Close()
				tx.Close()
			}
		}
		return nil
	})
}

// doneOf waits in the simulation for ctx to end.
func doneOf(ctx context.Context) chan struct{} {
	var never runtime.Notify
	never.Wait(ctx)
	c := make(chan struct{})
	close(c)
	return c
}

// S62: Start, Crash and Restart work from the harness and from any task.
func TestHostControlFromAnyTaskAndFromTheHarness(t *testing.T) {
	rt := sim.New(sim.WithSeed(1))
	defer rt.Shutdown()
	ctx := rt.Enter(context.Background())
	n := netsim.New(ctx)
	h := n.AddHost("h")
	var starts atomic.Int32 // no data race (S2a)
	type key struct{}
	h.Start(context.WithValue(ctx, key{}, "start's"), func(ctx context.Context) error {
		if ctx.Value(key{}) == "start's" {
			starts.Add(1) // the start function keeps the values of Start's ctx
		}
		return sleep(ctx, time.Hour)
	})
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		for range 3 { // from a fresh task each time
			j := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				h.Crash()
				if err := sleep(ctx, time.Millisecond); err != nil {
					return 0, err
				}
				h.Restart()
				return 0, sleep(ctx, time.Millisecond)
			})
			if _, err := j.Join(ctx); err != nil {
				return err
			}
		}
		return nil
	}))
	h.Crash() // from the harness, between runs
	h.Restart()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error { return sleep(ctx, time.Millisecond) }))
	assert.Equal(t, int32(5), starts.Load(), "Start, three restarts from tasks, one from the harness")
	assert.False(t, h.Down())
	n.Close()
}
