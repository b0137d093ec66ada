package sim

import (
	goruntime "runtime"
	"strings"

	"github.com/weftsim/weft/internal/kernel"
)

// The executor's side of kernel.Logger and kernel.Messenger: log records,
// notes and netsim's messages go into the event log.

// Log records a log record or a runtime.Note of t in the event log. It is
// kept out of the hash (see kernel.Logger), so it does not count as an
// event of the schedule.
//
//go:norace
func (e *executor) Log(t *kernel.Task, text string) {
	if e.running && !e.inFire && t.IsTask() {
		e.checkCaller(t, "runtime.Note or a log call")
	}
	if len(e.trace.ring) == 0 {
		return
	}
	id := t.ID()
	*e.trace.slot() = Event{Step: e.steps, At: e.now, Kind: EvLog, Task: id, Op: text}
}

// Stamp returns the seed and the steps taken so far.
//
//go:norace
func (e *executor) Stamp() (seed, step uint64) { return e.cfg.seed, e.steps }

// NoteMessage records a netsim message's send or delivery: a note, hashed
// as Note's, that also carries the message's id and host.
//
//go:norace
func (e *executor) NoteMessage(what, host string, id uint64, delivered bool) {
	e.event(EvNote, e.current, 0, what)
	if len(e.trace.ring) > 0 {
		ev := e.last()
		ev.Host, ev.Msg, ev.Delivered = host, id, delivered
	}
}

// last returns the event recorded last; the ring holds one.
//
//go:norace
func (e *executor) last() *Event {
	i := e.trace.next - 1
	return &e.trace.ring[i]
}

// markSite records in the park event just recorded where the task waits.
//
//go:norace
func (e *executor) markSite() {
	if len(e.trace.ring) > 0 {
		e.last().PC = waitSite()
	}
}

// waitSite returns the program counter of the innermost caller outside
// weft's own packages: the user's line that waits.
//
// The walk costs about a microsecond a frame, so it looks at the few frames
// a primitive's wait is usually made of first, and walks further only when
// they are all weft's.
//
//go:norace
func waitSite() uintptr {
	var pcs [32]uintptr
	for _, depth := range []int{6, len(pcs)} {
		n := goruntime.Callers(3, pcs[:depth])
		frames := goruntime.CallersFrames(pcs[:n])
		for {
			f, more := frames.Next()
			if !weftFrame(f.Function) {
				return f.PC
			}
			if !more {
				break
			}
		}
		if n < depth {
			break
		}
	}
	return 0
}

// weftFrame reports whether a function belongs to weft's packages (or Go's
// runtime) rather than to the code under test.
//
//go:norace
func weftFrame(fn string) bool {
	for _, p := range weftPackages {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

var weftPackages = []string{
	"github.com/weftsim/weft/runtime.", "github.com/weftsim/weft/internal/", "github.com/weftsim/weft/sim.",
	"github.com/weftsim/weft/clock.", "github.com/weftsim/weft/netsim.", "github.com/weftsim/weft/weftlog.",
	"runtime.", "iter.", "sync.",
}
