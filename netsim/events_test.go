package netsim_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/sim"
)

func TestMessageEventsAreInTheLogAndTheHash(t *testing.T) {
	run := func(partition bool) sim.Result {
		res := sim.Run(func(ctx context.Context) error {
			n := netsim.New(ctx)
			defer n.Close()
			a, b := n.AddHost("a"), n.AddHost("b")
			rx, _ := netsim.ListenPacket(b.Context(ctx), "udp", ":9")
			defer rx.Close()
			tx, _ := netsim.ListenPacket(a.Context(ctx), "udp", ":0")
			defer tx.Close()
			if partition {
				n.Partition(a, b)
			}
			tx.WriteTo([]byte("hi"), &net.UDPAddr{IP: b.IP(), Port: 9})
			return clock.Sleep(ctx, time.Second)
		}, sim.WithTrace(100))
		require.NoError(t, res.Err)
		return res
	}
	notes := func(r sim.Result) string {
		var b strings.Builder
		for _, ev := range r.Events {
			if ev.Kind == sim.EvNote {
				b.WriteString(ev.Op + "\n")
			}
		}
		return b.String()
	}
	clean, cut := run(false), run(true)
	assert.Contains(t, notes(clean), "udp 10.0.0.1:")
	assert.Contains(t, notes(clean), "deliver 2 bytes")
	assert.Contains(t, notes(cut), "partition a<->b")
	assert.Contains(t, notes(cut), "drop (partition)")
	assert.NotEqual(t, clean.Hash, cut.Hash, "the messages are part of the hash")
	assert.Equal(t, clean.Hash, run(false).Hash)
}

func TestNetworkBelongsToItsSimulation(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		assert.Panics(t, func() { netsim.New(ctx) }, "one network per simulation")
		h := n.AddHost("h")
		n.Close()
		assert.PanicsWithValue(t, "netsim: Listen in a simulation without a network; attach one with netsim.New",
			func() { netsim.Listen(h.Context(ctx), "tcp", ":1") })
		netsim.New(ctx) // a closed network can be replaced
		assert.PanicsWithValue(t, "netsim: Dial from a task on no host; run it on one (Host.Context)",
			func() { netsim.Dial(ctx, "tcp", "h:1") })
		return nil
	})
	require.NoError(t, res.Err)
	assert.Panics(t, func() { netsim.New(context.Background()) }, "production has no simulated network")
}

func TestLookupHostAndFixedLatency(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		a, b := n.AddHost("a"), n.AddHost("b")
		n.SetLink(a, b, netsim.Link{Latency: netsim.Fixed(7 * time.Millisecond)})
		actx := a.Context(ctx)
		addrs, err := netsim.LookupHost(actx, "b")
		require.NoError(t, err)
		assert.Equal(t, []string{b.IP().String()}, addrs)
		self, err := netsim.LookupHost(actx, "localhost")
		require.NoError(t, err)
		assert.Equal(t, []string{a.IP().String()}, self, "loopback is the caller's own host")
		_, err = netsim.LookupHost(actx, "nowhere")
		assert.Error(t, err)

		l, err := netsim.Listen(b.Context(ctx), "tcp", ":1")
		require.NoError(t, err)
		defer l.Close()
		start := clock.Now(ctx)
		c, err := netsim.Dial(actx, "tcp", "b:1")
		require.NoError(t, err)
		c.Close()
		assert.Equal(t, 14*time.Millisecond, clock.Since(ctx, start), "a connect is one round trip of the link's latency")
		return nil
	})
	require.NoError(t, res.Err)
	addrs, err := netsim.LookupHost(context.Background(), "localhost")
	require.NoError(t, err)
	assert.NotEmpty(t, addrs, "production resolves with package net")
}
