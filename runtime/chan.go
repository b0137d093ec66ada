package runtime

import (
	"context"
	"errors"
	"iter"

	"github.com/weftsim/weft/internal/kernel"
)

// ErrClosed is returned by Chan.Send on a closed channel, and by Chan.Recv
// once the channel is closed and drained.
var ErrClosed = errors.New("runtime: channel closed")

// ErrFull is returned by Chan.TrySend when the send would have to wait.
var ErrFull = errors.New("runtime: channel full")

// ErrEmpty is returned by Chan.TryRecv when the receive would have to wait.
var ErrEmpty = errors.New("runtime: channel empty")

// Chan is a task-aware multi-producer multi-consumer channel: bounded,
// rendezvous (capacity 0) or unbounded. Waiting senders and receivers are
// served in arrival order (S30), and a value handed to a waiting receiver
// goes to it directly, so none is lost or taken out of turn.
type Chan[T any] struct {
	mu     lock
	cap    int // < 0: unbounded
	buf    ring[T]
	closed bool
	recvq  kernel.WaitQueue // Data: *chanOp[T]
	sendq  kernel.WaitQueue // Data: *chanOp[T]
}

// chanOp is the slot of one waiting send or receive.
type chanOp[T any] struct {
	val    T
	closed bool // completed by Close, not by a peer
}

// opFor returns a cleared slot for one wait of cur. A task reuses its own:
// once its wait is over (granted, or withdrawn under the channel's lock) no
// grantor holds the slot any more.
func opFor[T any](cur *kernel.Task) *chanOp[T] {
	op := slotFor[T](cur)
	*op = chanOp[T]{}
	return op
}

// slotFor returns cur's slot for type T as it is (Select's receive cases
// share it; see grantRecv).
func slotFor[T any](cur *kernel.Task) *chanOp[T] {
	if !cur.IsTask() {
		return new(chanOp[T])
	}
	op, ok := cur.Scratch.(*chanOp[T])
	if !ok {
		op = new(chanOp[T])
		cur.Scratch = op
	}
	return op
}

// status is how an attempt to complete an operation at once went.
type status uint8

const (
	notReady  status = iota // it must wait
	completed               // it happened (or failed for good: closed)
	lost                    // its Select was already won by another case
	retry                   // claimed, then its partner vanished: start over
	misused                 // a Chan of another runtime (§8): nothing happened
)

// NewChan returns a channel of the given capacity: 0 makes a rendezvous
// channel (a send waits for a receiver), a negative capacity an unbounded
// one (a send never waits).
func NewChan[T any](capacity int) *Chan[T] {
	return &Chan[T]{cap: capacity}
}

// claimer tracks whether an operation won its wait (Select) before acting.
type claimer struct {
	w       *kernel.Waiter // nil: a plain operation, which need not claim
	claimed bool
}

// claimFor is the claimer of a Select case's waiter w. The first case
// tried needs no claim: no case is registered yet, so only Abort can end
// the wait meanwhile, and the task takes its token later (kernel.AbortWait).
func claimFor(w *kernel.Waiter, first bool) *claimer {
	if first {
		return &claimer{}
	}
	return &claimer{w: w}
}

func (c *claimer) claim() bool {
	if c.w == nil || c.claimed {
		return true
	}
	c.claimed = c.w.TryWake()
	return c.claimed
}

// giveUp ends an attempt that found nothing to do.
func (c *claimer) giveUp() status {
	if c.claimed {
		c.w.Unclaim()
		return retry
	}
	return notReady
}

// sendNow completes a send of v at once if it can. c.mu is held.
func (c *Chan[T]) sendNow(v T, cl *claimer) (status, error) {
	if c.closed {
		if !cl.claim() {
			return lost, nil
		}
		return completed, ErrClosed
	}
	for rw := c.recvq.Front(); rw != nil; rw = c.recvq.Front() {
		if !rw.Waiting() {
			c.recvq.Remove(rw) // it gave up, or its Select went another way
			continue
		}
		if !cl.claim() {
			return lost, nil
		}
		c.recvq.Remove(rw)
		if grantRecv(rw, v, false) {
			return completed, nil
		}
	}
	if c.cap < 0 || c.buf.len() < c.cap {
		if !cl.claim() {
			return lost, nil
		}
		c.buf.push(v)
		return completed, nil
	}
	return cl.giveUp(), nil
}

// recvNow completes a receive at once if it can. c.mu is held.
func (c *Chan[T]) recvNow(cl *claimer) (T, status, error) {
	var zero T
	if c.buf.len() > 0 {
		if !cl.claim() {
			return zero, lost, nil
		}
		v := c.buf.pop()
		c.refill()
		return v, completed, nil
	}
	for sw := c.sendq.Front(); sw != nil; sw = c.sendq.Front() {
		if !sw.Waiting() {
			c.sendq.Remove(sw)
			continue
		}
		if !cl.claim() {
			return zero, lost, nil
		}
		c.sendq.Remove(sw)
		v := sw.Data.(*chanOp[T]).val
		if sw.Task.Executor().Unpark(sw) {
			return v, completed, nil
		}
	}
	if c.closed {
		if !cl.claim() {
			return zero, lost, nil
		}
		return zero, completed, ErrClosed
	}
	return zero, cl.giveUp(), nil
}

// grantRecv completes the wait of rw, a receiver (or, with closed, any
// waiter) of c: it wins the wait first and writes the waiter's slot only
// then, because the receive cases of a Select share one slot per task and
// element type, and only the case that wins may write it.
func grantRecv[T any](rw *kernel.Waiter, v T, closed bool) bool {
	if !rw.TryWake() {
		return false
	}
	*rw.Data.(*chanOp[T]) = chanOp[T]{val: v, closed: closed}
	rw.Task.Executor().Deliver(rw)
	return true
}

// refill moves waiting senders' values into freed buffer space, in order.
func (c *Chan[T]) refill() {
	for c.buf.len() < c.cap {
		sw := c.sendq.PopFront()
		if sw == nil {
			return
		}
		v := sw.Data.(*chanOp[T]).val
		if sw.Task.Executor().Unpark(sw) {
			c.buf.push(v)
		}
	}
}

// feed hands buffered values to waiting receivers (after a value was put
// back by a receiver dropped right after it was handed over).
func (c *Chan[T]) feed() {
	for c.buf.len() > 0 {
		rw := c.recvq.PopFront()
		if rw == nil {
			return
		}
		if v := c.buf.pop(); !grantRecv(rw, v, false) {
			c.buf.pushFront(v)
		}
	}
}

// Send sends v, waiting while the channel is full (or, for a rendezvous
// channel, until a receiver takes it). It returns ErrClosed if the channel
// is closed, before or while waiting. If ctx ends first it returns ctx.Err()
// and nothing was sent (S20).
func (c *Chan[T]) Send(ctx context.Context, v T) error {
	cur := ownTask(ctx) // begin, inline
	if cur == nil {
		cur = begin(ctx)
	}
	cur.Point("Chan.Send") // S2 (revised)
	c.mu.Lock()
	c.mu.home.check(cur, "Chan")
	if st, err := c.sendNow(v, &claimer{}); st == completed {
		c.mu.Unlock()
		return err
	}
	op := opFor[T](cur)
	op.val = v
	w := cur.Waiter(kernel.Reason{Op: "Chan.Send"})
	w.Data = op
	c.sendq.PushBack(w)
	c.mu.Unlock()
	if err := cur.Executor().Park(ctx, w); err != nil { // see kernel.LeaveQueue
		kernel.LeaveQueue(&c.mu, &c.sendq, w)
		return kernel.Resume(cur, err) // a send granted before a drop has happened
	}
	if op.closed {
		return ErrClosed
	}
	return nil
}

// Recv receives a value, waiting while the channel is empty. Once the
// channel is closed and drained it returns ErrClosed. If ctx ends first it
// returns ctx.Err() and nothing was received (S20).
func (c *Chan[T]) Recv(ctx context.Context) (T, error) {
	cur := ownTask(ctx) // begin, inline
	if cur == nil {
		cur = begin(ctx)
	}
	cur.Point("Chan.Recv") // S2 (revised)
	c.mu.Lock()
	c.mu.home.check(cur, "Chan")
	if v, st, err := c.recvNow(&claimer{}); st == completed {
		c.mu.Unlock()
		return v, err
	}
	op := opFor[T](cur)
	w := cur.Waiter(kernel.Reason{Op: "Chan.Recv"})
	w.Data = op
	c.recvq.PushBack(w)
	c.mu.Unlock()
	if err := cur.Executor().Park(ctx, w); err != nil { // see kernel.LeaveQueue
		if kernel.LeaveQueue(&c.mu, &c.recvq, w) && !op.closed {
			c.putBack(op.val)
		}
		var zero T
		return zero, kernel.Resume(cur, err)
	}
	if op.closed {
		var zero T
		return zero, ErrClosed
	}
	return op.val, nil
}

// putBack returns a value handed to a receiver that was dropped before it
// could take it: no message is lost (S30).
func (c *Chan[T]) putBack(v T) {
	c.mu.Lock()
	c.buf.pushFront(v)
	c.feed()
	c.mu.Unlock()
}

// TrySend sends v if that needs no wait; otherwise it returns ErrFull, or
// ErrClosed if the channel is closed.
func (c *Chan[T]) TrySend(v T) error {
	c.mu.point("Chan.TrySend")
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, err := c.sendNow(v, &claimer{}); st == completed {
		return err
	}
	return ErrFull
}

// TryRecv receives a value if one is ready; otherwise it returns ErrEmpty,
// or ErrClosed if the channel is closed and drained.
func (c *Chan[T]) TryRecv() (T, error) {
	c.mu.point("Chan.TryRecv")
	c.mu.Lock()
	defer c.mu.Unlock()
	v, st, err := c.recvNow(&claimer{})
	if st == completed {
		return v, err
	}
	return v, ErrEmpty
}

// Close closes the channel: waiting and later sends fail with ErrClosed;
// receives drain the buffer, then fail with ErrClosed. It panics if the
// channel is already closed.
func (c *Chan[T]) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		panic("runtime: Close of a closed Chan; close a channel once, from its sender")
	}
	c.closed = true
	for _, q := range []*kernel.WaitQueue{&c.recvq, &c.sendq} {
		for w := q.PopFront(); w != nil; w = q.PopFront() {
			var zero T
			grantRecv(w, zero, true) // a waiting sender's slot alike
		}
	}
	c.mu.Unlock()
	c.mu.point("Chan.Close")
}

// Len returns the number of buffered values.
func (c *Chan[T]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.len()
}

// Cap returns the capacity the channel was made with (negative: unbounded).
func (c *Chan[T]) Cap() int { return c.cap }

// All returns an iterator over received values, for range loops. It stops
// when the channel is closed and drained, or when ctx ends (check ctx.Err()
// to tell which).
func (c *Chan[T]) All(ctx context.Context) iter.Seq[T] {
	return func(yield func(T) bool) {
		for {
			v, err := c.Recv(ctx)
			if err != nil || !yield(v) {
				return
			}
		}
	}
}
