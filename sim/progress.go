package sim

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// progressEvery is how often the progress line is redrawn.
const progressEvery = 2 * time.Second

// progress draws, on a terminal, a line that a long exploration redraws
// every few seconds: runs so far and per second, failures, and the time
// left. It is off when standard error is not a terminal (go test ./...,
// CI logs). The exploration only adds to two counters per run; a
// goroutine of its own draws.
type progress struct {
	runs, failures atomic.Uint64
	stop           chan struct{}
	done           sync.WaitGroup
}

// startProgress starts the line for the named test, exploring total runs
// (0: unknown) or for budget (0: none), on standard error if it is a
// terminal; nil otherwise. A nil *progress counts nothing.
//
//go:norace
func startProgress(name string, total uint64, budget time.Duration) *progress {
	if fi, err := os.Stderr.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return startProgressOn(os.Stderr, progressEvery, name, total, budget)
}

//go:norace
func startProgressOn(w io.Writer, every time.Duration, name string, total uint64, budget time.Duration) *progress {
	p := &progress{stop: make(chan struct{})}
	start := time.Now()
	p.done.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		drawn := false
		for {
			select {
			case <-p.stop:
				if drawn {
					fmt.Fprint(w, "\r\033[K") // leave the terminal as it was
				}
				return
			case <-tick.C:
				fmt.Fprint(w, "\r\033[K"+p.line(name, time.Since(start), total, budget))
				drawn = true
			}
		}
	})
	return p
}

// line is the progress line after elapsed.
//
//go:norace
func (p *progress) line(name string, elapsed time.Duration, total uint64, budget time.Duration) string {
	runs := p.runs.Load()
	rate := float64(runs) / max(elapsed.Seconds(), 1e-9)
	left := ""
	switch {
	case budget > 0:
		left = fmt.Sprintf(", %v left", max(budget-elapsed, 0).Round(time.Second))
	case total > 0 && rate > 0 && runs <= total:
		left = fmt.Sprintf(", %d of %d, about %v left", runs, total, time.Duration(float64(total-runs)/rate*float64(time.Second)).Round(time.Second))
	}
	return fmt.Sprintf("sim: %s: %d runs (%.0f/s), %d failures%s", name, runs, rate, p.failures.Load(), left)
}

// ran counts a run.
//
//go:norace
func (p *progress) ran(failed bool) {
	if p == nil {
		return
	}
	p.runs.Add(1)
	if failed {
		p.failures.Add(1)
	}
}

// end erases the line and stops drawing.
//
//go:norace
func (p *progress) end() {
	if p == nil {
		return
	}
	close(p.stop)
	p.done.Wait()
}
