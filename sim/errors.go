package sim

import (
	"fmt"
	goruntime "runtime"
	"strings"
	"time"

	"github.com/weftsim/weft/runtime"
)

// BlockedTask describes one task of a deadlock.
type BlockedTask struct {
	ID        runtime.TaskID
	Name      string         // the task's name (runtime.SpawnNamed), if it has one
	Op        string         // the blocking operation it is parked in
	WaitsFor  runtime.TaskID // the task it waits for, when known (0 otherwise)
	SpawnedAt string         // file:line of the task's function (a literal: its Spawn call)
	Stack     string         // the task's goroutine, parked where it waits
}

// DeadlockError reports a simulation in which no task can run and no timer
// is pending (S4): every listed task waits for something that nobody will
// ever provide.
//
// A cycle of waiting is reported the moment it forms, even while other
// tasks can still run: then Cycle names its tasks, each waiting for the
// next and the last for the first, and Tasks describes them in that order.
type DeadlockError struct {
	At    time.Duration    // virtual time since the start of the run
	Tasks []BlockedTask    // in spawn order (a cycle: in its order)
	Cycle []runtime.TaskID // the cycle of waiting, if that is what it is
}

func (e *DeadlockError) Error() string {
	if len(e.Cycle) > 0 {
		return e.cycleText()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sim: deadlock at +%v: no task can run and no timer is pending; %d blocked:", e.At, len(e.Tasks))
	for _, t := range e.Tasks {
		fmt.Fprintf(&b, "\n\t%s blocked in %s", taskLabel(t.ID, t.Name), t.Op)
		if t.WaitsFor != 0 {
			fmt.Fprintf(&b, ", waiting for task %d", t.WaitsFor)
		}
		fmt.Fprintf(&b, "; spawned at %s", t.SpawnedAt)
	}
	return b.String()
}

// StepLimitError reports a run stopped after its step limit: a livelock, or
// a workload larger than the limit allows (see WithStepLimit).
type StepLimitError struct {
	Limit uint64
}

func (e *StepLimitError) Error() string {
	return fmt.Sprintf("sim: step limit of %d reached; the run may be livelocked (raise the limit with sim.WithStepLimit)", e.Limit)
}

// TimeLimitError reports a run stopped because virtual time would have
// passed its limit (see WithTimeLimit).
type TimeLimitError struct {
	Limit time.Duration
	Next  time.Duration // the deadline the clock would have jumped to
}

func (e *TimeLimitError) Error() string {
	return fmt.Sprintf("sim: virtual time limit of %v reached (next timer at +%v); the run may never end (raise the limit with sim.WithTimeLimit)", e.Limit, e.Next)
}

// StuckTaskError reports a task that ran for longer than the watchdog
// allows without reaching a yield point: it is blocked on something the
// simulator cannot see (a native channel, sync.Mutex, time.Sleep, real I/O)
// or spinning. The task's goroutine cannot be reclaimed until it unblocks;
// when it does, the simulation drops all its tasks.
type StuckTaskError struct {
	ID    runtime.TaskID
	Name  string        // the task's name (runtime.SpawnNamed), if it has one
	Step  uint64        // the step it is stuck in
	After time.Duration // wall time without a yield point
	Stack string        // the stuck goroutine's stack
}

func (e *StuckTaskError) Error() string {
	if what, cure := nativeWait(e.Stack); what != "" {
		return fmt.Sprintf("sim: %s has not reached a yield point for %v: it %s, which the simulator cannot see: %s; its goroutine:\n%s", taskLabel(e.ID, e.Name), e.After, what, cure, e.Stack)
	}
	return fmt.Sprintf("sim: %s has not reached a yield point for %v (blocked on a native channel, sync.Mutex, time.Sleep or I/O? use weft's runtime, clock and netsim instead); its goroutine:\n%s", taskLabel(e.ID, e.Name), e.After, e.Stack)
}

// UnobservedPanicError fails a run in which a task panicked (or called
// runtime.Goexit) and no Join observed it (S17). Err is the
// *runtime.PanicError (or Goexit error) of the first such task; Step and
// At tell where it happened: the run may have gone on long after it
// (StopOnPanic stops it there). Its text is the same for every run of a
// seed: the panic's stack is in Err's Stack, not in the text.
type UnobservedPanicError struct {
	Err  error
	Step uint64        // the scheduling step at which the task ended
	At   time.Duration // the virtual time at which it ended

	events []Event // the events up to it (failpoint.go)
}

func (e *UnobservedPanicError) Error() string {
	return fmt.Sprintf("sim: a task failed at step %d (+%v) and no Join observed it (allow with sim.AllowUnobservedPanics): %v", e.Step, e.At, e.Err)
}

func (e *UnobservedPanicError) Unwrap() error { return e.Err }

// InternalError reports a panic on the scheduler itself: an executor bug, or
// a misuse panic raised by a timer callback. The stack is in Stack, not in
// the text.
type InternalError struct {
	Value any
	Stack []byte
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("sim: panic in the scheduler: %v", e.Value)
}

// shortLocation is funcLocation with the file's base name only.
func shortLocation(pc uintptr) string {
	loc := funcLocation(pc)
	if i := strings.LastIndexByte(loc, '/'); i >= 0 {
		return loc[i+1:]
	}
	return loc
}

// funcLocation returns file:line of the function whose entry is pc.
func funcLocation(pc uintptr) string {
	f := goruntime.FuncForPC(pc)
	if pc == 0 || f == nil {
		return "unknown"
	}
	file, line := f.FileLine(pc)
	return fmt.Sprintf("%s:%d", file, line)
}

// taskLabel names a task in reports: "task 3", or "task 3 (name)".
func taskLabel(id runtime.TaskID, name string) string {
	if name == "" {
		return fmt.Sprintf("task %d", id)
	}
	return fmt.Sprintf("task %d (%s)", id, name)
}
