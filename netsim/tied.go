package netsim

import (
	"context"
	"net"

	"github.com/weftsim/weft/internal/kernel"
)

// In production a socket call blocks its goroutine in the operating
// system, where no Abort can reach it. So a socket made with a runtime's
// ctx (a task's, or Enter's) tells the runtime, around each call that may
// block, which socket its goroutine is blocked on: an Abort of the task (a
// shutdown aborts every task) closes that socket, the call returns, and the
// task is dropped right there, as in a simulation (S63). Calls of
// goroutines that are no task are left alone.

// blocker returns the runtime's IOBlocker for sockets made with ctx, or
// nil when ctx belongs to no runtime (package net's sockets are returned
// as they are).
func blocker(ctx context.Context) kernel.IOBlocker {
	if cur := kernel.FromContext(ctx); cur != nil {
		b, _ := cur.Executor().(kernel.IOBlocker)
		return b
	}
	return nil
}

type closer interface{ Close() error }

// blockIO runs io, which c's Close ends, as the calling goroutine's
// blocking I/O; a task aborted before or during it is dropped here.
func blockIO[T any](b kernel.IOBlocker, c closer, io func() (T, error)) (T, error) {
	dropped, done := b.BlockIO(c)
	if dropped != nil {
		kernel.Resume(dropped, kernel.ErrDropped) // does not return
	}
	v, err := io()
	if t := done(); t != nil {
		kernel.Resume(t, kernel.ErrDropped)
	}
	return v, err
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// dialTied is a production Dial whose dial is abortable too (an Abort
// cancels it) and whose connection is abortable.
func dialTied(ctx context.Context, network, address string) (net.Conn, error) {
	var d net.Dialer
	b := blocker(ctx)
	if b == nil {
		return d.DialContext(ctx, network, address)
	}
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c, err := blockIO(b, closerFunc(func() error { cancel(); return nil }), func() (net.Conn, error) {
		return d.DialContext(dctx, network, address)
	})
	if err != nil {
		return nil, err
	}
	return &tiedConn{TCPConn: c.(*net.TCPConn), b: b}, nil
}

// tiedConn is a production TCP connection whose blocking calls an Abort
// ends. It embeds the *net.TCPConn, whose other methods it keeps.
type tiedConn struct {
	*net.TCPConn
	b kernel.IOBlocker
}

func (c *tiedConn) Read(p []byte) (int, error) {
	return blockIO(c.b, c.TCPConn, func() (int, error) { return c.TCPConn.Read(p) })
}

func (c *tiedConn) Write(p []byte) (int, error) {
	return blockIO(c.b, c.TCPConn, func() (int, error) { return c.TCPConn.Write(p) })
}

// NetConn returns the connection of package net underneath, as
// crypto/tls's Conn does.
func (c *tiedConn) NetConn() net.Conn { return c.TCPConn }

// tiedListener is a production listener whose Accept an Abort ends; the
// connections it accepts are abortable too.
type tiedListener struct {
	net.Listener
	b kernel.IOBlocker
}

func tieListener(b kernel.IOBlocker, l net.Listener) net.Listener {
	if b == nil {
		return l
	}
	return &tiedListener{Listener: l, b: b}
}

func (l *tiedListener) Accept() (net.Conn, error) {
	c, err := blockIO(l.b, l.Listener, l.Listener.Accept)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		return &tiedConn{TCPConn: tc, b: l.b}, nil
	}
	return c, nil
}

// tiedPacketConn is a production datagram socket whose calls an Abort
// ends.
type tiedPacketConn struct {
	net.PacketConn
	b kernel.IOBlocker
}

func tiePacketConn(b kernel.IOBlocker, pc net.PacketConn) net.PacketConn {
	if b == nil {
		return pc
	}
	return &tiedPacketConn{PacketConn: pc, b: b}
}

type readFrom struct {
	n    int
	addr net.Addr
}

func (pc *tiedPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	r, err := blockIO(pc.b, pc.PacketConn, func() (readFrom, error) {
		n, addr, err := pc.PacketConn.ReadFrom(p)
		return readFrom{n, addr}, err
	})
	return r.n, r.addr, err
}

func (pc *tiedPacketConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	return blockIO(pc.b, pc.PacketConn, func() (int, error) { return pc.PacketConn.WriteTo(p, addr) })
}
