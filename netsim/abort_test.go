package netsim_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
)

// S63: a production runtime whose tasks are blocked in socket I/O on
// loopback (Accept, Read on either end of a connection, ReadFrom, a Write
// nobody reads) shuts
// down within a second, and leaves no goroutine behind.
func TestShutdownEndsTasksBlockedInSocketIOWithinASecond(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	rt := runtime.New()
	blocked := runtime.NewChan[string](6)
	var handles []*runtime.JoinHandle[struct{}]
	block := func(ctx context.Context, what string, f func(ctx context.Context) error) {
		handles = append(handles, runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, f(ctx)
		}))
	}
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		block(ctx, "Accept", func(ctx context.Context) error {
			l, err := netsim.Listen(ctx, "tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer l.Close()
			blocked.Send(ctx, "Accept")
			_, err = l.Accept()
			return err
		})
		for _, end := range []string{"Read (dialer)", "Read (acceptor)"} {
			block(ctx, end, func(ctx context.Context) error {
				l, err := netsim.Listen(ctx, "tcp", "127.0.0.1:0")
				if err != nil {
					return err
				}
				defer l.Close()
				d, err := netsim.Dial(ctx, "tcp", l.Addr().String())
				if err != nil {
					return err
				}
				defer d.Close()
				a, err := l.Accept()
				if err != nil {
					return err
				}
				defer a.Close()
				c := d
				if end == "Read (acceptor)" {
					c = a
				}
				blocked.Send(ctx, end)
				_, err = c.Read(make([]byte, 1))
				return err
			})
		}
		for range 2 {
			block(ctx, "ReadFrom", func(ctx context.Context) error {
				pc, err := netsim.ListenPacket(ctx, "udp", "127.0.0.1:0")
				if err != nil {
					return err
				}
				defer pc.Close()
				blocked.Send(ctx, "ReadFrom")
				_, _, err = pc.ReadFrom(make([]byte, 1))
				return err
			})
		}
		block(ctx, "Write", func(ctx context.Context) error {
			l, err := netsim.Listen(ctx, "tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			defer l.Close()
			d, err := netsim.Dial(ctx, "tcp", l.Addr().String())
			if err != nil {
				return err
			}
			defer d.Close()
			blocked.Send(ctx, "Write")
			for chunk := make([]byte, 1<<20); ; { // nobody reads: the buffers fill
				if _, err := d.Write(chunk); err != nil {
					return err
				}
			}
		})
		for range 6 {
			if _, err := blocked.Recv(ctx); err != nil {
				return err
			}
		}
		return clock.Sleep(ctx, 50*time.Millisecond) // into the system calls
	}))
	start := time.Now()
	err := rt.ShutdownTimeout(time.Second)
	took := time.Since(start)
	require.NoError(t, err, "shut down within a second")
	assert.Less(t, took, time.Second)
	for i, h := range handles {
		assert.True(t, h.IsFinished(), "task %d ended", i)
	}
	t.Logf("shutdown took %v", took)
}

// S63, parity: Abort ends a task blocked in Read in production as in a
// simulation: the task is dropped there (its Join reports ErrCancelled),
// and its deferred functions run.
func TestParity_AbortEndsATaskBlockedInRead(t *testing.T) {
	prod, simulated := both(t, func(ctx context.Context, on on) (string, error) {
		l, err := netsim.Listen(on(ctx, "server"), "tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		defer l.Close()
		ready := runtime.NewChan[struct{}](1)
		deferred := runtime.NewChan[string](1)
		reader := runtime.Spawn(on(ctx, "server"), func(ctx context.Context) (int, error) {
			defer deferred.TrySend("deferred ran")
			c, err := l.Accept()
			if err != nil {
				return 0, err
			}
			defer c.Close()
			ready.Send(ctx, struct{}{})
			return c.Read(make([]byte, 1))
		})
		c, err := netsim.Dial(on(ctx, "client"), "tcp", l.Addr().String())
		if err != nil {
			return "", err
		}
		defer c.Close()
		if _, err := ready.Recv(ctx); err != nil {
			return "", err
		}
		if err := clock.Sleep(ctx, 20*time.Millisecond); err != nil { // into Read
			return "", err
		}
		reader.Abort()
		_, err = reader.Join(ctx)
		d, _ := deferred.TryRecv()
		return fmt.Sprintf("%s; cancelled: %v", d, errors.Is(err, runtime.ErrCancelled)), nil
	})
	assert.Equal(t, "deferred ran; cancelled: true", prod)
	assert.Equal(t, prod, simulated)
}
