package sim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/weftsim/weft/runtime"
)

// DefaultShrinkTime is how long sim.Test spends shrinking a failure found
// by a seed unless -sim.shrink says otherwise.
const DefaultShrinkTime = 10 * time.Second

// shrinkTrace is how many events the shrunk run keeps, to print its
// schedule.
const shrinkTrace = 4096

// Shrinking is delta debugging of a failing run's decisions: candidates
// drop chunks of the decision stream (halving the chunk size down to
// single decisions) and lower decisions to 0, and are run as inputs
// (reinterpret: a stream that no longer fits goes on deterministically, 0
// past its end). A candidate is kept when it fails in the same way — the
// same error type, and a message of the same shape (digits aside) — in
// fewer steps; its recorded decisions are the new stream. Passes repeat
// until one keeps nothing or the time is up.

// shrinker shrinks one failure.
type shrinker struct {
	body     func(context.Context) error
	run      []Option // the failing run's options
	shape    string
	best     Result
	runs     int
	deadline time.Time
}

// shrinkFailure returns the smallest failing run it finds within budget,
// starting from res (recorded whole), and how many runs it took.
//
//go:norace
func shrinkFailure(body func(context.Context) error, run []Option, res Result, budget time.Duration) (Result, int) {
	s := &shrinker{body: body, run: run, shape: failureShape(res.Err), best: res, deadline: time.Now().Add(budget)}
	for s.pass() {
	}
	// Run the shrunk decisions once more, exactly, keeping enough events
	// to print the schedule, with the settings of the original run.
	final := Run(body, append(run[:len(run):len(run)], WithRecording(), WithTrace(shrinkTrace), func(c *config) {
		c.replay = s.best.Decisions
	})...)
	return final, s.runs
}

// pass tries every candidate once and reports whether one was kept.
//
//go:norace
func (s *shrinker) pass() bool {
	kept := false
	for size := len(s.best.Decisions) / 2; size >= 1; size /= 2 {
		for i := 0; i+size <= len(s.best.Decisions); {
			if s.late() {
				return false
			}
			d := s.best.Decisions
			cand := append(append(make([]Decision, 0, len(d)-size), d[:i]...), d[i+size:]...)
			if s.try(cand) {
				kept = true
			} else {
				i += size
			}
		}
	}
	for i := 0; i < len(s.best.Decisions); i++ {
		if s.late() {
			return false
		}
		if s.best.Decisions[i].V == 0 {
			continue
		}
		cand := append([]Decision(nil), s.best.Decisions...)
		cand[i].V = 0
		if s.try(cand) {
			kept = true
		}
	}
	return kept
}

//go:norace
func (s *shrinker) late() bool { return time.Now().After(s.deadline) }

// try runs the candidate decisions and keeps the run if it fails the same
// way in fewer steps (or as many, with fewer decisions).
//
//go:norace
func (s *shrinker) try(cand []Decision) bool {
	s.runs++
	limit := func(c *config) { c.stepLimit = 2*s.best.Steps + 100 } // a candidate may livelock
	r := Run(s.body, append(s.run[:len(s.run):len(s.run)], asInput(cand), WithTrace(0), limit)...)
	if r.Err == nil || failureShape(r.Err) != s.shape {
		return false
	}
	if r.Steps > s.best.Steps || r.Steps == s.best.Steps && len(r.Decisions) >= len(s.best.Decisions) {
		return false
	}
	s.best = r
	return true
}

// failureShape is what two failures must share to be the same failure:
// the error's type and the first line of its message with every run of
// digits (task IDs, counts, times) as one '#'.
//
//go:norace
func failureShape(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	var b strings.Builder
	fmt.Fprintf(&b, "%T:", err)
	digits := false
	for _, r := range msg {
		if unicode.IsDigit(r) {
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(r)
	}
	return b.String()
}

// reportFailure reports the failing run res of sim.Test: it records the
// run whole if it was not, shrinks it (unless shrinking is off), writes the
// replay file (of the shrunk run) and fails t with the report.
//
//go:norace
func reportFailure(t testing.TB, id testID, body func(context.Context) error, run []Option, res Result, tried int, dir string, shrink time.Duration) {
	t.Helper()
	if !res.recorded { // too long to have kept: run it again, recording all
		res = Run(body, append(run[:len(run):len(run)], WithRecording())...)
	}
	if shrink <= 0 || res.Err == nil {
		t.Fatal(report(id, res, tried, writeReplay(t, dir, res)))
	}
	if errors.Is(res.Err, runtime.ErrGoexit) {
		t.Logf("sim: seed %d failed; shrinking it (what the test logs until the report comes from the shrinker's runs)", res.Seed)
	}
	start := time.Now()
	small, runs := shrinkFailure(body, run, res, shrink)
	file := writeReplay(t, dir, small)
	var b strings.Builder
	b.WriteString(report(id, res, tried, ""))
	fmt.Fprintf(&b, "\nshrunk from %d to %d steps (%d runs in %v; -sim.shrink=off turns shrinking off): %v\n",
		res.Steps, small.Steps, runs, time.Since(start).Round(time.Millisecond), firstLine(small.Err))
	fmt.Fprintf(&b, "shrunk schedule (%d steps):\n%s", small.Steps, small.Schedule())
	if file != "" {
		fmt.Fprintf(&b, "replay file: %s (the shrunk run; commit it to keep this failure as a regression test)\n", file)
		b.WriteString(traceLines(file))
		fmt.Fprintf(&b, "replay the shrunk run: %s", id.command("-sim.replay="+file))
	}
	t.Fatal(strings.TrimRight(b.String(), "\n"))
}

// parseShrink reads -sim.shrink: a positive duration, on (the default) or
// off.
//
//go:norace
func parseShrink(v string) (time.Duration, error) {
	switch strings.ToLower(v) {
	case "on", "true":
		return 0, nil
	case "off", "false", "0":
		return -1, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, errors.New("not a positive duration")
	}
	return d, nil
}

// shrinkBudget is the time to spend shrinking a failure; 0 is off.
//
//go:norace
func (s settings) shrinkBudget() time.Duration {
	switch {
	case s.shrink < 0:
		return 0
	case s.shrink == 0:
		return DefaultShrinkTime
	}
	return s.shrink
}

// firstLine is the first line of err's message (a panic's stack follows).
//
//go:norace
func firstLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}
