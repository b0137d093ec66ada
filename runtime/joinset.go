package runtime

import (
	"context"
	"sync"

	"github.com/weftsim/weft/internal/kernel"
)

// JoinSet is a collection of tasks whose results are taken in completion
// order (S18). The zero value is an empty set ready to use.
//
// Go has no destructors: a JoinSet that is dropped without Shutdown leaves
// its tasks running, detached. Call Shutdown (or AbortAll and drain
// JoinNext) when a set's tasks must not outlive it.
type JoinSet[T any] struct {
	s joinSet[T]
}

type joinSet[T any] struct {
	mu      sync.Mutex
	members []*body[T] // running tasks in a stable order, for AbortAll
	done    []*body[T] // finished, not yet joined, in completion order
	live    int        // members + done
	waiters kernel.WaitQueue
}

// Spawn starts f as a task in the set and returns its ID. Like the package
// Spawn, it never runs f inline.
func (s *JoinSet[T]) Spawn(ctx context.Context, f func(ctx context.Context) (T, error)) TaskID {
	return s.spawn(ctx, f, "")
}

func (s *JoinSet[T]) spawn(ctx context.Context, f func(ctx context.Context) (T, error), name string) TaskID {
	cur := kernel.FromContext(ctx)
	if cur == nil {
		panic(spawnMisuse)
	}
	cur.Point(kernel.OpSpawn) // S2 (revised): before it, as Spawn's
	if name != "" {
		ctx = kernel.WithName(ctx, name)
	}
	b := &body[T]{f: f}
	js := &s.s
	js.mu.Lock()
	b.setIndex = len(js.members)
	js.members = append(js.members, b)
	js.live++
	js.mu.Unlock()
	b.task.SpawnFunc = funcEntry(f)
	cur.Executor().Spawn(ctx, cur, &b.task, b, js)
	return b.task.ID()
}

// TaskDone moves a finished member to the completion queue and wakes one
// JoinNext waiter.
func (js *joinSet[T]) TaskDone(t *kernel.Task) {
	b := t.Body().(*body[T])
	js.mu.Lock()
	defer js.mu.Unlock()
	i, last := b.setIndex, len(js.members)-1
	js.members[i] = js.members[last]
	js.members[i].setIndex = i
	js.members[last] = nil
	js.members = js.members[:last]
	js.done = append(js.done, b)
	js.waiters.WakeOne()
}

// JoinNext waits for the next task of the set to finish and returns its
// result as JoinHandle.Join would, removing it from the set. It returns
// ErrNoTasks if the set is empty, or ctx's error if ctx ends first (the
// set is then unchanged).
func (s *JoinSet[T]) JoinNext(ctx context.Context) (T, error) {
	js := &s.s
	var zero T
	if cur := kernel.FromContext(ctx); cur != nil {
		kernel.CheckDrop(cur) // a cancellation point even when a result is ready
	}
	for {
		js.mu.Lock()
		if len(js.done) > 0 {
			b := js.done[0]
			js.done[0] = nil
			js.done = js.done[1:]
			js.live--
			js.mu.Unlock()
			b.task.Result(false) // observed (S17)
			return b.result()
		}
		if js.live == 0 {
			js.mu.Unlock()
			return zero, ErrNoTasks
		}
		cur := kernel.FromContext(ctx)
		if cur == nil {
			cur = js.members[0].task.Executor().Outside()
		}
		w := cur.Waiter(kernel.Reason{Op: "JoinSet.JoinNext"})
		js.waiters.PushBack(w)
		if granted, err := kernel.ParkQueued(ctx, cur, &js.mu, &js.waiters, w); err != nil {
			if granted { // the completion meant for us goes to the next waiter
				js.mu.Lock()
				js.waiters.WakeOne()
				js.mu.Unlock()
			}
			return zero, kernel.Resume(cur, err)
		}
	}
}

// Len returns the number of tasks in the set: running, or finished and not
// yet taken by JoinNext.
func (s *JoinSet[T]) Len() int {
	js := &s.s
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.live
}

// AbortAll aborts every task of the set. The tasks stay in the set until
// JoinNext takes them, reporting ErrCancelled (or their result, if they
// finished first).
func (s *JoinSet[T]) AbortAll() {
	js := &s.s
	js.mu.Lock()
	members := append([]*body[T](nil), js.members...)
	js.mu.Unlock()
	for _, b := range members {
		b.task.Executor().Abort(&b.task)
	}
	if len(members) > 0 {
		members[0].task.Host().Point("JoinSet.AbortAll") // S2 (revised)
	}
}

// Shutdown aborts every task of the set and waits until all have ended,
// discarding their results. If ctx ends first it returns early, leaving the
// remaining tasks in the set.
func (s *JoinSet[T]) Shutdown(ctx context.Context) {
	s.AbortAll()
	for {
		if _, err := s.JoinNext(ctx); err == ErrNoTasks || (err != nil && ctx.Err() != nil) {
			return
		}
	}
}
