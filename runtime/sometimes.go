package runtime

import (
	"context"

	"github.com/weftsim/weft/internal/kernel"
)

// Sometimes states that cond should hold at least once in a while at this
// point of the program: some run of an exploration should get here with
// cond true (a leader change, a retry, a full queue). In a simulation it
// records the evaluation under name; sim.Test lists, at the end of an
// exploration, each named assertion with how many runs hit it (go test -v),
// and sim.RequireSometimes fails the test when one was never hit, so a
// seed sweep can tell that it never reached the path that matters. In
// production it does nothing and costs a few nanoseconds.
func Sometimes(ctx context.Context, cond bool, name string) {
	if cur := kernel.FromContext(ctx); cur != nil {
		if a, ok := cur.Executor().(kernel.Asserter); ok {
			a.Sometimes(name, cond)
		}
	}
}

// Reachable states that some run should get here: Sometimes(ctx, true,
// name).
func Reachable(ctx context.Context, name string) { Sometimes(ctx, true, name) }
