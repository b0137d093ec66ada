package runtime

import (
	"context"

	"github.com/weftsim/weft/internal/kernel"
)

// WaitGroup waits for a collection of tasks (or any counted work) to finish,
// like sync.WaitGroup, but Wait parks the task and honours ctx. The zero
// value is ready to use.
type WaitGroup struct {
	mu      lock
	n       int
	waiters kernel.WaitQueue
}

// Add adds delta, which may be negative, to the counter; when it reaches
// zero every Wait returns. It panics if the counter goes negative.
func (wg *WaitGroup) Add(delta int) {
	wg.add(delta)
	wg.mu.point("WaitGroup.Add")
}

func (wg *WaitGroup) add(delta int) {
	wg.mu.Lock()
	wg.n += delta
	if wg.n < 0 {
		wg.mu.Unlock()
		panic("runtime: negative WaitGroup counter; call Done once per Add")
	}
	if wg.n == 0 {
		wg.waiters.WakeAll()
	}
	wg.mu.Unlock()
}

// Done decrements the counter by one.
func (wg *WaitGroup) Done() {
	wg.add(-1)
	wg.mu.point("WaitGroup.Done")
}

// Go spawns f as a task counted by wg: Add(1) before, Done when f ends,
// however it ends.
func (wg *WaitGroup) Go(ctx context.Context, f func(ctx context.Context)) {
	wg.add(1) // one scheduling point for both: Spawn's
	spawnAt(ctx, func(ctx context.Context) (struct{}, error) {
		defer wg.Done()
		f(ctx)
		return struct{}{}, nil
	}, funcEntry(f), "")
}

// Wait waits until the counter is zero. If ctx ends first it returns
// ctx.Err().
func (wg *WaitGroup) Wait(ctx context.Context) error {
	cur := begin(ctx)
	cur.Point("WaitGroup.Wait") // S2 (revised)
	wg.mu.Lock()
	wg.mu.home.check(cur, "WaitGroup")
	if wg.n == 0 {
		wg.mu.Unlock()
		return nil
	}
	w := cur.Waiter(kernel.Reason{Op: "WaitGroup.Wait"})
	wg.waiters.PushBack(w)
	wg.mu.Unlock()
	err := cur.Executor().Park(ctx, w) // see kernel.LeaveQueue
	if err != nil {
		kernel.LeaveQueue(&wg.mu, &wg.waiters, w)
	}
	return kernel.Resume(cur, err)
}
