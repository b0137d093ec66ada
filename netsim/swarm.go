package netsim

import (
	"context"
	"fmt"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
)

// Swarm draws a fault mix from the simulation's decisions — link latency
// range, datagram loss and duplication, how often a pair of hosts is
// partitioned and how often a host crashes — applies it as the default
// link, and runs a chaos task that partitions and repairs, crashes and
// restarts the given hosts accordingly. Exploring seeds then explores fault
// mixes too ("swarm testing"). It returns a description of the mix.
//
// The faults last while ctx does. When ctx ends, the swarm heals what it
// did before virtual time next advances: the partition it made is
// repaired, the host it crashed is restarted, and the default link it set
// is replaced by the one in force before. It heals the same way if its
// task is dropped (a shutdown). Its repairs are Repair calls, so a
// partition of the same pair cut by others meanwhile is repaired too; it
// restarts no host it did not crash. Heal repairs every partition and
// releases every hold.
func (n *Network) Swarm(ctx context.Context, hosts ...*Host) string {
	pick := func(options ...time.Duration) time.Duration { return options[n.ex.RandN(len(options))] }
	lo := pick(0, time.Millisecond, 5*time.Millisecond)
	hi := lo + pick(0, 2*time.Millisecond, 20*time.Millisecond)
	shares := []float64{0, 0.01, 0.1, 0.3}
	loss, dup := shares[n.ex.RandN(len(shares))], shares[n.ex.RandN(len(shares)-1)]
	partitionEvery := pick(0, 200*time.Millisecond, time.Second) // 0: never
	crashEvery := pick(0, 500*time.Millisecond, 3*time.Second)
	before := n.defaultLink
	n.SetDefaultLink(Link{Latency: Uniform(lo, hi), Loss: loss, Duplicate: dup})
	desc := fmt.Sprintf("latency %v-%v, loss %v, duplication %v, partition every %v, crash every %v",
		lo, hi, loss, dup, partitionEvery, crashEvery)
	n.note("swarm: %s", desc)
	s := &swarm{n: n, hosts: hosts, partitionEvery: partitionEvery, crashEvery: crashEvery, link: before}
	runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
		defer s.heal()
		if len(hosts) == 0 || (partitionEvery == 0 && crashEvery == 0) {
			waitEnd(ctx)
			return struct{}{}, nil
		}
		return struct{}{}, s.chaos(ctx)
	})
	return desc
}

// swarm is a chaos task's state: the fault it has in place, to undo.
type swarm struct {
	n                          *Network
	hosts                      []*Host
	partitionEvery, crashEvery time.Duration
	link                       Link // the default link before the swarm

	cut     [2]*Host // the partition in place, if cut[0] != nil
	crashed *Host    // the host it crashed and has not restarted
}

// waitEnd parks the task until ctx ends (or the task is dropped).
func waitEnd(ctx context.Context) {
	var never runtime.Notify
	never.Wait(ctx) // nobody notifies it
}

// chaos partitions and crashes hosts at random times, undoing each fault
// after a random while, until ctx ends or the task is dropped.
func (s *swarm) chaos(ctx context.Context) error {
	n := s.n
	span := func(mean time.Duration) time.Duration {
		return time.Duration(n.ex.RandUint64() % uint64(2*mean+1))
	}
	for {
		var kinds []int
		if s.partitionEvery > 0 && len(s.hosts) > 1 {
			kinds = append(kinds, 0)
		}
		if s.crashEvery > 0 {
			kinds = append(kinds, 1)
		}
		if len(kinds) == 0 { // one host, partitions only: nothing to do
			waitEnd(ctx)
			return nil
		}
		kind := kinds[n.ex.RandN(len(kinds))]
		mean := s.partitionEvery
		if kind == 1 {
			mean = s.crashEvery
		}
		if err := clock.Sleep(ctx, span(mean)); err != nil {
			return nil // the swarm's ctx ended: heal (deferred)
		}
		switch kind {
		case 0:
			a := s.hosts[n.ex.RandN(len(s.hosts))]
			b := s.hosts[n.ex.RandN(len(s.hosts))]
			if a == b {
				continue
			}
			n.Partition(a, b)
			s.cut = [2]*Host{a, b}
			if err := clock.Sleep(ctx, span(mean/2)); err != nil {
				return nil
			}
			s.repair()
		case 1:
			h := s.hosts[n.ex.RandN(len(s.hosts))]
			if h.Down() {
				continue // somebody else crashed it: theirs to restart
			}
			h.Crash()
			s.crashed = h
			if err := clock.Sleep(ctx, span(mean/2)); err != nil {
				return nil
			}
			s.restart()
		}
	}
}

func (s *swarm) repair() {
	if a, b := s.cut[0], s.cut[1]; a != nil {
		s.n.Repair(a, b)
		s.cut = [2]*Host{}
	}
}

func (s *swarm) restart() {
	if h := s.crashed; h != nil {
		h.Restart()
		s.crashed = nil
	}
}

// heal undoes the swarm's faults: its ctx ended or its task is dropped.
func (s *swarm) heal() {
	s.n.note("swarm: heal")
	s.repair()
	s.restart()
	s.n.SetDefaultLink(s.link)
}
