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
// partitioned and how often a host crashes — applies it, and runs a chaos
// task that partitions and repairs, crashes and restarts the given hosts
// accordingly, until the run ends. Exploring seeds then explores fault
// mixes too ("swarm testing"). It returns a description of the mix.
func (n *Network) Swarm(ctx context.Context, hosts ...*Host) string {
	pick := func(options ...time.Duration) time.Duration { return options[n.ex.RandN(len(options))] }
	lo := pick(0, time.Millisecond, 5*time.Millisecond)
	hi := lo + pick(0, 2*time.Millisecond, 20*time.Millisecond)
	shares := []float64{0, 0.01, 0.1, 0.3}
	loss, dup := shares[n.ex.RandN(len(shares))], shares[n.ex.RandN(len(shares)-1)]
	partitionEvery := pick(0, 200*time.Millisecond, time.Second) // 0: never
	crashEvery := pick(0, 500*time.Millisecond, 3*time.Second)
	n.SetDefaultLink(Link{Latency: Uniform(lo, hi), Loss: loss, Duplicate: dup})
	desc := fmt.Sprintf("latency %v-%v, loss %v, duplication %v, partition every %v, crash every %v",
		lo, hi, loss, dup, partitionEvery, crashEvery)
	n.note("swarm: %s", desc)
	if len(hosts) > 0 && (partitionEvery > 0 || crashEvery > 0) {
		runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, n.chaos(ctx, hosts, partitionEvery, crashEvery)
		})
	}
	return desc
}

// chaos partitions and crashes hosts at random times, undoing each fault
// after a random while, until ctx ends or the task is dropped.
func (n *Network) chaos(ctx context.Context, hosts []*Host, partitionEvery, crashEvery time.Duration) error {
	span := func(mean time.Duration) time.Duration {
		return time.Duration(n.ex.RandUint64() % uint64(2*mean+1))
	}
	for {
		var kinds []int
		if partitionEvery > 0 && len(hosts) > 1 {
			kinds = append(kinds, 0)
		}
		if crashEvery > 0 {
			kinds = append(kinds, 1)
		}
		kind := kinds[n.ex.RandN(len(kinds))]
		mean := partitionEvery
		if kind == 1 {
			mean = crashEvery
		}
		if err := clock.Sleep(ctx, span(mean)); err != nil {
			return err
		}
		switch kind {
		case 0:
			a := hosts[n.ex.RandN(len(hosts))]
			b := hosts[n.ex.RandN(len(hosts))]
			if a == b {
				continue
			}
			n.Partition(a, b)
			if err := clock.Sleep(ctx, span(mean/2)); err != nil {
				return err
			}
			n.Repair(a, b)
		case 1:
			h := hosts[n.ex.RandN(len(hosts))]
			h.Crash()
			if err := clock.Sleep(ctx, span(mean/2)); err != nil {
				return err
			}
			h.Restart()
		}
	}
}
