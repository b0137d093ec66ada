package netsim_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// transfer sends payload from host a to host b in writes of the given
// sizes while faults runs, and returns what b read.
func transfer(ctx context.Context, n *netsim.Network, a, b *netsim.Host, payload []byte, chunks []int,
	faults func(ctx context.Context)) ([]byte, error) {
	l, err := netsim.Listen(b.Context(ctx), "tcp", ":0")
	if err != nil {
		return nil, err
	}
	defer l.Close()
	reader := runtime.Spawn(b.Context(ctx), func(ctx context.Context) ([]byte, error) {
		c, err := l.Accept()
		if err != nil {
			return nil, err
		}
		defer c.Close()
		return io.ReadAll(c)
	})
	if faults != nil {
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) { faults(ctx); return 0, nil })
	}
	writer := runtime.Spawn(a.Context(ctx), func(ctx context.Context) (int, error) {
		c, err := netsim.Dial(ctx, "tcp", l.Addr().String())
		if err != nil {
			return 0, err
		}
		defer c.Close()
		rest := payload
		for i := 0; len(rest) > 0; i++ {
			k := min(len(rest), max(1, chunks[i%len(chunks)]))
			if _, err := c.Write(rest[:k]); err != nil {
				return 0, err
			}
			rest = rest[k:]
		}
		return 0, nil
	})
	if _, err := writer.Join(ctx); err != nil {
		return nil, err
	}
	return reader.Join(ctx)
}

func TestProperty_StreamsDeliverExactlyTheBytesWritten(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		payload := rapid.SliceOfN(rapid.Byte(), 0, 20_000).Draw(t, "payload")
		chunks := rapid.SliceOfN(rapid.IntRange(1, 5000), 1, 5).Draw(t, "chunks")
		lo := time.Duration(rapid.IntRange(0, 5000).Draw(t, "latency lo (us)")) * time.Microsecond
		hi := lo + time.Duration(rapid.IntRange(0, 5000).Draw(t, "latency spread (us)"))*time.Microsecond
		window := rapid.IntRange(1, 70_000).Draw(t, "window")
		res := sim.Run(func(ctx context.Context) error {
			n := netsim.New(ctx, netsim.WithWindow(window))
			defer n.Close()
			n.SetDefaultLink(netsim.Link{Latency: netsim.Uniform(lo, hi)})
			got, err := transfer(ctx, n, n.AddHost("a"), n.AddHost("b"), payload, chunks, nil)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, payload) {
				t.Fatalf("read %d bytes, wrote %d; equal: %v", len(got), len(payload), bytes.Equal(got, payload))
			}
			return nil
		}, sim.WithSeed(rapid.Uint64().Draw(t, "seed")))
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	})
}

func TestProperty_FaultsNeverCorruptAStream(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		payload := rapid.SliceOfN(rapid.Byte(), 1, 10_000).Draw(t, "payload")
		chunks := rapid.SliceOfN(rapid.IntRange(1, 3000), 1, 4).Draw(t, "chunks")
		type fault struct {
			after time.Duration
			kind  int // 0 partition, 1 repair, 2 one-way, 3 hold, 4 release
		}
		faults := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) fault {
			return fault{
				after: time.Duration(rapid.IntRange(0, 50).Draw(t, "after (ms)")) * time.Millisecond,
				kind:  rapid.IntRange(0, 4).Draw(t, "kind"),
			}
		}), 0, 8).Draw(t, "faults")
		res := sim.Run(func(ctx context.Context) error {
			n := netsim.New(ctx)
			defer n.Close()
			n.SetDefaultLink(netsim.Link{Latency: netsim.Uniform(0, 3*time.Millisecond), Loss: 0.3, Duplicate: 0.3})
			a, b := n.AddHost("a"), n.AddHost("b")
			got, err := transfer(ctx, n, a, b, payload, chunks, func(ctx context.Context) {
				for _, f := range faults {
					if clock.Sleep(ctx, f.after) != nil {
						return
					}
					switch f.kind {
					case 0:
						n.Partition(a, b)
					case 1:
						n.Repair(a, b)
					case 2:
						n.PartitionOneWay(b, a)
					case 3:
						n.Hold(a, b)
					case 4:
						n.Release(a, b)
					}
				}
				n.Repair(a, b) // the transfer must be able to finish
				n.Release(a, b)
			})
			if err != nil {
				return err // a stream may fail, never deliver wrong bytes
			}
			if !bytes.Equal(got, payload) {
				t.Fatalf("the stream delivered %d bytes that differ from the %d written", len(got), len(payload))
			}
			return nil
		}, sim.WithSeed(rapid.Uint64().Draw(t, "seed")))
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	})
}

// datagrams sends count datagrams from a to b over link and returns the
// payloads b received.
func datagrams(t *testing.T, link netsim.Link, count int, seed uint64) []int {
	var got []int
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		a, b := n.AddHost("a"), n.AddHost("b")
		n.SetLink(a, b, link)
		rx, err := netsim.ListenPacket(b.Context(ctx), "udp", ":9000")
		if err != nil {
			return err
		}
		defer rx.Close()
		tx, err := netsim.ListenPacket(a.Context(ctx), "udp", ":0")
		if err != nil {
			return err
		}
		defer tx.Close()
		for i := range count {
			if _, err := tx.WriteTo([]byte{byte(i)}, &net.UDPAddr{IP: b.IP(), Port: 9000}); err != nil {
				return err
			}
		}
		r := runtime.Spawn(b.Context(ctx), func(ctx context.Context) (int, error) {
			buf := make([]byte, 8)
			for {
				rx.SetReadDeadline(clock.Now(ctx).Add(time.Second))
				k, _, err := rx.ReadFrom(buf)
				if err != nil {
					return 0, nil // the deadline: nothing more is coming
				}
				got = append(got, int(buf[:k][0]))
			}
		})
		_, err = r.Join(ctx)
		return err
	}, sim.WithSeed(seed))
	require.NoError(t, res.Err)
	return got
}

func TestDatagramsRespectTheLink(t *testing.T) {
	count := 50
	all := make([]int, count)
	for i := range all {
		all[i] = i
	}
	clean := datagrams(t, netsim.Link{Latency: netsim.Uniform(0, 10*time.Millisecond)}, count, 1)
	assert.False(t, slices.IsSorted(clean), "random latency reorders datagrams")
	slices.Sort(clean)
	assert.Equal(t, all, clean, "no loss, no duplication: each arrives once")

	assert.Empty(t, datagrams(t, netsim.Link{Loss: 1}, count, 1), "all lost")

	dup := datagrams(t, netsim.Link{Duplicate: 1}, count, 1)
	assert.Len(t, dup, 2*count, "each delivered twice")

	some := datagrams(t, netsim.Link{Loss: 0.5}, count, 1)
	assert.Greater(t, len(some), 5)
	assert.Less(t, len(some), count-5)
	assert.Equal(t, some, datagrams(t, netsim.Link{Loss: 0.5}, count, 1), "the same seed loses the same datagrams")
}

func TestPartitionDropsDatagramsAndHoldKeepsThem(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		a, b := n.AddHost("a"), n.AddHost("b")
		rx, _ := netsim.ListenPacket(b.Context(ctx), "udp", ":9000")
		defer rx.Close()
		tx, _ := netsim.ListenPacket(a.Context(ctx), "udp", ":0")
		defer tx.Close()
		to := &net.UDPAddr{IP: b.IP(), Port: 9000}
		got := runtime.NewChan[string](-1)
		runtime.Spawn(b.Context(ctx), func(ctx context.Context) (int, error) {
			buf := make([]byte, 16)
			for {
				k, _, err := rx.ReadFrom(buf)
				if err != nil {
					return 0, nil
				}
				if got.Send(ctx, string(buf[:k])) != nil {
					return 0, nil
				}
			}
		})
		n.Partition(a, b)
		tx.WriteTo([]byte("lost"), to)
		n.Repair(a, b)
		n.Hold(a, b)
		tx.WriteTo([]byte("held"), to)
		if err := clock.Sleep(ctx, time.Second); err != nil {
			return err
		}
		assert.Equal(t, 0, got.Len(), "nothing crosses a partition or a hold")
		n.Release(a, b)
		if err := clock.Sleep(ctx, time.Second); err != nil {
			return err
		}
		v, _ := got.TryRecv()
		assert.Equal(t, "held", v)
		assert.Equal(t, 0, got.Len())
		return nil
	})
	require.NoError(t, res.Err)
}

// Datagrams respect the configured faults: with no loss each arrives at
// least once and at most twice (duplication), exactly once without
// duplication; with full loss none arrives.
func TestProperty_DatagramsRespectTheFaults(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		loss := rapid.SampledFrom([]float64{0, 0.5, 1}).Draw(rt, "loss")
		dup := rapid.SampledFrom([]float64{0, 0.5, 1}).Draw(rt, "duplicate")
		count := rapid.IntRange(1, 40).Draw(rt, "count")
		lat := netsim.Uniform(0, time.Duration(rapid.IntRange(0, 20).Draw(rt, "max latency (ms)"))*time.Millisecond)
		got := datagrams(t, netsim.Link{Latency: lat, Loss: loss, Duplicate: dup}, count, rapid.Uint64().Draw(rt, "seed"))
		seen := map[int]int{}
		for _, v := range got {
			seen[v]++
		}
		for v, k := range seen {
			switch {
			case v < 0 || v >= count:
				rt.Fatalf("datagram %d was never sent", v)
			case k > 2 || (dup == 0 && k > 1):
				rt.Fatalf("datagram %d arrived %d times with duplication %v", v, k, dup)
			}
		}
		if loss == 1 && len(got) > 0 {
			rt.Fatalf("%d datagrams crossed a link that loses all", len(got))
		}
		if loss == 0 && len(seen) != count {
			rt.Fatalf("%d of %d datagrams arrived on a lossless link", len(seen), count)
		}
		if dup == 1 && loss == 0 && len(got) != 2*count {
			rt.Fatalf("%d arrivals of %d datagrams, all duplicated", len(got), count)
		}
	})
}
