package netsim_test

import (
	"context"
	"errors"
	"io"
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

// echoServer listens on :7 and echoes each connection until it closes.
func echoServer(deferred *int) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		defer func() { *deferred++ }()
		l, err := netsim.Listen(ctx, "tcp", ":7")
		if err != nil {
			return err
		}
		defer l.Close()
		for {
			c, err := l.Accept()
			if err != nil {
				return err
			}
			runtime.Spawn(ctx, func(ctx context.Context) (int64, error) {
				defer c.Close()
				return io.Copy(c, c)
			})
		}
	}
}

func TestCrashDropsTasksResetsPeersAndRestartServesAgain(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		n := netsim.New(ctx)
		defer n.Close()
		server, client := n.AddHost("server"), n.AddHost("client")
		deferred := 0
		server.Start(ctx, echoServer(&deferred))
		cctx := client.Context(ctx)

		c, err := netsim.Dial(cctx, "tcp", "server:7")
		require.NoError(t, err)
		_, err = c.Write([]byte("ping"))
		require.NoError(t, err)
		buf := make([]byte, 4)
		_, err = io.ReadFull(c, buf)
		require.NoError(t, err)
		assert.Equal(t, 2, server.Tasks(), "the listener and one echo task")

		server.Crash()
		require.NoError(t, clock.Sleep(ctx, time.Millisecond)) // the dropped tasks unwind
		assert.Equal(t, 0, server.Tasks(), "a crash drops every task of the host")
		assert.Equal(t, 1, deferred, "their deferred functions ran")
		_, err = c.Read(buf)
		assert.True(t, errors.Is(err, syscall.ECONNRESET), "the peer sees a reset: %v", err)
		c.Close()

		dctx, cancel := clock.WithTimeout(cctx, time.Second)
		_, err = netsim.Dial(dctx, "tcp", "server:7")
		cancel()
		assert.ErrorIs(t, err, context.DeadlineExceeded, "a crashed host does not answer")

		server.Restart()
		require.NoError(t, clock.Sleep(ctx, time.Millisecond)) // the start function listens again
		c2, err := netsim.Dial(cctx, "tcp", "server:7")
		require.NoError(t, err, "after a restart new connections work")
		defer c2.Close()
		_, err = c2.Write([]byte("pong"))
		require.NoError(t, err)
		_, err = io.ReadFull(c2, buf)
		require.NoError(t, err)
		assert.Equal(t, "pong", string(buf))
	})
}
