package properties_test

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/weftsim/weft/sim"
)

// A replay file reproduces any run: the recorded decisions, parsed back
// from the file, give the same hash and the same event log.
func TestReplay_ReproducesAnyRun(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProg(t, allFeatures, 3)
		opts := append(simOpts(t), sim.WithRecording(), sim.WithTrace(1<<12))
		_, first := runProg(t, p, opts...)
		r, err := sim.ParseReplay(first.Replay("TestX").Marshal())
		if err != nil {
			t.Fatal(err)
		}
		_, again := runProg(t, p, append(r.Options(), sim.WithTrace(1<<12))...)
		if again.Hash != first.Hash || !slices.Equal(again.Events, first.Events) {
			t.Fatalf("the replay differs: hash %#x vs %#x\nprogram:\n%v", again.Hash, first.Hash, p)
		}
	})
}

// Any decisions at all (a fuzzer's bytes) give a valid run: the executor
// never fails on its own, whatever the schedule.
func TestAnyDecisionsGiveAValidRun(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProg(t, allFeatures, 3)
		data := rapid.SliceOf(rapid.Byte()).Draw(t, "decision bytes")
		w := newWorld(p)
		res := sim.RunBytes(data, worldBody(w, p), sim.AllowUnobservedPanics(),
			sim.WithStrategy(strategy(t)))
		if res.Err != nil && !isProgramFailure(res.Err) {
			t.Fatalf("the executor failed: %v\nprogram:\n%v", res.Err, p)
		}
	})
}
