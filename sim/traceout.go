package sim

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTraceSize is how many of the last events sim.Test keeps of each run
// (unless WithTrace asks for more), for the failure report and the trace
// files of a failing seed. The log grows as events come: a short run
// costs little.
const TestTraceSize = 1 << 14

// WithWaitSites makes each park event record where the task waits: the
// file and line, outside weft's packages, of the call that parks (shown
// in the event log, in traces and in Schedule). It costs a stack walk per
// park, some microseconds (a park is otherwise a tenth of one), so it is
// off by default; sim.Test turns it on with -sim.trace or WithTraceDir.
func WithWaitSites() Option {
	return func(c *config) { c.waitSites = true }
}

// WithTraceDir makes sim.Test write the trace of every run it makes, as
// Chrome trace-event JSON (Result.WriteTrace) and as an HTML timeline
// (Result.WriteTimeline), under dir/<TestName>/; -sim.trace=DIR does the
// same. Without it sim.Test still writes the trace of a failing seed
// beside its replay file.
func WithTraceDir(dir string) Option {
	return func(c *config) { c.traceDir = dir }
}

// testTracing is what sim.Test adds to every run: a long event log, and
// the call sites of waits when it writes every run's trace.
func testTracing(c config) Option {
	return func(rc *config) {
		rc.traceSize = max(rc.traceSize, TestTraceSize, c.traceSize)
		rc.waitSites = rc.waitSites || c.traceDir != ""
	}
}

// runBase names a run's files: seed-N-STRATEGY.
func runBase(res Result) string {
	return fmt.Sprintf("seed-%d-%s", res.Seed, strings.ReplaceAll(res.Strategy.String(), ":", "_"))
}

// writeTraces writes res's trace as base+".trace.json" and its timeline as
// base+".html", and returns the two paths; on failure it logs why and
// returns "".
func writeTraces(t testing.TB, base string, res Result) (jsonFile, htmlFile string) {
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		t.Logf("sim: could not write the trace: %v", err)
		return "", ""
	}
	var j, h bytes.Buffer
	err := res.WriteTrace(&j)
	if err == nil {
		err = res.WriteTimeline(&h)
	}
	if err == nil {
		err = os.WriteFile(base+".trace.json", j.Bytes(), 0o644)
	}
	if err == nil {
		err = os.WriteFile(base+".html", h.Bytes(), 0o644)
	}
	if err != nil {
		t.Logf("sim: could not write the trace: %v", err)
		return "", ""
	}
	return base + ".trace.json", base + ".html"
}

// traceRun writes the trace of a run sim.Test made into the trace
// directory, if there is one.
func traceRun(t testing.TB, dir string, res Result) {
	if dir != "" {
		writeTraces(t, filepath.Join(dir, filepath.FromSlash(safeName(t.Name())), runBase(res)), res)
	}
}

// traceLines tells where a failing run's trace files are, for its report.
func traceLines(replayFile string) string {
	base := strings.TrimSuffix(replayFile, ".replay")
	if replayFile == "" || !fileExists(base+".trace.json") {
		return ""
	}
	return fmt.Sprintf("trace: %s.trace.json (open it in ui.perfetto.dev or chrome://tracing); timeline: %s.html\n", base, base)
}

func fileExists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// logLines lists a run's log records and notes (EvLog), the last
// reportEvents of them, for its report.
func logLines(r Result) string {
	var recs []Event
	for _, ev := range r.Events {
		if ev.Kind == EvLog {
			recs = append(recs, ev)
		}
	}
	if len(recs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("log records and notes:\n")
	if len(recs) > reportEvents {
		fmt.Fprintf(&b, "\t(%d earlier ones in the trace)\n", len(recs)-reportEvents)
		recs = recs[len(recs)-reportEvents:]
	}
	for _, ev := range recs {
		fmt.Fprintf(&b, "\t%v\n", ev)
	}
	return b.String()
}
