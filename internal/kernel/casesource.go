package kernel

// CaseSource is an event source of another weft package (clock's Timer and
// Ticker) that a runtime.Select can wait on. Its methods are called with
// the waiter of one Select case.
type CaseSource interface {
	// TryCase completes the case at once if its event has happened —
	// claiming w's wait first unless first (no other case of the Select
	// is registered yet), CaseLost if another case won meanwhile — or
	// queues w, to be granted with Unpark when the event happens.
	TryCase(cur *Task, w *Waiter, first bool) CaseResult
	// CancelCase withdraws w; it is a no-op if w is not queued.
	CancelCase(w *Waiter)
	// FireCase runs the case's callback f once w has won.
	FireCase(w *Waiter, f any)
	// UndoCase reverts a grant of w that came just before the Select
	// failed (its ctx ended, or its task was dropped).
	UndoCase(w *Waiter)
}

// CaseResult is the outcome of CaseSource.TryCase.
type CaseResult uint8

const (
	CaseQueued CaseResult = iota // w waits in the source's queue
	CaseReady                    // the case happened
	CaseLost                     // another case of the Select won first
)

// SourceCase makes a runtime.Case (returned as any) of src and its
// callback f. Package runtime sets it; package clock, which imports
// runtime, calls it.
var SourceCase func(src CaseSource, f any) any
