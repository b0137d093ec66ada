package lincheck_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/weftsim/weft/lincheck"
	"github.com/weftsim/weft/sim"
)

// A read that returns a value older than a write that had completed
// before it was called is not linearizable; the report names it.
func ExampleHistory_Check() {
	res := sim.Run(func(ctx context.Context) error {
		var h lincheck.History
		h.Call(ctx, 0, lincheck.Put("x", "1")).Return(ctx, nil)
		h.Call(ctx, 1, lincheck.Get("x")).Return(ctx, "1")
		fmt.Println("fresh read:", h.Check(ctx, lincheck.KV))
		h.Call(ctx, 0, lincheck.Put("x", "2")).Return(ctx, nil)
		h.Call(ctx, 1, lincheck.Get("x")).Return(ctx, "1")
		return h.Check(ctx, lincheck.KV)
	})
	var e *lincheck.Error
	if errors.As(res.Err, &e) {
		fmt.Println("cannot be linearized:", e.Stuck[0].Description)
	}
	// Output:
	// fresh read: <nil>
	// cannot be linearized: get(x) -> "1"
}
