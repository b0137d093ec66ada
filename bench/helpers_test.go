package bench_test

import (
	"context"
	"flag"
	"testing"
	"testing/synctest"

	"go.uber.org/goleak"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// inSim runs f as the root task of a simulation without limits and
// returns its scheduling steps.
func inSim(b testing.TB, f func(ctx context.Context) error) uint64 {
	b.Helper()
	res := sim.Run(f, sim.WithStepLimit(0), sim.WithTimeLimit(0), sim.WithStrategy(sim.FIFO()), sim.WithTrace(0))
	if res.Err != nil {
		b.Fatal(res.Err)
	}
	return res.Steps
}

// perStep reports the scheduling steps per unit of work and the time per
// step, from the steps of b.N simulated runs.
func perStep(b *testing.B, steps uint64, units int, name string) {
	b.ReportMetric(float64(steps)/float64(b.N*units), "steps/"+name)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(steps), "ns/step")
}

// inProd runs f on a production runtime.
func inProd(b testing.TB, f func(ctx context.Context) error) {
	b.Helper()
	rt := runtime.New()
	defer rt.Shutdown()
	if err := rt.BlockOn(f); err != nil {
		b.Fatal(err)
	}
}

// inBubble runs f in a testing/synctest bubble. synctest.Test needs a
// *testing.T, which a benchmark does not have: testing.RunTests provides
// one. RunTests repeats each test -test.count times, so the flag is set to
// 1 around the call (benchmarks run one at a time).
func inBubble(b *testing.B, f func()) {
	b.Helper()
	count := flag.Lookup("test.count")
	old := count.Value.String()
	if err := count.Value.Set("1"); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = count.Value.Set(old) }()
	ok := testing.RunTests(func(_, _ string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "bubble", F: func(t *testing.T) {
			synctest.Test(t, func(*testing.T) { f() })
		}}})
	if !ok {
		b.Fatal("the synctest bubble failed")
	}
}

// per reports a custom metric: elapsed time per unit of work.
func per(b *testing.B, units int, name string) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*units), name)
}
