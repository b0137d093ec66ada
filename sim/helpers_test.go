package sim_test

import (
	"context"
	goruntime "runtime"
	"slices"
	"sync"

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

// taskLog is a log that tasks append to and the test reads: its own
// sync.Mutex makes that no data race under go test -race, never waits (one
// task runs at a time) and is no scheduling point, so the schedule is the
// program's.
type taskLog[T any] struct {
	mu sync.Mutex
	v  []T
}

func (l *taskLog[T]) add(v T) {
	l.mu.Lock()
	l.v = append(l.v, v)
	l.mu.Unlock()
}

// all returns a copy of the log.
func (l *taskLog[T]) all() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.v)
}
