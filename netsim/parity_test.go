package netsim_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// on binds ctx to a host: the named simulated host, or nothing in
// production (every "host" is this machine, on loopback).
type on func(ctx context.Context, host string) context.Context

// both runs body in production (package net on loopback) and in a
// simulation with hosts "server" and "client", and returns the two results.
func both[T any](t *testing.T, body func(ctx context.Context, on on) (T, error)) (prod, simulated T) {
	t.Helper()
	rt := runtime.New()
	defer rt.Shutdown()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) (err error) {
		prod, err = body(ctx, func(ctx context.Context, _ string) context.Context { return ctx })
		return err
	}), "production")
	for seed := range uint64(10) {
		res := sim.Run(func(ctx context.Context) (err error) {
			n := netsim.New(ctx)
			defer n.Close()
			hosts := map[string]*netsim.Host{"server": n.AddHost("server"), "client": n.AddHost("client")}
			simulated, err = body(ctx, func(ctx context.Context, h string) context.Context { return hosts[h].Context(ctx) })
			return err
		}, sim.WithSeed(seed))
		require.NoError(t, res.Err, "simulation, seed %d", seed)
	}
	return prod, simulated
}

// serve runs handle on one accepted connection of a fresh listener on the
// server host and returns the address to dial.
func serve(t *testing.T, ctx context.Context, on on, handle func(ctx context.Context, c net.Conn) error) (string, *runtime.JoinHandle[struct{}]) {
	l, err := netsim.Listen(on(ctx, "server"), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	h := runtime.Spawn(on(ctx, "server"), func(ctx context.Context) (struct{}, error) {
		defer l.Close()
		c, err := l.Accept()
		if err != nil {
			return struct{}{}, err
		}
		defer c.Close()
		return struct{}{}, handle(ctx, c)
	})
	return l.Addr().String(), h
}

func TestParity_EchoOverTCP(t *testing.T) {
	prod, simulated := both(t, func(ctx context.Context, on on) (string, error) {
		addr, srv := serve(t, ctx, on, func(ctx context.Context, c net.Conn) error {
			_, err := io.Copy(c, c)
			return err
		})
		c, err := netsim.Dial(on(ctx, "client"), "tcp", addr)
		if err != nil {
			return "", err
		}
		defer c.Close()
		if _, err := c.Write([]byte("hello, weft")); err != nil {
			return "", err
		}
		if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
			return "", err
		}
		got, err := io.ReadAll(c)
		if _, serr := srv.Join(ctx); err == nil {
			err = serr
		}
		return string(got), err
	})
	assert.Equal(t, "hello, weft", prod)
	assert.Equal(t, prod, simulated)
}

func TestParity_HalfClose(t *testing.T) {
	type result struct {
		ServerGot string
		ClientGot string
	}
	prod, simulated := both(t, func(ctx context.Context, on on) (result, error) {
		var r result
		addr, srv := serve(t, ctx, on, func(ctx context.Context, c net.Conn) error {
			got, err := io.ReadAll(c) // until the client's half-close
			if err != nil {
				return err
			}
			r.ServerGot = string(got)
			_, err = c.Write([]byte("bye"))
			return err
		})
		c, err := netsim.Dial(on(ctx, "client"), "tcp", addr)
		if err != nil {
			return r, err
		}
		defer c.Close()
		c.Write([]byte("request"))
		c.(interface{ CloseWrite() error }).CloseWrite()
		got, err := io.ReadAll(c) // the server still writes after our half-close
		r.ClientGot = string(got)
		if _, serr := srv.Join(ctx); err == nil {
			err = serr
		}
		return r, err
	})
	assert.Equal(t, result{"request", "bye"}, prod)
	assert.Equal(t, prod, simulated)
}

func TestParity_RefusedConnection(t *testing.T) {
	prod, simulated := both(t, func(ctx context.Context, on on) (bool, error) {
		l, err := netsim.Listen(on(ctx, "server"), "tcp", "127.0.0.1:0")
		if err != nil {
			return false, err
		}
		addr := l.Addr().String()
		l.Close() // nobody listens there any more
		_, err = netsim.Dial(on(ctx, "client"), "tcp", addr)
		var op *net.OpError
		return errors.Is(err, syscall.ECONNREFUSED) && errors.As(err, &op) && op.Op == "dial", nil
	})
	assert.True(t, prod)
	assert.Equal(t, prod, simulated)
}

type deadlineResult struct{ Timeout, DeadlineExceeded, WaitedLongEnough bool }

func TestParity_ReadDeadline(t *testing.T) {
	type result = deadlineResult
	prod, simulated := both(t, func(ctx context.Context, on on) (result, error) {
		addr, srv := serve(t, ctx, on, func(ctx context.Context, c net.Conn) error {
			_, err := c.Read(make([]byte, 1)) // waits for the client to close
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return err
		})
		cctx := on(ctx, "client")
		c, err := netsim.Dial(cctx, "tcp", addr)
		if err != nil {
			return result{}, err
		}
		start := clock.Now(cctx)
		c.SetReadDeadline(start.Add(50 * time.Millisecond))
		_, err = c.Read(make([]byte, 1))
		var ne net.Error
		r := result{
			Timeout:          errors.As(err, &ne) && ne.Timeout(),
			DeadlineExceeded: errors.Is(err, os.ErrDeadlineExceeded),
			WaitedLongEnough: clock.Since(cctx, start) >= 50*time.Millisecond,
		}
		c.Close()
		_, serr := srv.Join(ctx)
		return r, serr
	})
	assert.Equal(t, deadlineResult{true, true, true}, prod)
	assert.Equal(t, prod, simulated)
}

func TestParity_LargeTransferWithBackpressure(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	want := sha256.Sum256(payload)
	prod, simulated := both(t, func(ctx context.Context, on on) ([32]byte, error) {
		var got [32]byte
		addr, srv := serve(t, ctx, on, func(ctx context.Context, c net.Conn) error {
			h := sha256.New()
			buf := make([]byte, 4096)
			for {
				n, err := c.Read(buf)
				h.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					return err
				}
				if err := clock.Sleep(ctx, time.Microsecond); err != nil { // a slow reader
					return err
				}
			}
			copy(got[:], h.Sum(nil))
			return nil
		})
		c, err := netsim.Dial(on(ctx, "client"), "tcp", addr)
		if err != nil {
			return got, err
		}
		if _, err := c.Write(payload); err != nil {
			return got, err
		}
		c.Close()
		_, err = srv.Join(ctx)
		return got, err
	})
	assert.Equal(t, want, prod)
	assert.Equal(t, prod, simulated)
}

func TestParity_UDPRoundTrip(t *testing.T) {
	prod, simulated := both(t, func(ctx context.Context, on on) (string, error) {
		sctx, cctx := on(ctx, "server"), on(ctx, "client")
		server, err := netsim.ListenPacket(sctx, "udp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		defer server.Close()
		srv := runtime.Spawn(sctx, func(ctx context.Context) (struct{}, error) {
			buf := make([]byte, 64)
			n, from, err := server.ReadFrom(buf)
			if err != nil {
				return struct{}{}, err
			}
			_, err = server.WriteTo(append([]byte("pong to "), buf[:n]...), from)
			return struct{}{}, err
		})
		client, err := netsim.ListenPacket(cctx, "udp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		defer client.Close()
		if _, err := client.WriteTo([]byte("ping"), server.LocalAddr()); err != nil {
			return "", err
		}
		buf := make([]byte, 64)
		client.SetReadDeadline(clock.Now(cctx).Add(5 * time.Second))
		n, _, err := client.ReadFrom(buf)
		if _, serr := srv.Join(ctx); err == nil {
			err = serr
		}
		return string(buf[:n]), err
	})
	assert.Equal(t, "pong to ping", prod)
	assert.Equal(t, prod, simulated)
}
