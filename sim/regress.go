package sim

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"testing"
	"time"
)

// A replay file is a regression input. Replayed leniently (the default), its
// decisions drive the run for as long as they fit the program; where they
// no longer do, because the program changed since the file was recorded,
// the run goes on deterministically (reinterpret) instead of failing, the
// way rapid and go fuzz treat their corpora. So the file fails while the
// bug it recorded is there and passes once it is fixed, whether or not the
// fix changed the schedule. -sim.strictreplay keeps the exact replay of
// old, which fails at the first decision that does not fit.

// reinterpret answers a decision that a lenient replay's recording does
// not fit: a recorded choice among other options is taken modulo the
// options offered, a raw draw stands for a choice (and a choice for a raw
// draw) as it is, and past the recording's end every decision is 0, the
// first option. The first such decision is noted as the run's drift.
//
//go:norace
func (d *decider) reinterpret(n int) uint64 {
	want, at := Decision{N: -1}, d.pos
	if d.pos < len(d.replay) {
		want = d.replay[d.pos]
		d.pos++
	}
	if fits := want.N == n && (n == 0 || want.V < uint64(n)); !fits && d.drift == nil {
		d.drift = &DivergenceError{Index: at, Step: d.step(), Want: want, Got: n}
	}
	switch {
	case want.N == -1:
		return 0
	case n > 0:
		return want.V % uint64(n)
	}
	return want.V
}

// asInput returns options that run the decisions leniently (see
// reinterpret), recording the decisions the run takes.
//
//go:norace
func asInput(decisions []Decision) Option {
	if decisions == nil {
		decisions = []Decision{}
	}
	return func(c *config) {
		c.replay, c.lenient = decisions, true
		c.record, c.recordCap = true, 0
	}
}

// replayInput reruns the replay file as a regression input (strict: as an
// exact replay) and fails t if it cannot be read, if the failure it
// recorded (or another) happens, if it was recorded by another test, or,
// when strict, if the run diverges from it. A run that passes says in the log whether it followed the file.
//
//go:norace
func replayInput(t testing.TB, file string, body func(context.Context) error, opts []Option, strict bool, id testID) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("sim: %v", err)
	}
	r, err := ParseReplay(data)
	if err != nil {
		t.Fatalf("sim: replay file %s: %v", file, err)
	}
	if r.Test != t.Name() {
		t.Fatalf("sim: replay file %s was recorded by test %q, not by %s; replay it with that test (%s)",
			file, r.Test, t.Name(), testID{id.pkg, r.Test}.command("-sim.replay=FILE"))
	}
	run := append(append(opts[:len(opts):len(opts)], r.Options()...), testTracing(buildConfig(opts)))
	if !strict {
		run = append(run, asInput(r.Decisions))
	}
	res := Run(body, run...)
	var de *DivergenceError
	switch {
	case strict && errors.As(res.Err, &de):
		t.Fatalf("sim: replay of %s: %v\n(if the program changed on purpose, delete the file, or replay it as an input: without -sim.strictreplay)", file, de)
	case strict && res.Hash != r.Hash:
		t.Fatalf("sim: replay of %s diverged: the run's hash is %#016x, the file's %#016x\n(if the program changed on purpose, delete the file, or replay it as an input: without -sim.strictreplay)", file, res.Hash, r.Hash)
	case res.Err != nil || t.Failed():
		writeTraces(t, strings.TrimSuffix(file, ".replay"), res)
		t.Fatalf("%s\n%sreplayed from %s (%s)", report(id, res, 1, ""), traceLines(file), file, followed(res, r))
	}
	was := ""
	if r.Failure != "" {
		was = "; the failure it recorded no longer happens"
	}
	t.Logf("sim: replay file %s passes (%s)%s", file, followed(res, r), was)
}

// followed says how a replay went along its file.
//
//go:norace
func followed(res Result, r *Replay) string {
	switch {
	case res.drift != nil:
		return fmt.Sprintf("it diverged %s; the program changed since the file was recorded, and the run went on with the file as an input",
			strings.TrimPrefix(res.drift.Error(), "sim: replay diverged "))
	case res.Hash != r.Hash:
		return fmt.Sprintf("its decisions fit, but the run's hash is %#016x, the file's %#016x: the program changed since the file was recorded", res.Hash, r.Hash)
	}
	return "it followed the file exactly"
}

// replayName names the replay file of a failing run by its seed, its
// strategy and a digest of the other settings that shape a run (limits,
// start, S17's relaxation), so that runs of one test with other settings
// keep files of their own instead of overwriting each other's.
//
//go:norace
func replayName(res Result) string {
	h := fnv.New32a()
	c := res.cfg
	fmt.Fprintf(h, "%v|%d|%v|%s|%v", res.Strategy, c.stepLimit, c.timeLimit, c.start.Format(time.RFC3339Nano), c.allowPanics)
	return fmt.Sprintf("%s-%08x.replay", runBase(res), h.Sum32())
}
