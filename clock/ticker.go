package clock

import (
	"context"
	"sync"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// MissedTick says what a Ticker does when its consumer falls behind by more
// than a period.
type MissedTick uint8

const (
	// Burst delivers every missed tick, at once, until the ticker has
	// caught up; ticks stay on the grid start+k*period. The default.
	Burst MissedTick = iota
	// Delay delivers one tick now and the next a full period after it: the
	// grid shifts.
	Delay
	// Skip delivers one tick now and drops the rest; the next tick is the
	// next one on the original grid.
	Skip
)

// Ticker ticks every period on the clock of the runtime it was made with.
// It is lazy: nothing is scheduled while nobody waits in Tick, so an idle
// ticker costs no timer and no polling.
type Ticker struct {
	ex kernel.Executor

	mu      sync.Mutex
	period  time.Duration
	next    time.Time
	missed  MissedTick
	stopped bool

	// OnTick's cases: their waiters, and the timer due at next while any
	// waits.
	waiters kernel.WaitQueue
	tm      kernel.Timer
	armed   bool
}

// NewTicker returns a ticker whose first tick is one period from now. It
// panics if period is not positive.
func NewTicker(ctx context.Context, period time.Duration, missed MissedTick) *Ticker {
	if period <= 0 {
		panic("clock: NewTicker with a non-positive period")
	}
	ex := executor(ctx)
	return &Ticker{ex: ex, period: period, next: ex.Now().Add(period), missed: missed}
}

// Tick waits for the next tick and returns its scheduled instant. It
// returns ErrStopped once the ticker is stopped, and ctx.Err() if ctx ends
// first (the tick is not consumed).
func (tk *Ticker) Tick(ctx context.Context) (time.Time, error) {
	checkOwner(tk.ex, binding(ctx), "Ticker", "Tick")
	for {
		tk.mu.Lock()
		if tk.stopped {
			tk.mu.Unlock()
			return time.Time{}, ErrStopped
		}
		now, due := tk.ex.Now(), tk.next
		if !now.Before(due) {
			tk.advance(now)
			tk.mu.Unlock()
			return due, nil
		}
		tk.mu.Unlock()
		if err := SleepUntil(ctx, due); err != nil {
			return time.Time{}, err
		}
	}
}

// advance moves next past a tick delivered at now.
func (tk *Ticker) advance(now time.Time) {
	switch tk.missed {
	case Delay:
		tk.next = now.Add(tk.period)
	case Skip:
		behind := now.Sub(tk.next)
		tk.next = tk.next.Add((behind/tk.period + 1) * tk.period)
	default:
		tk.next = tk.next.Add(tk.period)
	}
}

// Stop stops the ticker: Tick returns ErrStopped until Reset.
func (tk *Ticker) Stop() {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	tk.stopped = true
	tk.wakeCases()
}

// Reset restarts the ticker with a new period: the next tick is one period
// from now. It panics if period is not positive.
func (tk *Ticker) Reset(period time.Duration) {
	if period <= 0 {
		panic("clock: Ticker.Reset with a non-positive period")
	}
	tk.mu.Lock()
	defer tk.mu.Unlock()
	tk.period, tk.next, tk.stopped = period, tk.ex.Now().Add(period), false
	tk.rearmCases()
}
