package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/sim"
)

// restarts counts the host restarts in a run's events.
func restarts(res sim.Result) int {
	k := 0
	for _, ev := range res.Events {
		if ev.Kind == sim.EvNote && strings.HasPrefix(ev.Op, "restart ") {
			k++
		}
	}
	return k
}

// The swarm's chaos task crashes and restarts replicas from its own task:
// no seed may panic there (the failure would be unobserved, and fail the
// run, since no run here allows unobserved panics).
func TestRegister_SwarmRestartsHostsOver200SeedsWithoutAPanic(t *testing.T) {
	total := 0
	for seed := uint64(1); seed <= 200; seed++ {
		res := sim.Run(Scenario(false), sim.WithSeed(seed), sim.WithTrace(1<<16))
		require.NoError(t, res.Err, "seed %d", seed)
		total += restarts(res)
	}
	require.Greater(t, total, 50, "the swarm restarted hosts in many seeds")
}

// healBound is how much virtual time the register may take to serve again
// once the swarm's ctx has ended and the network is healed.
const healBound = time.Second

// After the swarm's ctx ends and Heal, every replica of the register serves
// a write and a read within healBound, for every seed: the swarm left no
// crashed host and no lossy link behind, and Heal no partition.
func TestRegister_ServesWithinABoundOnceTheSwarmEndsAndTheNetworkHeals(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		res := sim.Run(func(ctx context.Context) error {
			n := netsim.New(ctx)
			defer n.Close()
			replicas, addrs := startReplicas(ctx, n)
			sctx, stop := context.WithCancel(ctx)
			defer stop()
			mix := n.Swarm(sctx, replicas...)
			ch := n.AddHost("client").Context(ctx)
			c, err := newClient(ch, addrs)
			if err != nil {
				return err
			}
			defer c.pc.Close()
			for v := 1; v <= 10; v++ { // under faults: anything may fail
				if err := clock.Sleep(ch, 100*time.Millisecond); err != nil {
					return err
				}
				c.write(ch, v, "chaos")
				c.read(ch, 2)
			}
			stop()
			n.Heal()
			start := clock.Now(ch)
			bctx, cancel := clock.WithTimeout(ch, healBound)
			defer cancel()
			for v := 100; ; v++ {
				// Every replica must answer: none was left down.
				_, werr := c.call(bctx, fmt.Sprintf("W %d healed", v), len(replicas))
				got, rerr := c.read(bctx, len(replicas))
				if werr == nil && rerr == nil && got >= v {
					return nil
				}
				if bctx.Err() != nil || clock.Since(ch, start) >= healBound {
					return fmt.Errorf("not serving %v after the swarm ended and Heal (mix: %s): write %v, read %d %v",
						healBound, mix, werr, got, rerr)
				}
			}
		}, sim.WithSeed(seed))
		require.NoError(t, res.Err, "seed %d", seed)
	}
}
