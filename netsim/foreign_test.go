package netsim_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// connected returns both ends of a simulated connection from c to s.
func connected(ctx context.Context, n *netsim.Network) (client, server net.Conn, err error) {
	l, err := netsim.Listen(n.AddHost("s").Context(ctx), "tcp", ":80")
	if err != nil {
		return nil, nil, err
	}
	defer l.Close()
	client, err = netsim.Dial(n.AddHost("c").Context(ctx), "tcp", "s:80")
	if err != nil {
		return nil, nil, err
	}
	server, err = l.Accept()
	return client, server, err
}

// S64: a plain goroutine reading a netsim conn fails the run with a
// ForeignGoroutineError naming the cure, in every one of 50 runs in a row;
// the goroutine ends (goleak checks it) and the binary goes on.
func TestAPlainGoroutineReadingAConnFailsEveryRunTheSameWay(t *testing.T) {
	for _, tc := range []struct {
		name string
		wait bool // the task waits for the goroutine (on a native channel)
	}{
		{"the task waits for the goroutine", true},
		{"nobody waits for it (as net/http's server)", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var first string
			for run := range 50 {
				res := sim.Run(func(ctx context.Context) error {
					n := netsim.New(ctx)
					defer n.Close()
					client, server, err := connected(ctx, n)
					if err != nil {
						return err
					}
					done := make(chan struct{})
					go func() {
						defer close(done)
						buf := make([]byte, 8)
						k, _ := server.Read(buf)
						server.Write(buf[:k])
					}()
					if tc.wait {
						<-done
					}
					client.Write([]byte("ping"))
					_, err = client.Read(make([]byte, 8))
					return err
				}, sim.WithSeed(uint64(run)))
				var fe *sim.ForeignGoroutineError
				require.True(t, errors.As(res.Err, &fe), "run %d: %v", run, res.Err)
				if first == "" {
					first = res.Err.Error()
				}
				assert.Equal(t, first, res.Err.Error(), "run %d", run)
				assert.Contains(t, fe.Error(), "runtime.Spawn(ctx, ...) instead of go")
				assert.Contains(t, string(fe.Stack), "foreign_test.go", "the stack shows where")
			}
		})
	}
}

// S64: a goroutine that drives the simulation with a task's ctx (Sleep,
// YieldNow, Spawn, a Mutex, a dropped task's ctx) fails the run the same
// way: never an internal panic value escaping, never a crash, never
// silently.
func TestAGoroutineUsingATasksCtxFailsTheRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		use  func(ctx context.Context)
	}{
		{"Sleep", func(ctx context.Context) { clock.Sleep(ctx, time.Second) }},
		{"YieldNow", func(ctx context.Context) { runtime.YieldNow(ctx) }},
		{"Spawn", func(ctx context.Context) {
			runtime.Spawn(ctx, func(context.Context) (int, error) { return 0, nil })
		}},
		{"a held Mutex", func(ctx context.Context) {
			var mu runtime.Mutex
			mu.Lock(ctx)
			mu.Lock(ctx)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(20) {
				res := sim.Run(func(ctx context.Context) error {
					done := make(chan struct{})
					go func() {
						defer close(done)
						tc.use(ctx)
					}()
					<-done // the task is running while the goroutine acts
					return clock.Sleep(ctx, time.Millisecond)
				}, sim.WithSeed(seed))
				var fe *sim.ForeignGoroutineError
				require.True(t, errors.As(res.Err, &fe), "seed %d: %v", seed, res.Err)
			}
		})
	}
}

// S64: a goroutine using the ctx of a task that is being dropped gets no
// drop signal (which would crash the binary): the run fails cleanly.
func TestAGoroutineUsingADroppedTasksCtxFailsTheRunCleanly(t *testing.T) {
	for seed := range uint64(20) {
		res := sim.Run(func(ctx context.Context) error {
			ctxs := runtime.NewChan[context.Context](1)
			h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				ctxs.Send(ctx, ctx)
				return 0, clock.Sleep(ctx, time.Hour)
			})
			victim, err := ctxs.Recv(ctx)
			if err != nil {
				return err
			}
			h.Abort()
			done := make(chan struct{})
			go func() {
				defer close(done)
				runtime.YieldNow(victim)
			}()
			<-done
			return clock.Sleep(ctx, time.Millisecond)
		}, sim.WithSeed(seed))
		var fe *sim.ForeignGoroutineError
		require.True(t, errors.As(res.Err, &fe), "seed %d: %v", seed, res.Err)
	}
}

// A goroutine a task leaked, using a socket after the simulation was shut
// down, ends without crashing the binary (no panic on a plain goroutine).
func TestAGoroutineOutlivingItsSimulationEndsQuietly(t *testing.T) {
	release, done := make(chan struct{}), make(chan struct{})
	var conn net.Conn
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		_, server, err := connected(ctx, n)
		conn = server
		return err
	})
	require.NoError(t, res.Err)
	go func() {
		defer close(done)
		<-release
		conn.Read(make([]byte, 1)) // the simulation is over
		t.Error("a socket call after the shutdown returned")
	}()
	close(release)
	<-done
}
