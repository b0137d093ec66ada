package disk

import (
	"context"
	"fmt"
	"time"

	"github.com/weftsim/weft/netsim"
)

// Swarm draws a disk fault mix from the simulation's decisions — write and
// sync latency ranges, the shares of writes and syncs that fail with EIO
// and of growing writes that fail with ENOSPC — and applies it to the disks
// of the given hosts (to the simulation's own disk when none is given).
// Call it beside netsim's Network.Swarm, whose chaos task crashes the
// hosts: exploring seeds then explores disk faults and crash states too. It
// returns a description of the mix, also recorded in the event log. It
// panics outside a simulation.
func Swarm(ctx context.Context, hosts ...*netsim.Host) string {
	var disks []*Disk
	if len(hosts) == 0 {
		disks = append(disks, Of(ctx))
	}
	for _, h := range hosts {
		disks = append(disks, Of(h.Context(ctx)))
	}
	if disks[0] == nil {
		panic("disk: Swarm needs the ctx of a simulation (a task's, or sim.New(...).Enter(ctx))")
	}
	ex := disks[0].ex
	pick := func(options ...time.Duration) time.Duration { return options[ex.RandN(len(options))] }
	shares := []float64{0, 0, 0.001, 0.01, 0.05}
	share := func() float64 { return shares[ex.RandN(len(shares))] }
	wlo := pick(0, 10*time.Microsecond, 100*time.Microsecond)
	whi := wlo + pick(0, 50*time.Microsecond, time.Millisecond)
	slo := pick(100*time.Microsecond, time.Millisecond, 5*time.Millisecond)
	shi := slo + pick(0, time.Millisecond, 20*time.Millisecond)
	writeErr, syncErr, fullErr := share(), share(), share()
	opts := []Option{
		WithLatency(netsim.Uniform(wlo, whi), netsim.Uniform(slo, shi)),
		WithWriteErrors(writeErr), WithSyncErrors(syncErr), WithSpaceErrors(fullErr),
	}
	for _, d := range disks {
		d.Set(opts...)
	}
	desc := fmt.Sprintf("write latency %v-%v, sync latency %v-%v, write EIO %v, sync EIO %v, ENOSPC %v",
		wlo, whi, slo, shi, writeErr, syncErr, fullErr)
	ex.Note("disk swarm: " + desc)
	return desc
}
