package sim

import (
	"fmt"
	"strings"
)

// Schedule renders the run's scheduling steps from its event log, one line
// per step: which task ran, and how its step ended (a park and on what, a
// yield, its exit), with the spawns and wake-ups it caused. It is how a
// shrunk failing schedule is shown (package simrapid, Fuzz). Only the
// events kept by WithTrace appear.
func (r Result) Schedule() string {
	var b strings.Builder
	var line []string
	flush := func() {
		if len(line) > 0 {
			b.WriteString(strings.Join(line, ", "))
			b.WriteByte('\n')
			line = line[:0]
		}
	}
	for _, ev := range r.Events {
		switch ev.Kind {
		case EvRun:
			flush()
			line = append(line, fmt.Sprintf("%3d. @%v task %d runs", ev.Step, ev.At, ev.Task))
		case EvSpawn:
			if ev.Other != 0 {
				line = append(line, fmt.Sprintf("spawns task %d", ev.Task))
			}
		case EvPark:
			what := "parks in " + ev.Op
			if ev.Other != 0 {
				what += fmt.Sprintf(" (for task %d)", ev.Other)
			}
			line = append(line, what)
		case EvYield:
			line = append(line, "yields")
		case EvWake:
			line = append(line, fmt.Sprintf("wakes task %d", ev.Task))
		case EvExit:
			line = append(line, "ends ("+ev.Op+")")
		case EvAbort:
			line = append(line, fmt.Sprintf("aborts task %d", ev.Task))
		case EvAdvance:
			flush()
			line = append(line, fmt.Sprintf("     clock advances to @%v", ev.At))
		}
	}
	flush()
	return b.String()
}
