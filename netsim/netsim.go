package netsim

import (
	"context"

	"fmt"
	"github.com/weftsim/weft/clock"
	"net"
	"strconv"
)

// Dial connects to address on the named network ("tcp", "tcp4"). In a
// simulation the connection costs one round trip of link latency and fails
// with ECONNREFUSED if nobody listens; otherwise it is net.Dialer's
// DialContext.
func Dial(ctx context.Context, network, address string) (net.Conn, error) {
	n, h := simulated(ctx, "Dial")
	if n == nil {
		return dialTied(ctx, network, address)
	}
	n.point("netsim.Dial")
	defer n.enter().leave()
	if err := checkNetwork(network, "tcp", "tcp4"); err != nil {
		return nil, opError("dial", network, nil, nil, err)
	}
	host, port, err := splitHostPort(address)
	if err != nil {
		return nil, opError("dial", network, nil, nil, err)
	}
	dst, err := n.lookup(h, host)
	if err != nil {
		return nil, opError("dial", network, nil, nil, err)
	}
	local := &net.TCPAddr{IP: h.ip, Port: h.ephemeral()}
	remote := &net.TCPAddr{IP: dst.ip, Port: port}
	for { // the SYN travels, retried while the path is cut
		if err := n.travel(ctx, h, dst); err != nil {
			return nil, opError("dial", network, local, remote, err)
		}
		if p := n.path(h, dst); !p.partitioned && !p.held && !dst.down {
			break
		}
		n.leave()
		err := clock.Sleep(ctx, retransmit)
		n.enter()
		if err != nil {
			return nil, opError("dial", network, local, remote, err)
		}
	}
	l := dst.listeners[port]
	if l == nil || l.closed {
		n.note("tcp %v->%v refused", local, remote)
		if err := n.travel(ctx, dst, h); err != nil { // the refusal travels back
			return nil, opError("dial", network, local, remote, err)
		}
		return nil, opError("dial", network, local, remote, errRefused)
	}
	up, down := &pipe{from: h, to: dst}, &pipe{from: dst, to: h}
	c := &conn{n: n, local: local, remote: remote, in: down, out: up}
	s := &conn{n: n, local: remote, remote: local, in: up, out: down}
	c.peer, s.peer = s, c
	up.writer, down.writer = c, s
	n.note("tcp %v->%v connect", local, remote)
	h.conns = append(h.conns, c)
	dst.conns = append(dst.conns, s)
	l.backlog = append(l.backlog, s)
	l.accept.NotifyAll()
	if err := n.travel(ctx, dst, h); err != nil { // the SYN-ACK travels back
		c.Close()
		return nil, opError("dial", network, local, remote, err)
	}
	return c, nil
}

// Listen announces on a local address ("tcp", "tcp4"; "host:port", port 0
// for an ephemeral one). In a simulation it listens on the calling task's
// host; otherwise it is net.ListenConfig's Listen.
func Listen(ctx context.Context, network, address string) (net.Listener, error) {
	n, h := simulated(ctx, "Listen")
	if n == nil {
		var lc net.ListenConfig
		l, err := lc.Listen(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return tieListener(blocker(ctx), l), nil
	}
	defer n.enter().leave()
	if err := checkNetwork(network, "tcp", "tcp4"); err != nil {
		return nil, opError("listen", network, nil, nil, err)
	}
	port, err := n.bindPort(h, address, func(p int) bool { return h.listeners[p] != nil })
	if err != nil {
		return nil, opError("listen", network, nil, nil, err)
	}
	l := &listener{h: h, addr: &net.TCPAddr{IP: h.ip, Port: port}}
	h.listeners[port] = l
	return l, nil
}

// ListenPacket opens a datagram socket ("udp", "udp4"). In a simulation it
// is on the calling task's host; otherwise it is net.ListenConfig's
// ListenPacket.
func ListenPacket(ctx context.Context, network, address string) (net.PacketConn, error) {
	n, h := simulated(ctx, "ListenPacket")
	if n == nil {
		var lc net.ListenConfig
		pc, err := lc.ListenPacket(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return tiePacketConn(blocker(ctx), pc), nil
	}
	defer n.enter().leave()
	if err := checkNetwork(network, "udp", "udp4"); err != nil {
		return nil, opError("listen", network, nil, nil, err)
	}
	port, err := n.bindPort(h, address, func(p int) bool { return h.packets[p] != nil })
	if err != nil {
		return nil, opError("listen", network, nil, nil, err)
	}
	pc := &packetConn{h: h, addr: &net.UDPAddr{IP: h.ip, Port: port}}
	h.packets[port] = pc
	return pc, nil
}

// LookupHost returns the addresses of a host name: in a simulation, the
// address of the simulated host of that name; otherwise net's resolver.
func LookupHost(ctx context.Context, name string) ([]string, error) {
	n, h := simulated(ctx, "LookupHost")
	if n == nil {
		return net.DefaultResolver.LookupHost(ctx, name)
	}
	defer n.enter().leave()
	dst, err := n.lookup(h, name)
	if err != nil {
		return nil, err
	}
	return []string{dst.ip.String()}, nil
}

// lookup resolves a host part as seen from host from: loopback names are
// from itself.
func (n *Network) lookup(from *Host, host string) (*Host, error) {
	switch host {
	case "", "localhost", "127.0.0.1", "0.0.0.0", "::", "::1":
		return from, nil
	}
	return n.resolve(host)
}

// bindPort reads the port of a local address of h, picking an ephemeral
// one for 0, and refuses one in use.
func (n *Network) bindPort(h *Host, address string, inUse func(int) bool) (int, error) {
	host, port, err := splitHostPort(address)
	if err != nil {
		return 0, err
	}
	if on, err := n.lookup(h, host); err != nil || on != h {
		return 0, fmt.Errorf("netsim: %q is not an address of host %s", address, h.name)
	}
	if port == 0 {
		return h.ephemeral(), nil
	}
	if inUse(port) {
		return 0, errInUse
	}
	return port, nil
}

func splitHostPort(address string) (string, int, error) {
	host, ps, err := net.SplitHostPort(address)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("netsim: bad port in %q", address)
	}
	return host, port, nil
}

func checkNetwork(network string, ok ...string) error {
	for _, o := range ok {
		if network == o {
			return nil
		}
	}
	return net.UnknownNetworkError(network)
}
