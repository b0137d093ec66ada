package netsim

import (
	"time"
)

// Latency draws one message's delay. draw returns the simulation's
// decisions (seeded, recorded, shrinkable), never the global source.
type Latency func(draw func() uint64) time.Duration

// Fixed is a constant latency.
func Fixed(d time.Duration) Latency { return func(func() uint64) time.Duration { return d } }

// Uniform draws a latency in [lo, hi].
func Uniform(lo, hi time.Duration) Latency {
	if hi < lo {
		panic("netsim: Uniform with hi < lo")
	}
	return func(draw func() uint64) time.Duration {
		return lo + time.Duration(draw()%uint64(hi-lo+1))
	}
}

// Link describes the path from one host to another.
type Link struct {
	Latency   Latency // nil: the network's WithLatency
	Loss      float64 // share of datagrams lost
	Duplicate float64 // share of datagrams delivered twice
}

// path is the state of the directed path between two hosts.
type path struct {
	from, to    *Host
	link        Link
	custom      bool // SetLink gave link; otherwise the default applies
	partitioned bool
	held        bool
	heldQueue   []func() // deliveries waiting for Release, in order
}

type pathKey struct{ from, to *Host }

func (n *Network) path(from, to *Host) *path {
	k := pathKey{from, to}
	p := n.paths[k]
	if p == nil {
		p = &path{from: from, to: to}
		n.paths[k] = p
		n.pathList = append(n.pathList, p)
	}
	return p
}

// linkOf returns the link in force on p: its own, or the default.
func (n *Network) linkOf(p *path) Link {
	if p.custom {
		return p.link
	}
	return n.defaultLink
}

// SetLink configures both directions between a and b.
func (n *Network) SetLink(a, b *Host, l Link) {
	defer n.enter().leave()
	for _, p := range []*path{n.path(a, b), n.path(b, a)} {
		p.link, p.custom = l, true
	}
}

// SetDefaultLink configures every path that SetLink has not, from now on:
// paths that traffic has already used included.
func (n *Network) SetDefaultLink(l Link) {
	defer n.enter().leave()
	n.defaultLink = l
}

// Partition cuts both directions between a and b: datagrams are lost, and
// stream segments wait (TCP retransmits) until Repair.
func (n *Network) Partition(a, b *Host) {
	defer n.enter().leave()
	n.note("partition %s<->%s", a.name, b.name)
	n.path(a, b).partitioned = true
	n.path(b, a).partitioned = true
}

// PartitionOneWay cuts the direction from a to b only.
func (n *Network) PartitionOneWay(from, to *Host) {
	defer n.enter().leave()
	n.note("partition %s->%s", from.name, to.name)
	n.path(from, to).partitioned = true
}

// Repair ends the partitions between a and b.
func (n *Network) Repair(a, b *Host) {
	defer n.enter().leave()
	n.note("repair %s<->%s", a.name, b.name)
	n.path(a, b).partitioned = false
	n.path(b, a).partitioned = false
}

// Hold stops traffic from a to b without losing it: everything sent
// meanwhile is delivered, in order, after Release.
func (n *Network) Hold(from, to *Host) {
	defer n.enter().leave()
	n.note("hold %s->%s", from.name, to.name)
	n.path(from, to).held = true
}

// Release delivers what Hold kept, in the order it was sent, and lets
// traffic flow again. A held datagram is delivered only if its path is
// open when it arrives: one released into a partition is lost.
func (n *Network) Release(from, to *Host) {
	defer n.enter().leave()
	n.note("release %s->%s", from.name, to.name)
	n.release(n.path(from, to))
}

func (n *Network) release(p *path) {
	p.held = false
	queue := p.heldQueue
	p.heldQueue = nil
	n.deliverInOrder(p, queue, n.ex.Now())
}

// deliverInOrder delivers queue[0] one latency after prev, then the rest
// the same way, each no earlier than the one before: however the latency
// is drawn, and however timers due at one instant are ordered, the queue
// arrives in order.
func (n *Network) deliverInOrder(p *path, queue []func(), prev time.Time) {
	if len(queue) == 0 {
		return
	}
	at := n.ex.Now().Add(n.delay(p))
	if at.Before(prev) {
		at = prev
	}
	n.after(at, func() {
		queue[0]()
		n.deliverInOrder(p, queue[1:], at)
	})
}

// Heal repairs every partition and releases every hold, in the order the
// paths were first used (never map order). Crashed hosts stay down: Restart
// them.
func (n *Network) Heal() {
	defer n.enter().leave()
	n.note("heal")
	for _, p := range n.pathList {
		if p.partitioned {
			n.note("repair %s->%s", p.from.name, p.to.name)
			p.partitioned = false
		}
		if p.held {
			n.note("release %s->%s", p.from.name, p.to.name)
			n.release(p)
		}
	}
}

// draw is a decision of the simulation.
func (n *Network) draw() uint64 { return n.ex.RandUint64() }

// chance reports an event of probability p, as a decision.
func (n *Network) chance(p float64) bool {
	switch {
	case p <= 0:
		return false
	case p >= 1:
		return true
	}
	return float64(n.draw()>>11)/(1<<53) < p
}

// delay draws the latency of one message on p.
func (n *Network) delay(p *path) time.Duration {
	l := n.linkOf(p).Latency
	if l == nil {
		return n.latency
	}
	return l(n.draw)
}

// retransmit is how long a stream segment that met a partition waits
// before it is tried again.
const retransmit = 200 * time.Millisecond

// Message is what a rule sees of a datagram or a stream segment.
type Message struct {
	From, To *Host
	Proto    string // "tcp" or "udp"
	Payload  []byte // do not modify
}

// Action is a rule's verdict on a message.
type Action uint8

const (
	Pass  Action = iota // let it go (the next rule decides)
	Delay               // deliver it Verdict.Delay later than the link would
	Drop                // lose it (a stream segment is retransmitted instead)
)

// Verdict is what a rule decides.
type Verdict struct {
	Action Action
	Delay  time.Duration
}

// Rule inspects a message; the first rule, in the order added, whose
// verdict is not Pass decides.
type Rule func(m Message) Verdict

// AddRule appends a rule.
func (n *Network) AddRule(r Rule) {
	defer n.enter().leave()
	n.rules = append(n.rules, r)
}

// ClearRules removes every rule.
func (n *Network) ClearRules() {
	defer n.enter().leave()
	n.rules = nil
}

// judge applies the rules to a message.
func (n *Network) judge(m Message) Verdict {
	for _, r := range n.rules {
		if v := r(m); v.Action != Pass {
			return v
		}
	}
	return Verdict{}
}
