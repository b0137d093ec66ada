package sim

import (
	"fmt"
	"strings"

	"github.com/weftsim/weft/runtime"
)

// Schedule renders the run's scheduling steps from its event log, one line
// per step: which task ran, and how its step ended (a park and on what, a
// yield, its exit), with the spawns and wake-ups it caused. What the
// scheduler did between steps (the clock advancing and the wake-ups of
// timers, the aborts of a shutdown) gets lines of its own. It is how a
// shrunk failing schedule is shown (package simrapid, Fuzz). Only the
// events kept by WithTrace appear.
func (r Result) Schedule() string {
	var b strings.Builder
	names := map[runtime.TaskID]string{} // look-ups only
	task := func(id runtime.TaskID) string {
		if n := names[id]; n != "" {
			return fmt.Sprintf("task %d (%s)", id, n)
		}
		return fmt.Sprintf("task %d", id)
	}
	var root runtime.TaskID
	rootDone := false
	for _, u := range units(r.Events) {
		var line []string
		if u.step {
			ev := u.events[0]
			line = append(line, fmt.Sprintf("%3d. @%v %s runs", ev.Step, ev.At, task(ev.Task)))
		}
		for i, ev := range u.events {
			switch ev.Kind {
			case EvSpawn:
				names[ev.Task] = ev.Op
				if ev.Other != 0 {
					line = append(line, "spawns "+task(ev.Task))
				} else if root == 0 {
					root = ev.Task
				}
			case EvPark:
				what := "parks in " + ev.Op
				if ev.Other != 0 {
					what += fmt.Sprintf(" (for %s)", task(ev.Other))
				}
				if ev.PC != 0 {
					what += " at " + shortLocation(ev.PC)
				}
				line = append(line, what)
			case EvYield:
				if ev.Op != "" { // a scheduling point of an operation
					line = append(line, "yields at "+ev.Op)
				} else {
					line = append(line, "yields")
				}
			case EvWake:
				line = append(line, "wakes "+task(ev.Task))
			case EvExit:
				if ev.Task == root {
					rootDone = true
				}
				if u.step && ev.Task == u.task {
					line = append(line, "ends ("+ev.Op+")")
				} else {
					line = append(line, task(ev.Task)+" ends ("+ev.Op+")")
				}
			case EvAbort:
				line = append(line, "aborts "+task(ev.Task))
			case EvAdvance:
				line = append(line, fmt.Sprintf("clock advances to @%v", ev.At))
			}
			if !u.step && i == 0 && ev.Kind != EvAdvance {
				who := "between steps:"
				if rootDone && ev.Kind == EvAbort {
					who = "shutdown:"
				}
				line = append([]string{who}, line...)
			}
		}
		if len(line) == 0 || !u.step && len(line) == 1 && strings.HasSuffix(line[0], ":") {
			continue
		}
		if !u.step {
			b.WriteString("     ")
			if strings.HasSuffix(line[0], ":") {
				b.WriteString(line[0] + " ")
				line = line[1:]
			}
		}
		b.WriteString(strings.Join(line, ", "))
		b.WriteByte('\n')
	}
	return b.String()
}
