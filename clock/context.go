package clock

import (
	"context"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// WithDeadline returns a context that ends at d on ctx's clock (S41), and a
// function that ends it early and releases its timer. In production it is
// context.WithDeadline. In a simulation the deadline is virtual: the context
// expires when virtual time reaches d, which the scheduler jumps to when
// nothing else can run; Err then reports context.DeadlineExceeded and
// context.Cause reports it too.
//
// A context derived from it with the standard library (context.WithCancel,
// ...) is cancelled at the same step, with Err reporting context.Canceled
// and context.Cause reporting context.DeadlineExceeded.
//
// Never use the standard library's context.WithTimeout or WithDeadline in
// simulated code: they read the wall clock.
func WithDeadline(ctx context.Context, d time.Time) (context.Context, context.CancelFunc) {
	ex := executor(ctx)
	if !ex.Virtual() {
		return context.WithDeadline(ctx, d)
	}
	inner, cancel := context.WithCancelCause(ctx)
	if pd, ok := ctx.Deadline(); ok && !pd.After(d) {
		// The parent ends first anyway, and this context with it.
		return &deadlineCtx{Context: inner, deadline: pd}, func() { cancel(context.Canceled) }
	}
	c := &deadlineCtx{Context: inner, deadline: d}
	if !ex.Now().Before(d) {
		cancel(context.DeadlineExceeded)
		return c, func() {}
	}
	c.tm = kernel.Timer{When: d, Fire: func() { cancel(context.DeadlineExceeded) }}
	ex.StartTimer(&c.tm)
	return c, func() {
		ex.StopTimer(&c.tm)
		cancel(context.Canceled)
	}
}

// WithTimeout is WithDeadline(ctx, Now(ctx).Add(d)).
func WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return WithDeadline(ctx, Now(ctx).Add(d))
}

// Timeout runs f with a context that ends after d on ctx's clock, and
// returns what f returns. f decides what to do when its context ends; the
// blocking calls it makes return context.DeadlineExceeded.
func Timeout[T any](ctx context.Context, d time.Duration, f func(ctx context.Context) (T, error)) (T, error) {
	tctx, cancel := WithTimeout(ctx, d)
	defer cancel()
	return f(tctx)
}

// deadlineCtx is a context that expires in virtual time. Its cancellation
// is the embedded WithCancelCause of the parent, cancelled with the cause
// context.DeadlineExceeded when the deadline passes (here or in a parent).
type deadlineCtx struct {
	context.Context
	deadline time.Time
	tm       kernel.Timer
}

func (c *deadlineCtx) Deadline() (time.Time, bool) { return c.deadline, true }

func (c *deadlineCtx) Err() error {
	err := c.Context.Err()
	if err != nil && context.Cause(c.Context) == context.DeadlineExceeded {
		return context.DeadlineExceeded
	}
	return err
}
