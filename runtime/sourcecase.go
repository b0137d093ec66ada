package runtime

import (
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// Select cases of other weft packages (clock.OnTimer, clock.OnTick): their
// sources queue the case's waiter as a channel does.
func init() {
	kernel.SourceCase = func(src kernel.CaseSource, f any) any {
		return Case{ops: sourceOps{}, ch: src, f: &sourceCall{src: src, f: f}}
	}
}

// sourceCall is a source case's callback with its source, which fire needs.
type sourceCall struct {
	src kernel.CaseSource
	f   any
}

type sourceOps struct{}

func (sourceOps) name() string { return "Select(clock)" }

func (sourceOps) try(ch any, _ time.Time, cur *kernel.Task, w *kernel.Waiter, first bool) status {
	switch ch.(kernel.CaseSource).TryCase(cur, w, first) {
	case kernel.CaseReady:
		return completed
	case kernel.CaseLost:
		return lost
	}
	return notReady
}

func (sourceOps) cancel(ch any, w *kernel.Waiter) { ch.(kernel.CaseSource).CancelCase(w) }

func (sourceOps) fire(f any, w *kernel.Waiter) {
	c := f.(*sourceCall)
	c.src.FireCase(w, c.f)
}

func (sourceOps) undo(ch any, w *kernel.Waiter) { ch.(kernel.CaseSource).UndoCase(w) }
