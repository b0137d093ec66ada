package netsim

import (
	"unsafe"

	"github.com/weftsim/weft/internal/kernel"
)

// The simulated network's state (hosts, sockets, queues in flight) is
// shared by every task that uses the network and by the deliveries between
// steps, with no lock: one of them runs at a time. For the race detector
// (go test -race; S2a) every socket call and every control of the network
// is ordered after the ones before it, as if the network were behind one
// lock taken for each operation and released while it waits: enter and
// leave are that lock's two halves (they cost nothing in a normal build).
// So a message's send comes before its delivery and before the read that
// returns it, and the network's bookkeeping never shows as a race; a race
// between two tasks is missed if both use the network in between.

// enter starts an operation on the network (and returns n, for defer
// n.enter().leave()).
func (n *Network) enter() *Network {
	kernel.RaceAcquire(unsafe.Pointer(n))
	return n
}

// leave ends an operation on the network, or pauses it while it waits. It
// merges (never replaces) what the operations before it released: an
// operation may pause at a scheduling point it does not announce (a Spawn
// or an Abort inside Crash), so the next one's history need not contain
// it.
func (n *Network) leave() {
	kernel.RaceReleaseMerge(unsafe.Pointer(n))
}

// raced returns f, which runs between steps, as an operation on the
// network (a delivery, say).
func (n *Network) raced(f func()) func() {
	if !kernel.RaceEnabled {
		return f
	}
	return func() {
		defer n.enter().leave()
		f()
	}
}
