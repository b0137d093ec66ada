// Package prod is the production executor: a goroutine per task, the wall
// clock. Package runtime wraps it in runtime.New; package clock serves
// contexts that carry no runtime with Plain.
package prod

import (
	"context"
	"fmt"
	"math/rand/v2"
	goruntime "runtime"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// Config configures an executor.
type Config struct {
	// OnPanic, if not nil, is called on the task's goroutine for every
	// panic of a spawned task.
	OnPanic func(id kernel.TaskID, value any, stack []byte)
}

// Plain serves blocking calls whose ctx carries no runtime at all: in
// production a primitive or a timer may be used from any goroutine (S32).
var Plain = New(Config{})

// Executor is the production executor: a goroutine per task, the wall clock.
type Executor struct {
	cfg      Config
	outside  *kernel.Task
	nextID   atomic.Uint64
	live     liveSet
	blocking blocking // goroutines blocked in socket I/O (ties.go)
}

// New returns a production executor.
func New(c Config) *Executor {
	p := &Executor{cfg: c}
	p.outside = kernel.NewOutside(kernel.NewHost(p))
	return p
}

func (p *Executor) Virtual() bool         { return false }
func (p *Executor) Outside() *kernel.Task { return p.outside }
func (p *Executor) Now() time.Time        { return time.Now() }
func (p *Executor) Current() *kernel.Task { return nil }
func (p *Executor) Note(string)           {}
func (p *Executor) Attach(_, _ any) any   { return nil }
func (p *Executor) Attached(any) any      { return nil }

// register prepares t and adds it to the live set; false after shutdown.
func (p *Executor) register(ctx context.Context, t *kernel.Task, body kernel.Runner, done kernel.Completer) bool {
	kernel.NewTask(t, p.outside.Host(), kernel.TaskID(p.nextID.Add(1)), ctx, body, done)
	return p.live.add(t)
}

func (p *Executor) unregister(t *kernel.Task) { p.live.remove(t) }

func (p *Executor) Spawn(ctx context.Context, _ *kernel.Task, t *kernel.Task, body kernel.Runner, done kernel.Completer) {
	if !p.register(ctx, t, body, done) {
		kernel.Finish(t, kernel.Cancelled, nil, nil)
		return
	}
	go p.run(t)
}

func (p *Executor) run(t *kernel.Task) {
	t.SetGoroutine(kernel.Goroutine())
	defer p.unregister(t)
	defer p.blocking.ended(t)
	if t.Aborted() {
		kernel.Finish(t, kernel.Cancelled, nil, nil)
		return
	}
	kernel.Run(t)
	if o, _, info := t.Result(true); o == kernel.Panicked && p.cfg.OnPanic != nil {
		p.cfg.OnPanic(t.ID(), info.Value, info.Stack)
	}
}

func (p *Executor) BlockOn(root *kernel.Task, body kernel.Runner) error {
	if !p.register(context.Background(), root, body, nil) {
		kernel.Finish(root, kernel.Cancelled, nil, nil)
		return nil
	}
	root.SetGoroutine(kernel.Goroutine())
	defer p.unregister(root)
	defer p.blocking.ended(root)
	kernel.Run(root)
	return nil
}

// Park waits for the token of w's wait on the task's wake channel. Every
// end of a wait made by somebody else (Unpark, a timer, or Abort) sends
// exactly one token, and a wait that ends that way is over only once its
// token is here: so its grant (the winner, the value in the slot) is
// visible, and no token is left over for a later wait (Waiter.Await also
// takes the token of an abort that ended a wait the task never parked on).
//
// Abort reaches the wait through the task's own waiter (Task.AbortWait),
// which ends the task's current generation. If Park does not see the
// abort here, the abort ended this very wait (or a later one, and this
// one ends otherwise), and the task is dropped when it wakes. That keeps
// the common wait a receive on a single channel, with nothing published:
// a wait costs one locked instruction, the CAS that ends it.
func (p *Executor) Park(ctx context.Context, w *kernel.Waiter) error {
	t := w.Task
	if !t.IsTask() {
		select {
		case <-w.Chan():
			return nil
		case <-ctx.Done():
			if w.TryAbandon() {
				return ctx.Err()
			}
			<-w.Chan() // woken at the same time: the grant wins
			return nil
		}
	}
	if t.Aborted() {
		if !w.TryAbandon() {
			w.Await() // granted, or given up by Abort: its token is due
		}
		return kernel.ErrDropped
	}
	if done := ctx.Done(); done == nil {
		w.Await()
	} else if err := waitOrCancel(ctx, done, w); err != nil {
		return err
	}
	if t.Aborted() {
		// Given up by Abort, or granted and aborted before running on:
		// dropped here, as in a simulation; the primitive undoes a grant.
		return kernel.ErrDropped
	}
	return nil
}

// waitOrCancel is Park's wait when ctx can end: the task's own giving up
// (TryAbandon) races the grant, and whichever loses learns it.
func waitOrCancel(ctx context.Context, done <-chan struct{}, w *kernel.Waiter) error {
	select {
	case <-w.Chan():
		w.TokenTaken()
		return nil
	case <-done:
		if w.TryAbandon() {
			return ctx.Err()
		}
		w.Await() // granted (the grant wins) or given up by Abort
		return nil
	}
}

func (p *Executor) Unpark(w *kernel.Waiter) bool {
	if !w.TryWake() {
		return false
	}
	p.Deliver(w)
	return true
}

func (p *Executor) Deliver(w *kernel.Waiter) { w.Chan() <- struct{}{} }

func (p *Executor) Yield(t *kernel.Task) {
	kernel.CheckDrop(t)
	goruntime.Gosched()
}

// Point is never called in production (Host.Ready stays 0): goroutines
// interleave on their own.
func (p *Executor) Point(*kernel.Task, string) {}

func (p *Executor) Abort(t *kernel.Task) {
	if !t.RequestAbort() {
		return
	}
	t.AbortWait()       // wake it if it waits: Park sees the abort
	p.blocking.abort(t) // or if it is blocked in socket I/O
}

func (p *Executor) Shutdown(timeout time.Duration) error {
	idle := p.live.close(p.Abort)
	select {
	case <-idle:
		return nil
	default:
	}
	if timeout < 0 {
		<-idle
		return nil
	}
	tm := time.NewTimer(timeout)
	defer tm.Stop()
	select {
	case <-idle:
		return nil
	case <-tm.C:
	}
	var ids []int
	p.live.forEach(func(t *kernel.Task) { ids = append(ids, int(t.ID())) })
	if len(ids) == 0 {
		return nil
	}
	sort.Ints(ids)
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	return fmt.Errorf("runtime: shutdown timed out after %v; tasks still running (blocked outside any yield point?): %s", timeout, strings.Join(s, ", "))
}

func (p *Executor) RandN(n int) int { return rand.IntN(n) }

func (p *Executor) RandUint64() uint64 { return rand.Uint64() }

func (p *Executor) StartTimer(tm *kernel.Timer) {
	tm.Real = time.AfterFunc(time.Until(tm.When), tm.Expire)
}

func (p *Executor) StopTimer(tm *kernel.Timer) bool {
	return tm.Real != nil && tm.Real.Stop()
}
