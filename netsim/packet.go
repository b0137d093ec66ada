package netsim

import (
	"net"
	"time"
)

// MaxDatagram is the largest datagram payload (as over IPv4).
const MaxDatagram = 65507

type datagram struct {
	data []byte
	from *net.UDPAddr
}

// packetConn is a simulated UDP socket.
type packetConn struct {
	h        *Host
	addr     *net.UDPAddr
	queue    []datagram
	data     signal
	closed   bool
	rdl, wdl time.Time
}

func (pc *packetConn) ReadFrom(b []byte) (int, net.Addr, error) {
	pc.h.net.point("packetConn.ReadFrom")
	defer pc.h.net.enter().leave()
	for {
		if pc.closed {
			return 0, nil, opError("read", "udp", pc.addr, nil, net.ErrClosed)
		}
		if len(pc.queue) > 0 {
			d := pc.queue[0]
			pc.queue = pc.queue[1:]
			return copy(b, d.data), d.from, nil
		}
		if err := pc.h.net.wait(&pc.data, pc.rdl); err != nil {
			return 0, nil, opError("read", "udp", pc.addr, nil, err)
		}
	}
}

// WriteTo sends one datagram. It never waits: a datagram to a port where
// nobody listens is lost, as on a real network.
func (pc *packetConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	pc.h.net.point("packetConn.WriteTo")
	defer pc.h.net.enter().leave()
	if pc.closed {
		return 0, opError("write", "udp", pc.addr, addr, net.ErrClosed)
	}
	if len(b) > MaxDatagram {
		return 0, opError("write", "udp", pc.addr, addr, errTooBig)
	}
	n := pc.h.net
	dst, err := n.udpAddr(pc.h, addr)
	if err != nil {
		return 0, opError("write", "udp", pc.addr, addr, err)
	}
	to, err := n.resolve(dst.IP.String())
	if err != nil {
		return 0, opError("write", "udp", pc.addr, addr, err)
	}
	d := datagram{data: append([]byte(nil), b...), from: pc.addr}
	id := n.newMessage()
	path := n.path(pc.h, to)
	deliver := func() {
		// The path is judged when the datagram arrives: one in flight
		// when a partition starts, or released into one, is lost.
		switch sock := to.packets[dst.Port]; {
		case path.partitioned:
			n.note("udp %v->%v drop (partition)", pc.addr, dst)
		case to.down:
			n.note("udp %v->%v drop (host down)", pc.addr, dst)
		case sock == nil || sock.closed:
			n.note("udp %v->%v drop (no socket)", pc.addr, dst)
		default:
			n.message(id, true, to, "udp %v->%v deliver %d bytes", pc.addr, dst, len(d.data))
			sock.queue = append(sock.queue, d)
			sock.data.NotifyAll()
		}
	}
	link := n.linkOf(path)
	copies := 1
	switch {
	case pc.h.down, to.down:
		n.note("udp %v->%v drop (host down)", pc.addr, dst)
		return len(b), nil
	case path.partitioned:
		n.note("udp %v->%v drop (partition)", pc.addr, dst)
		return len(b), nil
	case n.chance(link.Loss):
		n.note("udp %v->%v drop (loss)", pc.addr, dst)
		return len(b), nil // lost, as the sender never learns
	case n.chance(link.Duplicate):
		copies = 2
	}
	extra := time.Duration(0)
	switch v := n.judge(Message{From: pc.h, To: to, Proto: "udp", Payload: d.data}); v.Action {
	case Drop:
		n.note("udp %v->%v drop (rule)", pc.addr, dst)
		return len(b), nil
	case Delay:
		extra = v.Delay
	}
	n.message(id, false, pc.h, "udp %v->%v send %d bytes (x%d)", pc.addr, dst, len(b), copies)
	for range copies {
		if path.held {
			path.heldQueue = append(path.heldQueue, deliver)
			continue
		}
		n.after(n.ex.Now().Add(n.delay(path)+extra), deliver)
	}
	return len(b), nil
}

func (pc *packetConn) Close() error {
	pc.h.net.vet()
	defer pc.h.net.enter().leave()
	if pc.closed {
		return opError("close", "udp", pc.addr, nil, net.ErrClosed)
	}
	pc.closed = true
	delete(pc.h.packets, pc.addr.Port)
	pc.data.NotifyAll()
	return nil
}

func (pc *packetConn) LocalAddr() net.Addr { return pc.addr }

func (pc *packetConn) SetDeadline(t time.Time) error {
	pc.h.net.vet()
	defer pc.h.net.enter().leave()
	pc.rdl, pc.wdl = t, t
	pc.data.NotifyAll()
	return nil
}

func (pc *packetConn) SetReadDeadline(t time.Time) error {
	pc.h.net.vet()
	defer pc.h.net.enter().leave()
	pc.rdl = t
	pc.data.NotifyAll()
	return nil
}

func (pc *packetConn) SetWriteDeadline(t time.Time) error {
	pc.h.net.vet()
	defer pc.h.net.enter().leave()
	pc.wdl = t
	return nil
}

// udpAddr turns a destination into a UDP address of the network.
func (n *Network) udpAddr(from *Host, addr net.Addr) (*net.UDPAddr, error) {
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		host, port, err := splitHostPort(addr.String())
		if err != nil {
			return nil, err
		}
		ua = &net.UDPAddr{Port: port, IP: net.ParseIP(host)}
		if ua.IP == nil {
			h, err := n.lookup(from, host)
			if err != nil {
				return nil, err
			}
			ua.IP = h.ip
		}
	}
	h, err := n.lookup(from, ua.IP.String())
	if err != nil {
		return nil, err
	}
	return &net.UDPAddr{IP: h.ip, Port: ua.Port}, nil
}
