package sim

import (
	"context"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// Stats is a snapshot of a running simulation.
type Stats struct {
	Tasks   int           // live tasks
	Timers  int           // pending timers
	Steps   uint64        // scheduling steps so far
	Elapsed time.Duration // virtual time since the start
}

// StatsOf returns the statistics of the simulation serving ctx, and false
// if ctx does not belong to a simulation. Call it from a task of that
// simulation (or while it is not running).
func StatsOf(ctx context.Context) (Stats, bool) {
	cur := kernel.FromContext(ctx)
	if cur == nil {
		return Stats{}, false
	}
	e, ok := cur.Executor().(*executor)
	if !ok {
		return Stats{}, false
	}
	return Stats{Tasks: e.live.Len(), Timers: e.timers.len(), Steps: e.steps, Elapsed: e.now}, true
}
