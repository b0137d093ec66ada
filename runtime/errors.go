package runtime

import (
	"errors"
	"fmt"

	"github.com/weftsim/weft/internal/kernel"
)

// TaskID identifies a task within its runtime (S19): unique among the
// runtime's tasks, assigned in spawn order, so stable for a simulation seed.
type TaskID = kernel.TaskID

// ErrCancelled is matched (errors.Is) by the error of a task that was
// aborted or dropped by shutdown before it finished (S13, S15, S16).
var ErrCancelled = errors.New("runtime: task cancelled")

// ErrNoTasks is returned by JoinSet.JoinNext when the set is empty.
var ErrNoTasks = errors.New("runtime: join set has no tasks")

// ErrGoexit is matched by the error of a task that called runtime.Goexit,
// which is what t.FailNow and testify's require do inside a task.
var ErrGoexit = errors.New("runtime: task called runtime.Goexit")

// PanicError is the error of a task that panicked (S13). Stack is the
// panicking task's own stack at the panic.
type PanicError struct {
	ID    TaskID
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("runtime: task %d panicked: %v", e.ID, e.Value)
}

// Unwrap returns the panic value if it is an error, so errors.Is and
// errors.As see through a panic(err).
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// taskError wraps a sentinel with the task it concerns, in Tokio's words:
// "task 7 was cancelled".
type taskError struct {
	id   TaskID
	what string
	err  error
	site string // for a Goexit: file:line of the call that gave up
}

func (e *taskError) Error() string { return fmt.Sprintf("runtime: task %d %s", e.id, e.what) }
func (e *taskError) Unwrap() error { return e.err }

// GoexitSite returns, for a task that called runtime.Goexit, the file:line
// (base name) of the code that did, through t.FailNow or require: the
// first frame outside packages runtime, testing and testify. Package sim's
// reports find it with errors.As to an interface.
func (e *taskError) GoexitSite() (TaskID, string) { return e.id, e.site }

// outcomeError converts a finished task's outcome into the error Join
// reports.
func outcomeError(t *kernel.Task, observe bool) error {
	o, err, p := t.Result(!observe)
	switch o {
	case kernel.Returned:
		return err
	case kernel.Cancelled:
		return &taskError{id: t.ID(), what: "was cancelled", err: ErrCancelled}
	case kernel.Panicked:
		return &PanicError{ID: t.ID(), Value: p.Value, Stack: p.Stack}
	case kernel.Goexited:
		var site string
		if p != nil {
			site = goexitSite(p.Stack)
		}
		what := "called runtime.Goexit (t.FailNow or require inside a task?)"
		if site != "" {
			what = "called runtime.Goexit at " + site + " (t.FailNow or require inside a task?)"
		}
		return &taskError{id: t.ID(), what: what, err: ErrGoexit, site: site}
	}
	panic(fmt.Sprintf("runtime: outcome of task %d read before it finished", t.ID()))
}

// The kernel hooks let package sim wrap its executor in a *Runtime and
// describe outcomes with this package's errors, with no exported API.
func init() {
	kernel.OutcomeError = func(t *kernel.Task) error { return outcomeError(t, false) }
	kernel.NewRuntime = func(ex kernel.Executor) any { return &Runtime{ex: ex} }
}
