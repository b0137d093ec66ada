package simrapid_test

import (
	"context"
	"errors"
	"fmt"

	"pgregory.net/rapid"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim/simrapid"
)

// A property over schedules: rapid draws every decision of the
// simulation; a failure is shrunk to a minimal schedule.
func ExampleCheck() {
	counter := func(ctx context.Context) error {
		var mu runtime.Mutex
		n := 0
		var wg runtime.WaitGroup
		for range 2 {
			wg.Go(ctx, func(ctx context.Context) {
				if mu.Lock(ctx) != nil {
					return
				}
				defer mu.Unlock()
				v := n
				runtime.YieldNow(ctx)
				n = v + 1
			})
		}
		if err := wg.Wait(ctx); err != nil {
			return err
		}
		if n != 2 {
			return errors.New("lost update")
		}
		return nil
	}
	// In a test: rapid.Check(t, func(t *rapid.T) { simrapid.Check(t, counter) })
	tb := &recorder{} // a quiet testing.TB, for the example's output
	rapid.Check(tb, func(t *rapid.T) { simrapid.Check(t, counter) })
	fmt.Println("every schedule passes:", !tb.Failed())
	// Output: every schedule passes: true
}
