package bench_test

import (
	"context"
	"io"
	"net"
	"testing"

	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
)

// echo serves one connection, echoing until EOF.
func echo(c net.Conn) { defer c.Close(); io.Copy(c, c) }

// roundTrips writes one byte and reads it back b.N times.
func roundTrips(b *testing.B, c net.Conn) {
	buf := []byte{1}
	for range b.N {
		if _, err := c.Write(buf); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNetRoundTrip: one-byte request and reply over a simulated TCP
// connection, net.Pipe and loopback TCP.
func BenchmarkNetRoundTrip(b *testing.B) {
	b.Run("netsim", func(b *testing.B) {
		b.ReportAllocs()
		inSim(b, func(ctx context.Context) error {
			n := netsim.New(ctx)
			defer n.Close()
			srv, cli := n.AddHost("server"), n.AddHost("client")
			l, err := netsim.Listen(srv.Context(ctx), "tcp", ":7")
			if err != nil {
				return err
			}
			defer l.Close()
			runtime.Spawn(srv.Context(ctx), func(ctx context.Context) (int, error) {
				c, err := l.Accept()
				if err == nil {
					echo(c)
				}
				return 0, err
			})
			c, err := netsim.Dial(cli.Context(ctx), "tcp", "server:7")
			if err != nil {
				return err
			}
			defer c.Close()
			b.ResetTimer()
			roundTrips(b, c)
			return nil
		})
	})
	b.Run("pipe", func(b *testing.B) {
		b.ReportAllocs()
		a, z := net.Pipe()
		go echo(z)
		defer a.Close()
		roundTrips(b, a)
	})
	b.Run("loopback", func(b *testing.B) {
		b.ReportAllocs()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		go func() {
			if c, err := l.Accept(); err == nil {
				echo(c)
			}
		}()
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		roundTrips(b, c)
	})
}

// BenchmarkNetBulk: throughput of one simulated stream, 64 KiB writes.
func BenchmarkNetBulk(b *testing.B) {
	chunk := make([]byte, 64<<10)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	inSim(b, func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		srv, cli := n.AddHost("server"), n.AddHost("client")
		l, err := netsim.Listen(srv.Context(ctx), "tcp", ":9")
		if err != nil {
			return err
		}
		defer l.Close()
		sink := runtime.Spawn(srv.Context(ctx), func(ctx context.Context) (int64, error) {
			c, err := l.Accept()
			if err != nil {
				return 0, err
			}
			defer c.Close()
			return io.Copy(io.Discard, c)
		})
		c, err := netsim.Dial(cli.Context(ctx), "tcp", "server:9")
		if err != nil {
			return err
		}
		b.ResetTimer()
		for range b.N {
			if _, err := c.Write(chunk); err != nil {
				return err
			}
		}
		c.Close()
		_, err = sink.Join(ctx)
		return err
	})
}
