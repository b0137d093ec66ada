package simrapid_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"pgregory.net/rapid"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim/simrapid"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// lostUpdate loses an increment when the two workers interleave across the
// yield point between their read and their write.
func lostUpdate(ctx context.Context) error {
	var counter atomic.Int64 // no data race: the bug is the lost update
	var wg runtime.WaitGroup
	for range 2 {
		wg.Go(ctx, func(ctx context.Context) {
			v := counter.Load()
			runtime.YieldNow(ctx)
			counter.Store(v + 1)
		})
	}
	if err := wg.Wait(ctx); err != nil {
		return err
	}
	if counter.Load() != 2 {
		return errors.New("lost update")
	}
	return nil
}

// recorder is a rapid.TB that keeps what rapid reports.
type recorder struct {
	mu     sync.Mutex
	out    strings.Builder
	failed bool
}

func (r *recorder) Helper()      {}
func (r *recorder) Name() string { return "TestShrink" }
func (r *recorder) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(&r.out, format+"\n", args...)
}
func (r *recorder) Log(args ...any)                   { r.Logf("%s", fmt.Sprint(args...)) }
func (r *recorder) Skipf(format string, args ...any)  { r.Logf(format, args...); goruntime.Goexit() }
func (r *recorder) Skip(args ...any)                  { r.Log(args...); goruntime.Goexit() }
func (r *recorder) SkipNow()                          { goruntime.Goexit() }
func (r *recorder) Errorf(format string, args ...any) { r.Logf(format, args...); r.Fail() }
func (r *recorder) Error(args ...any)                 { r.Log(args...); r.Fail() }
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); r.FailNow() }
func (r *recorder) Fatal(args ...any)                 { r.Error(args...); r.FailNow() }
func (r *recorder) FailNow()                          { r.Fail(); goruntime.Goexit() }
func (r *recorder) Fail() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
}
func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

// The hand-written minimal interleaving of lostUpdate has 6 steps: the root
// spawns both workers and waits; worker A reads and yields; worker B reads
// and yields; A writes and ends; B writes and ends; the root sees 1.
const minimalLostUpdateSteps = 6

func TestCheck_ShrinksTheLostUpdateToAMinimalSchedule(t *testing.T) {
	nofail := flag.Lookup("rapid.nofailfile")
	require.NoError(t, nofail.Value.Set("true"))
	defer func() { _ = nofail.Value.Set("false") }()

	rec := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rapid.Check(rec, func(t *rapid.T) { simrapid.Check(t, lostUpdate) })
	}()
	<-done
	require.True(t, rec.Failed(), "rapid did not find the lost update")
	out := rec.out.String()
	i := strings.LastIndex(out, "schedule (")
	require.GreaterOrEqual(t, i, 0, out)
	var steps int
	_, err := fmt.Sscanf(out[i:], "schedule (%d steps)", &steps)
	require.NoError(t, err)
	// rapid's shrinking is heuristic and its seed random: allow a few steps
	// over the minimum, which the scheduling points of WaitGroup.Wait and
	// Done (SPEC S2, revised) can add to a locally minimal schedule.
	assert.LessOrEqual(t, steps, minimalLostUpdateSteps+3, "shrunk schedule:\n%s", out[i:])
	assert.Contains(t, out[i:], "task 2 runs, yields")
	t.Logf("rapid's minimal schedule:\n%s", out[i:])
}

func TestCheck_PassesACorrectProgram(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		simrapid.Check(t, func(ctx context.Context) error {
			var mu runtime.Mutex
			counter := 0
			var wg runtime.WaitGroup
			for range 3 {
				wg.Go(ctx, func(ctx context.Context) {
					if mu.Lock(ctx) != nil {
						return
					}
					defer mu.Unlock()
					v := counter
					runtime.YieldNow(ctx)
					counter = v + 1
				})
			}
			if err := wg.Wait(ctx); err != nil {
				return err
			}
			if counter != 3 {
				return errors.New("lost update under a lock")
			}
			return nil
		})
	})
}
