package sim_test

import (
	"context"
	goruntime "runtime"

	"github.com/weftsim/weft/runtime"
)

func goroutines() int { return goruntime.NumGoroutine() }

// joinAll joins every task of js, returning the first error.
func joinAll[T any](ctx context.Context, js *runtime.JoinSet[T]) error {
	for js.Len() > 0 {
		if _, err := js.JoinNext(ctx); err != nil {
			return err
		}
	}
	return nil
}
