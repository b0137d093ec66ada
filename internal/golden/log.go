package golden

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/weftsim/weft/sim"
)

// EventLog renders a run for a golden file: what the run came to, then
// its schedule (Result.Schedule), then every event it kept, one a line.
// res must have kept all its events (sim.WithTrace).
func EventLog(res sim.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d, strategy %v: %d steps, virtual time +%v, %d tasks, hash %#016x\n",
		res.Seed, res.Strategy, res.Steps, res.Elapsed, res.Tasks, res.Hash)
	if res.Err != nil {
		fmt.Fprintf(&b, "failure: %s\n", firstLine(res.Err.Error()))
	} else {
		b.WriteString("passed\n")
	}
	b.WriteString("\nschedule:\n")
	b.WriteString(res.Schedule())
	b.WriteString("\nevents:\n")
	for _, ev := range res.Events {
		fmt.Fprintf(&b, "%v\n", ev)
	}
	return b.String()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// A Run is a simulation whose event log a golden file keeps: Body run
// with Options, under Name.
type Run struct {
	Name    string
	Body    func(ctx context.Context) error
	Options []sim.Option
}

// CheckEventLogs runs each of runs as a subtest, keeping every event
// (sim.TestTraceSize), and checks its EventLog against
// testdata/golden/<dir>/<name>.txt.
func CheckEventLogs(t *testing.T, dir string, runs []Run) {
	t.Helper()
	for _, r := range runs {
		t.Run(r.Name, func(t *testing.T) {
			opts := append(slices.Clip(r.Options), sim.WithTrace(sim.TestTraceSize))
			Check(t, dir+"/"+r.Name+".txt", EventLog(sim.Run(r.Body, opts...)))
		})
	}
}
