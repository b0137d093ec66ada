package prod

import (
	"io"
	"sync"
	"sync/atomic"

	"github.com/weftsim/weft/internal/kernel"
)

// blocking is what the executor knows of goroutines blocked in socket I/O
// (kernel.IOBlocker): an Abort of a task closes the socket its goroutine
// is blocked on, so that the call returns and the task is dropped there.
type blocking struct {
	used  atomic.Bool // some goroutine has blocked in I/O: Abort looks here
	mu    sync.Mutex
	calls map[uintptr]*ioCall // by goroutine (kernel.Goroutine)
}

// ioCall is a goroutine's I/O in progress (c set), or an abort of its task
// that came while it was doing none (c nil), for its next I/O to see.
type ioCall struct {
	c       io.Closer
	aborted *kernel.Task
}

// BlockIO implements kernel.IOBlocker.
func (p *Executor) BlockIO(c io.Closer) (dropped *kernel.Task, done func() *kernel.Task) {
	b := &p.blocking
	b.used.Store(true)
	g := kernel.Goroutine()
	b.mu.Lock()
	if b.calls == nil {
		b.calls = map[uintptr]*ioCall{}
	}
	if x := b.calls[g]; x != nil { // an abort came first
		b.mu.Unlock()
		return x.aborted, nil
	}
	x := &ioCall{c: c}
	b.calls[g] = x
	b.mu.Unlock()
	return nil, func() *kernel.Task {
		b.mu.Lock()
		delete(b.calls, g)
		t := x.aborted
		b.mu.Unlock()
		if t != nil {
			// The abort's mark goes with this call; the task is dropped now.
			return t
		}
		return nil
	}
}

// abort wakes t if its goroutine is blocked in I/O, or marks it for its
// next I/O. Abort has recorded the abort already.
func (b *blocking) abort(t *kernel.Task) {
	g := t.RunsOn()
	if !b.used.Load() || g == 0 {
		return // no I/O ever, or t has not started (it never will)
	}
	b.mu.Lock()
	if t.Finished() { // its goroutine's value may be another's by now
		b.mu.Unlock()
		return
	}
	x := b.calls[g]
	if x == nil {
		b.calls[g] = &ioCall{aborted: t}
		b.mu.Unlock()
		return
	}
	x.aborted = t
	c := x.c
	b.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// ended forgets t's goroutine, whose value another goroutine may reuse.
func (b *blocking) ended(t *kernel.Task) {
	if !b.used.Load() {
		return
	}
	b.mu.Lock()
	delete(b.calls, t.RunsOn())
	b.mu.Unlock()
}
