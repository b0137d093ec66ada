package netsim_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
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

func TestRules_DropDelayAndPassInOrder(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		a, b := n.AddHost("a"), n.AddHost("b")
		n.AddRule(func(m netsim.Message) netsim.Verdict {
			if bytes.Equal(m.Payload, []byte("drop me")) {
				return netsim.Verdict{Action: netsim.Drop}
			}
			return netsim.Verdict{}
		})
		n.AddRule(func(m netsim.Message) netsim.Verdict {
			if m.Proto == "udp" && m.From == a {
				return netsim.Verdict{Action: netsim.Delay, Delay: time.Second}
			}
			return netsim.Verdict{}
		})
		rx, _ := netsim.ListenPacket(b.Context(ctx), "udp", ":9")
		defer rx.Close()
		tx, _ := netsim.ListenPacket(a.Context(ctx), "udp", ":0")
		defer tx.Close()
		to := &net.UDPAddr{IP: b.IP(), Port: 9}
		start := clock.Now(ctx)
		tx.WriteTo([]byte("drop me"), to)
		tx.WriteTo([]byte("late"), to)
		got := runtime.Spawn(b.Context(ctx), func(ctx context.Context) (string, error) {
			buf := make([]byte, 16)
			k, _, err := rx.ReadFrom(buf)
			return string(buf[:k]), err
		})
		v, err := got.Join(ctx)
		require.NoError(t, err)
		assert.Equal(t, "late", v, "the first rule dropped the first datagram")
		assert.GreaterOrEqual(t, clock.Since(ctx, start), time.Second, "the second rule delayed the other")

		// On a stream, a dropped segment is retransmitted: the bytes arrive.
		payload := []byte("drop me")
		out, err := transfer(ctx, n, a, b, payload, []int{len(payload)}, nil)
		require.NoError(t, err)
		assert.Equal(t, payload, out)
		return nil
	})
	require.NoError(t, res.Err)
}

func TestStreamsResetWhenAPartitionOutlastsTheTimeout(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx, netsim.WithPartitionTimeout(2*time.Second))
		defer n.Close()
		a, b := n.AddHost("a"), n.AddHost("b")
		l, _ := netsim.Listen(b.Context(ctx), "tcp", ":80")
		defer l.Close()
		srv := runtime.Spawn(b.Context(ctx), func(ctx context.Context) (error, error) {
			c, err := l.Accept()
			if err != nil {
				return nil, err
			}
			defer c.Close()
			_, err = io.ReadAll(c)
			return err, nil
		})
		c, err := netsim.Dial(a.Context(ctx), "tcp", "b:80")
		require.NoError(t, err)
		defer c.Close()
		n.Partition(a, b)
		_, err = c.Write([]byte("into the void"))
		require.NoError(t, err, "a write only queues")
		_, err = c.Read(make([]byte, 1))
		assert.True(t, errors.Is(err, syscall.ECONNRESET), "the writer's end resets: %v", err)
		serr, _ := srv.Join(ctx)
		assert.True(t, errors.Is(serr, syscall.ECONNRESET), "so does the reader's: %v", serr)
		assert.GreaterOrEqual(t, clock.Since(ctx, clock.Epoch), 2*time.Second)
		return nil
	})
	require.NoError(t, res.Err)
}

func TestClosingWithUnreadDataResetsABlockedWriter(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx, netsim.WithWindow(1024))
		a, b := n.AddHost("a"), n.AddHost("b")
		l, _ := netsim.Listen(b.Context(ctx), "tcp", ":80")
		defer l.Close()
		runtime.Spawn(b.Context(ctx), func(ctx context.Context) (int, error) {
			c, err := l.Accept()
			if err != nil {
				return 0, err
			}
			if err := clock.Sleep(ctx, time.Second); err != nil { // reads nothing
				return 0, err
			}
			return 0, c.Close()
		})
		c, err := netsim.Dial(a.Context(ctx), "tcp", "b:80")
		require.NoError(t, err)
		defer c.Close()
		_, err = c.Write(make([]byte, 10_000)) // blocks on the full window
		assert.True(t, errors.Is(err, syscall.ECONNRESET), "the writer learns of the close: %v", err)
		return nil
	})
	require.NoError(t, res.Err)
}
