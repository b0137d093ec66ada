package sim

import (
	"errors"
	"fmt"
	"strings"

	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/runtime"
)

// reportEvents is how many events, up to the failure, a report shows.
const reportEvents = 20

// report formats a failed run: where it failed (the step and virtual time
// of the failure, which an unobserved panic's run may have gone on long
// after), what failed in the test's terms, the stacks, the events that led
// to the failure, and how to replay it.
func report(id testID, r Result, tried int, file string) string {
	var b strings.Builder
	step, at := r.failStep, r.failAt
	var ue *UnobservedPanicError
	if errors.As(r.Err, &ue) {
		step, at = ue.Step, ue.At
	}
	if errors.As(r.Err, new(*StuckTaskError)) { // abandoned: no time, hash or events
		fmt.Fprintf(&b, "sim: seed %d failed at step %d (run %d, strategy %v)\n", r.Seed, step, tried, r.Strategy)
	} else {
		fmt.Fprintf(&b, "sim: seed %d failed at step %d, virtual time +%v (run %d, strategy %v, hash %#016x)\n",
			r.Seed, step, at, tried, r.Strategy, r.Hash)
	}
	if ue != nil && (step != r.Steps || at != r.Elapsed) {
		fmt.Fprintf(&b, "(the run went on to step %d, +%v, before it ended)\n", r.Steps, r.Elapsed)
	}
	var site interface {
		GoexitSite() (runtime.TaskID, string)
	}
	switch {
	case r.Err == nil && kernel.RaceEnabled:
		b.WriteString("failure: the race detector reported a DATA RACE, or the test failed inside a task (see the messages above)\n")
	case r.Err == nil:
		b.WriteString("failure: the test failed inside a task (see the messages above)\n")
	case errors.As(r.Err, &site) && func() bool { _, s := site.GoexitSite(); return s != "" }():
		id, where := site.GoexitSite()
		fmt.Fprintf(&b, "failure: the test failed at %s (task %d called t.Fatal, t.FailNow or require; its message is above)\n", where, id)
	case errors.Is(r.Err, runtime.ErrGoexit):
		fmt.Fprintf(&b, "failure: %v: the test failed inside a task (see the messages above)\n", r.Err)
	default:
		fmt.Fprintf(&b, "failure: %v\n", r.Err)
		var pe *runtime.PanicError
		if errors.As(r.Err, &pe) {
			fmt.Fprintf(&b, "\n%s\n", pe.Stack)
		}
		var ie *InternalError
		if errors.As(r.Err, &ie) {
			fmt.Fprintf(&b, "\n%s\n", ie.Stack)
		}
		var de *DeadlockError
		if errors.As(r.Err, &de) {
			for _, bt := range de.Tasks {
				fmt.Fprintf(&b, "\n%s:\n%s\n", taskLabel(bt.ID, bt.Name), bt.Stack)
			}
		}
	}
	if ev := r.failureEvents(); len(ev) > 0 {
		if len(ev) > reportEvents {
			ev = ev[len(ev)-reportEvents:]
		}
		fmt.Fprintf(&b, "the last %d events up to the failure:\n", len(ev))
		for _, e := range ev {
			fmt.Fprintf(&b, "\t%v\n", e)
		}
	}
	b.WriteString(logLines(r))
	if file != "" {
		fmt.Fprintf(&b, "replay file: %s (commit it to keep this failure as a regression test)\n", file)
		b.WriteString(traceLines(file))
	}
	fmt.Fprintf(&b, "replay: %s", id.replay(r.Seed, r.Strategy))
	return b.String()
}
