package netsim

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// Network is a simulated network attached to one simulation. Application
// code never sees it: it calls Dial, Listen and ListenPacket with a context,
// and the context of a task running on a Host routes those calls here.
type Network struct {
	ex      kernel.Executor
	latency time.Duration
	window  int

	hosts       []*Host
	byName      map[string]*Host // look-ups only: never iterated
	byIP        map[string]*Host
	paths       map[pathKey]*path // look-ups only
	defaultLink Link
}

// Option configures a Network.
type Option func(*Network)

// Defaults of the options below.
const (
	DefaultLatency = time.Millisecond
	DefaultWindow  = 64 << 10
)

// WithLatency sets the one-way latency of every link (default
// DefaultLatency).
func WithLatency(d time.Duration) Option { return func(n *Network) { n.latency = d } }

// WithWindow sets how many bytes a stream may have sent and not yet read by
// its peer; a writer past it waits (backpressure; default DefaultWindow).
func WithWindow(bytes int) Option { return func(n *Network) { n.window = max(bytes, 1) } }

// networks maps a simulation's executor to its network.
var networks sync.Map

// New attaches a simulated network to the simulation that ctx belongs to
// (a ctx from a simulated runtime's Enter, or a task's). It panics if ctx
// does not belong to a simulation or if it already has a network.
func New(ctx context.Context, opts ...Option) *Network {
	cur := kernel.FromContext(ctx)
	if cur == nil || !cur.Executor().Virtual() {
		panic("netsim: New needs the ctx of a simulation (sim.New(...).Enter(ctx), or a task's ctx)")
	}
	n := &Network{ex: cur.Executor(), latency: DefaultLatency, window: DefaultWindow,
		byName: map[string]*Host{}, byIP: map[string]*Host{}, paths: map[pathKey]*path{}}
	for _, o := range opts {
		o(n)
	}
	if _, loaded := networks.LoadOrStore(n.ex, n); loaded {
		panic("netsim: the simulation already has a network")
	}
	return n
}

// Close detaches the network from its simulation.
func (n *Network) Close() { networks.Delete(n.ex) }

// Host is a simulated machine: a name, an IP address, and the sockets of
// the tasks that run on it.
type Host struct {
	net       *Network
	name      string
	ip        net.IP
	listeners map[int]*listener
	packets   map[int]*packetConn
	nextPort  int
}

// AddHost adds a host; its address is 10.0.0.N for the N-th host.
func (n *Network) AddHost(name string) *Host {
	if _, dup := n.byName[name]; dup {
		panic("netsim: host " + name + " exists; give each host its own name")
	}
	i := len(n.hosts) + 1
	h := &Host{net: n, name: name, ip: net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)).To4(),
		listeners: map[int]*listener{}, packets: map[int]*packetConn{}, nextPort: 49152}
	n.hosts = append(n.hosts, h)
	n.byName[name] = h
	n.byIP[h.ip.String()] = h
	return h
}

// Name returns the host's name.
func (h *Host) Name() string { return h.name }

// IP returns the host's address.
func (h *Host) IP() net.IP { return h.ip }

type hostKey struct{}

// Context returns ctx for code running on h: Dial, Listen and ListenPacket
// with it (or with the context of a task spawned from it) use h's address
// and sockets.
func (h *Host) Context(ctx context.Context) context.Context {
	return context.WithValue(ctx, hostKey{}, h)
}

// ephemeral returns a free port of h.
func (h *Host) ephemeral() int {
	for {
		p := h.nextPort
		h.nextPort++
		if h.nextPort > 65535 {
			h.nextPort = 49152
		}
		if h.listeners[p] == nil && h.packets[p] == nil {
			return p
		}
	}
}

// resolve finds the host of a name or address.
func (n *Network) resolve(host string) (*Host, error) {
	if h, ok := n.byName[host]; ok {
		return h, nil
	}
	if h, ok := n.byIP[host]; ok {
		return h, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// simulated returns the network and host that serve ctx, or nil when ctx
// is not a simulation's (production: package net serves it).
func simulated(ctx context.Context, op string) (*Network, *Host) {
	cur := kernel.FromContext(ctx)
	if cur == nil || !cur.Executor().Virtual() {
		return nil, nil
	}
	v, ok := networks.Load(cur.Executor())
	if !ok {
		panic(fmt.Sprintf("netsim: %s in a simulation without a network; attach one with netsim.New", op))
	}
	h, _ := ctx.Value(hostKey{}).(*Host)
	if h == nil {
		panic(fmt.Sprintf("netsim: %s from a task on no host; run it on one (Host.Context)", op))
	}
	return v.(*Network), h
}
