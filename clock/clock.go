package clock

import (
	"context"
	"time"

	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/internal/prod"
)

// Epoch is the instant at which a simulation's virtual clock starts unless
// the simulation is told otherwise (S7): 2000-01-01T00:00:00Z.
var Epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// binding returns the task or Outside binding of ctx; a ctx without a
// runtime gets the wall clock's.
func binding(ctx context.Context) *kernel.Task {
	if cur := kernel.FromContext(ctx); cur != nil {
		return cur
	}
	return prod.Plain.Outside()
}

// executor returns the executor whose clock serves ctx.
func executor(ctx context.Context) kernel.Executor { return binding(ctx).Executor() }

// Now returns the current time of the executor serving ctx: virtual time in
// a simulation, the wall clock otherwise (also when ctx carries no
// runtime).
func Now(ctx context.Context) time.Time { return executor(ctx).Now() }

// Since returns the time elapsed since t, by Now(ctx).
func Since(ctx context.Context, t time.Time) time.Duration { return Now(ctx).Sub(t) }

// Until returns the time left until t, by Now(ctx).
func Until(ctx context.Context, t time.Time) time.Duration { return t.Sub(Now(ctx)) }

// Sleep pauses the calling task for d (S40): in a simulation it wakes at
// exactly Now+d in virtual time. It returns ctx.Err() if ctx ends first. A
// zero or negative d returns at once, without yielding.
func Sleep(ctx context.Context, d time.Duration) error {
	return SleepUntil(ctx, Now(ctx).Add(d))
}

// SleepUntil pauses the calling task until t, as Sleep does.
func SleepUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cur := binding(ctx)
	kernel.CheckDrop(cur)
	ex := cur.Executor()
	if !ex.Now().Before(t) {
		return nil
	}
	w := cur.Waiter(kernel.Reason{Op: "clock.Sleep"})
	tm := cur.SleepTimer(t, w)
	ex.StartTimer(tm)
	if err := ex.Park(ctx, w); err != nil {
		if !ex.StopTimer(tm) { // an aborted sleep leaves no timer behind
			cur.DropSleepTimer() // it may be firing: do not re-arm it
		}
		return kernel.Resume(cur, err)
	}
	return nil
}
