package netsim

import (
	"context"
	"fmt"
	"maps"
	"net"
	"slices"
	"time"

	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/runtime"
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
	pathList    []*path           // every path, in the order first used
	defaultLink Link
	rules       []Rule
	cutTimeout  time.Duration
	messages    uint64 // ids given to messages (traces pair sends and deliveries)
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

// WithPartitionTimeout sets how long a stream keeps retransmitting across
// a partition before both ends see a reset (default
// DefaultPartitionTimeout).
func WithPartitionTimeout(d time.Duration) Option { return func(n *Network) { n.cutTimeout = d } }

// DefaultPartitionTimeout is how long a stream survives a partition.
const DefaultPartitionTimeout = 30 * time.Second

// WithWindow sets how many bytes a stream may have sent and not yet read by
// its peer; a writer past it waits (backpressure; default DefaultWindow).
func WithWindow(bytes int) Option { return func(n *Network) { n.window = max(bytes, 1) } }

// networkKey is the key of a simulation's network (Executor.Attach).
type networkKey struct{}

// New attaches a simulated network to the simulation that ctx belongs to
// (a ctx from a simulated runtime's Enter, or a task's). It panics if ctx
// does not belong to a simulation or if it already has a network.
func New(ctx context.Context, opts ...Option) *Network {
	cur := kernel.FromContext(ctx)
	if cur == nil || !cur.Executor().Virtual() {
		panic("netsim: New needs the ctx of a simulation (sim.New(...).Enter(ctx), or a task's ctx)")
	}
	n := &Network{ex: cur.Executor(), latency: DefaultLatency, window: DefaultWindow, cutTimeout: DefaultPartitionTimeout,
		byName: map[string]*Host{}, byIP: map[string]*Host{}, paths: map[pathKey]*path{}}
	for _, o := range opts {
		o(n)
	}
	if n.ex.Attach(networkKey{}, n) != nil {
		panic("netsim: the simulation already has a network")
	}
	return n
}

// Close detaches the network from its simulation (which a simulation's end
// does anyway): sockets calls there panic afterwards.
func (n *Network) Close() {
	defer n.enter().leave()
	n.ex.Attach(networkKey{}, nil)
}

// Host is a simulated machine: a name, an IP address, and the sockets of
// the tasks that run on it.
type Host struct {
	net       *Network
	name      string
	ip        net.IP
	listeners map[int]*listener
	packets   map[int]*packetConn
	conns     []*conn // streams with an end on this host, in creation order
	nextPort  int

	group    kernel.Group // the tasks running on the host
	down     bool
	start    func(ctx context.Context) error
	startCtx context.Context
}

// AddHost adds a host; its address is 10.0.0.N for the N-th host.
func (n *Network) AddHost(name string) *Host {
	defer n.enter().leave()
	if _, dup := n.byName[name]; dup {
		panic("netsim: host " + name + " exists; give each host its own name")
	}
	i := len(n.hosts) + 1
	h := &Host{net: n, name: name, ip: net.IPv4(10, byte(i>>16), byte(i>>8), byte(i)).To4(),
		listeners: map[int]*listener{}, packets: map[int]*packetConn{}, nextPort: 49152}
	h.group.Name = name
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
// and sockets, and tasks spawned from it run on h (a crash drops them).
func (h *Host) Context(ctx context.Context) context.Context {
	return kernel.WithGroup(context.WithValue(ctx, hostKey{}, h), &h.group)
}

// Start runs f as the host's start function: now, as a task on the host,
// and again at every Restart. ctx is the context it starts from (a task's,
// or a simulated runtime's Enter): its values and cancellation are the
// start function's, whichever task (or the harness) later restarts the
// host.
func (h *Host) Start(ctx context.Context, f func(ctx context.Context) error) {
	defer h.net.enter().leave()
	h.start, h.startCtx = f, ctx
	h.boot()
}

// boot spawns the start function on behalf of the caller: the running task,
// or the harness between runs (S62), so that any task may restart a host.
func (h *Host) boot() {
	f := h.start
	by := h.net.ex.Current()
	if by == nil {
		by = h.net.ex.Outside()
	}
	ctx := h.Context(kernel.WithBinding(h.startCtx, by))
	runtime.SpawnNamed(ctx, "start", func(ctx context.Context) (struct{}, error) {
		return struct{}{}, f(ctx)
	})
}

// Crash stops the host at once: every task running on it is dropped at its
// next yield point (its deferred functions run, but nothing it sends reaches
// the network), its listeners and sockets close, and the peers of its
// connections see a reset. Until Restart, the host does not answer: a dial
// to it waits (as for a silent machine) until its context ends. Crash may be
// called from the harness or from a task.
func (h *Host) Crash() {
	defer h.net.enter().leave()
	if h.down {
		return
	}
	h.down = true
	h.net.note("crash %s", h.name)
	h.group.AbortAll()
	h.runCrashHooks()
	for _, port := range slices.Sorted(maps.Keys(h.listeners)) { // never map order (S5)
		h.listeners[port].Close()
	}
	for _, port := range slices.Sorted(maps.Keys(h.packets)) {
		h.packets[port].Close()
	}
	for _, c := range h.conns {
		c.resetLocal()
		c.peer.resetLocal()
	}
	h.conns = nil
}

// Restart brings a crashed host back with fresh sockets and runs its start
// function again (if Start gave one). Like Crash, it may be called from the
// harness or from any task of the simulation.
func (h *Host) Restart() {
	defer h.net.enter().leave()
	if !h.down {
		return
	}
	h.down = false
	h.net.note("restart %s", h.name)
	if h.start != nil {
		h.boot()
	}
}

// Down reports whether the host is crashed.
func (h *Host) Down() bool {
	defer h.net.enter().leave()
	return h.down
}

// Tasks returns how many tasks run on the host.
func (h *Host) Tasks() int {
	defer h.net.enter().leave()
	return h.group.Len()
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
	v, _ := cur.Executor().Attached(networkKey{}).(*Network)
	if v == nil {
		panic(fmt.Sprintf("netsim: %s in a simulation without a network; attach one with netsim.New", op))
	}
	v.vet()
	h, _ := ctx.Value(hostKey{}).(*Host)
	if h == nil {
		panic(fmt.Sprintf("netsim: %s from a task on no host; run it on one (Host.Context)", op))
	}
	return v, h
}
