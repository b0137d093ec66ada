package netsim

import (
	"io"
	"net"
	"time"
)

// pipe is one direction of a stream: bytes in flight (each segment arrives
// one latency after it was written, never before an earlier one), bytes
// arrived and unread, and the end of the stream.
type pipe struct {
	from, to *Host
	writer   *conn // the end that writes into this pipe
	buf      []byte
	inflight int
	queue    []segment // sent, not yet delivered, in order
	last     time.Time // arrival of the latest segment: keeps the order
	fin      bool      // the writer's FIN arrived, after all its data
	reset    bool      // the connection was reset
	data     signal
	space    signal
}

// segment is a piece of a stream on its way.
type segment struct {
	at      time.Time
	deliver func()
	blocked time.Time // when it first met a partition (zero: never)
}

// conn is one end of a simulated TCP connection.
type conn struct {
	n             *Network
	local, remote *net.TCPAddr
	in, out       *pipe
	peer          *conn
	closed        bool
	wclosed       bool
	rdl, wdl      time.Time
}

// send puts a segment on p: it arrives after the path's latency, never
// before an earlier one, and waits out partitions and holds (TCP
// retransmits), so a stream never loses, duplicates or reorders bytes.
func (n *Network) send(p *pipe, payload []byte, deliver func()) {
	if p.from.down { // a crashed host's last words reach nobody
		return
	}
	at := n.ex.Now().Add(n.delay(n.path(p.from, p.to)))
	switch v := n.judge(Message{From: p.from, To: p.to, Proto: "tcp", Payload: payload}); v.Action {
	case Delay:
		at = at.Add(v.Delay)
	case Drop: // TCP retransmits it
		n.note("tcp %s->%s segment dropped by a rule; retransmitted", p.from.name, p.to.name)
		at = at.Add(retransmit)
	}
	if at.Before(p.last) {
		at = p.last
	}
	p.last = at
	p.queue = append(p.queue, segment{at: at, deliver: deliver})
	n.after(at, func() { n.pump(p) })
}

// pump delivers the segments of p that are due, in order.
func (n *Network) pump(p *pipe) {
	path := n.path(p.from, p.to)
	now := n.ex.Now()
	for len(p.queue) > 0 && !p.queue[0].at.After(now) {
		if path.partitioned || path.held || p.to.down {
			head := &p.queue[0]
			if head.blocked.IsZero() {
				head.blocked = now
			}
			if path.partitioned && now.Sub(head.blocked) >= n.cutTimeout {
				n.note("tcp %s->%s reset after a partition of %v", p.from.name, p.to.name, now.Sub(head.blocked))
				p.queue = nil
				p.writer.resetLocal()
				p.writer.peer.resetLocal()
				return
			}
			head.at = now.Add(retransmit)
			n.after(head.at, func() { n.pump(p) })
			return
		}
		seg := p.queue[0]
		p.queue = p.queue[1:]
		seg.deliver()
	}
}

func (c *conn) Read(b []byte) (int, error) {
	c.n.point("conn.Read")
	defer c.n.enter().leave()
	for {
		switch {
		case c.closed:
			return 0, opError("read", "tcp", c.local, c.remote, net.ErrClosed)
		case c.in.reset: // a reset discards what was not read (S61)
			return 0, opError("read", "tcp", c.local, c.remote, errReset)
		case len(c.in.buf) > 0:
			k := copy(b, c.in.buf)
			c.in.buf = c.in.buf[k:]
			c.in.space.NotifyAll()
			return k, nil
		case c.in.fin:
			return 0, io.EOF
		}
		if err := c.n.wait(&c.in.data, c.rdl); err != nil {
			return 0, opError("read", "tcp", c.local, c.remote, err)
		}
	}
}

func (c *conn) Write(b []byte) (int, error) {
	c.n.point("conn.Write")
	defer c.n.enter().leave()
	written := 0
	for written < len(b) {
		switch {
		case c.closed:
			return written, opError("write", "tcp", c.local, c.remote, net.ErrClosed)
		case c.out.reset:
			return written, opError("write", "tcp", c.local, c.remote, errResetWrite)
		case c.wclosed:
			return written, opError("write", "tcp", c.local, c.remote, errPipe)
		}
		space := c.n.window - c.out.inflight - len(c.out.buf)
		if space <= 0 {
			if err := c.n.wait(&c.out.space, c.wdl); err != nil {
				return written, opError("write", "tcp", c.local, c.remote, err)
			}
			continue
		}
		k := min(space, len(b)-written)
		seg := append([]byte(nil), b[written:written+k]...)
		c.out.inflight += k
		out, peer := c.out, c.peer
		id := c.n.newMessage()
		c.n.message(id, false, out.from, "tcp %v->%v send %d bytes", c.local, c.remote, k)
		c.n.send(out, seg, func() {
			out.inflight -= k
			if out.reset { // the connection was reset meanwhile: discarded
				return
			}
			if peer.closed { // nobody will read it: the peer answers with a reset
				c.n.note("tcp %v->%v reset (closed)", c.remote, c.local)
				c.n.after(c.n.ex.Now().Add(c.n.delay(c.n.path(out.to, out.from))), c.resetLocal)
				return
			}
			c.n.message(id, true, out.to, "tcp %v->%v deliver %d bytes", c.local, c.remote, k)
			out.buf = append(out.buf, seg...)
			out.data.NotifyAll()
		})
		written += k
	}
	return written, nil
}

// resetLocal marks both directions of c reset, discards the data unread
// or still on its way (a reset ends the stream: no later read returns
// data), and wakes its waiters.
func (c *conn) resetLocal() {
	for _, p := range []*pipe{c.in, c.out} {
		p.reset = true
		p.buf, p.queue, p.inflight = nil, nil, 0
		p.data.NotifyAll()
		p.space.NotifyAll()
	}
}

// CloseWrite half-closes the connection: the peer reads the data written so
// far, then io.EOF; c can still read.
func (c *conn) CloseWrite() error {
	c.n.vet()
	defer c.n.enter().leave()
	if c.closed {
		return opError("close", "tcp", c.local, c.remote, net.ErrClosed)
	}
	if !c.wclosed {
		c.wclosed = true
		out := c.out
		c.n.note("tcp %v->%v fin", c.local, c.remote)
		c.n.send(out, nil, func() {
			if out.reset {
				return
			}
			out.fin = true
			out.data.NotifyAll()
		})
	}
	return nil
}

func (c *conn) Close() error {
	c.n.vet()
	defer c.n.enter().leave()
	if c.closed {
		return opError("close", "tcp", c.local, c.remote, net.ErrClosed)
	}
	if err := c.CloseWrite(); err != nil {
		return err
	}
	c.closed = true
	if len(c.in.buf) > 0 || c.in.inflight > 0 {
		// Closing with unread data answers with a reset, as TCP does: a
		// peer blocked on a full window learns it at once.
		c.n.note("tcp %v->%v reset (closed with unread data)", c.local, c.remote)
		c.n.after(c.n.ex.Now().Add(c.n.delay(c.n.path(c.in.to, c.in.from))), c.peer.resetLocal)
	}
	for _, p := range []*pipe{c.in, c.out} { // blocked calls return ErrClosed
		p.data.NotifyAll()
		p.space.NotifyAll()
	}
	return nil
}

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }

func (c *conn) SetDeadline(t time.Time) error {
	c.n.vet()
	defer c.n.enter().leave()
	c.rdl, c.wdl = t, t
	c.wakeAll()
	return nil
}

func (c *conn) SetReadDeadline(t time.Time) error {
	c.n.vet()
	defer c.n.enter().leave()
	c.rdl = t
	c.wakeAll()
	return nil
}

func (c *conn) SetWriteDeadline(t time.Time) error {
	c.n.vet()
	defer c.n.enter().leave()
	c.wdl = t
	c.wakeAll()
	return nil
}

// wakeAll lets blocked calls look at a changed deadline.
func (c *conn) wakeAll() {
	c.in.data.NotifyAll()
	c.out.space.NotifyAll()
}

// listener accepts simulated connections on a host's port.
type listener struct {
	h       *Host
	addr    *net.TCPAddr
	backlog []*conn
	accept  signal
	closed  bool
}

func (l *listener) Accept() (net.Conn, error) {
	l.h.net.point("listener.Accept")
	defer l.h.net.enter().leave()
	for {
		if l.closed {
			return nil, opError("accept", "tcp", nil, l.addr, net.ErrClosed)
		}
		if len(l.backlog) > 0 {
			c := l.backlog[0]
			l.backlog = l.backlog[1:]
			return c, nil
		}
		if err := l.h.net.wait(&l.accept, time.Time{}); err != nil {
			return nil, opError("accept", "tcp", nil, l.addr, err)
		}
	}
}

func (l *listener) Close() error {
	l.h.net.vet()
	defer l.h.net.enter().leave()
	if l.closed {
		return opError("close", "tcp", nil, l.addr, net.ErrClosed)
	}
	l.closed = true
	delete(l.h.listeners, l.addr.Port)
	for _, c := range l.backlog { // never accepted: their dialers see a reset
		c.peer.resetLocal()
	}
	l.backlog = nil
	l.accept.NotifyAll()
	return nil
}

func (l *listener) Addr() net.Addr { return l.addr }
