package clock

import (
	"context"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// Epoch is the instant at which a simulation's virtual clock starts unless
// the simulation is told otherwise (S7): 2000-01-01T00:00:00Z.
var Epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Now returns the current time of the executor serving ctx: virtual time in
// a simulation, the wall clock otherwise (also when ctx carries no
// runtime).
func Now(ctx context.Context) time.Time {
	if cur := kernel.FromContext(ctx); cur != nil {
		return cur.Executor().Now()
	}
	return time.Now()
}

// Since returns the time elapsed since t, by Now(ctx).
func Since(ctx context.Context, t time.Time) time.Duration { return Now(ctx).Sub(t) }

// Sleep pauses the calling task for at least d (S40): in a simulation it
// wakes at exactly Now+d in virtual time. It returns ctx.Err() if ctx ends
// first. A zero or negative d returns at once (after checking ctx), without
// yielding.
func Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	cur := kernel.FromContext(ctx)
	if cur == nil {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	ex := cur.Executor()
	w := cur.Waiter(kernel.Reason{Op: "clock.Sleep"})
	tm := &kernel.Timer{When: ex.Now().Add(d), Fire: func() { ex.Unpark(w) }}
	ex.StartTimer(tm)
	if err := ex.Park(ctx, w); err != nil {
		ex.StopTimer(tm)
		return kernel.Resume(cur, err)
	}
	return nil
}
