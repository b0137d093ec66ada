package netsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/internal/kernel"
)

// signal wakes the tasks waiting on a socket. It is runtime.Notify's
// NotifyAll and Wait without their scheduling points: a socket call is one
// scheduling point, at its start (point), and never switches in the middle
// (S2, revised), so a check of the socket's state and the wait that
// follows it see the same state.
type signal struct{ waiters kernel.WaitQueue }

// NotifyAll wakes every task waiting on s.
func (s *signal) NotifyAll() {
	kernel.RaceAcquire(unsafe.Pointer(s)) // the queue's operations are ordered (race.go)
	s.waiters.WakeAll()
	kernel.RaceRelease(unsafe.Pointer(s))
}

// point is the scheduling point of the socket call op, before it acts.
func (n *Network) point(op string) {
	if cur := n.ex.Current(); cur != nil {
		cur.Point(op) // before the operation enters the network (race.go)
	}
}

// wait parks the calling task until sig is notified or the deadline (zero:
// none) passes. Socket methods take no context, so the simulation tells
// which task calls (S32: only tasks may wait).
func (n *Network) wait(sig *signal, deadline time.Time) error {
	cur := n.ex.Current()
	if cur == nil {
		panic("netsim: a blocking socket call outside the simulation's tasks; call it from a task")
	}
	var ctx context.Context = cur
	n.leave() // others use the network meanwhile (race.go)
	defer n.enter()
	if deadline.IsZero() {
		return sig.wait(ctx, cur)
	}
	if !n.ex.Now().Before(deadline) {
		return os.ErrDeadlineExceeded
	}
	dctx, cancel := clock.WithDeadline(ctx, deadline)
	defer cancel()
	if err := sig.wait(dctx, cur); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return os.ErrDeadlineExceeded
		}
		return err
	}
	return nil
}

// wait parks cur until s is notified or ctx ends.
func (s *signal) wait(ctx context.Context, cur *kernel.Task) error {
	kernel.CheckDrop(cur)
	w := cur.Waiter(kernel.Reason{Op: "netsim socket"})
	kernel.RaceAcquire(unsafe.Pointer(s)) // see NotifyAll
	s.waiters.PushBack(w)
	kernel.RaceRelease(unsafe.Pointer(s))
	err := cur.Executor().Park(ctx, w)
	if err != nil {
		kernel.RaceAcquire(unsafe.Pointer(s))
		s.waiters.Remove(w)
		kernel.RaceRelease(unsafe.Pointer(s))
	}
	return kernel.Resume(cur, err)
}

// vet checks the goroutine of a socket call that is no scheduling point
// (point checks it too): in a simulation only its tasks (or the harness,
// between runs) may make one. The simulation fails
// the run and ends any other goroutine (S64), before it touches the
// network.
func (n *Network) vet() { n.ex.Current() }

// note records a network event in the simulation's log and hash.
func (n *Network) note(format string, args ...any) {
	n.ex.Note(fmt.Sprintf(format, args...))
}

// message records the send (delivered false) or a delivery of the message
// id at host: a note that a simulation's trace draws as an arrow from the
// send to the delivery.
func (n *Network) message(id uint64, delivered bool, host *Host, format string, args ...any) {
	if m, ok := n.ex.(kernel.Messenger); ok {
		m.NoteMessage(fmt.Sprintf(format, args...), host.name, id, delivered)
		return
	}
	n.note(format, args...)
}

// newMessage returns a fresh message id.
func (n *Network) newMessage() uint64 {
	n.messages++
	return n.messages
}

// after runs f at the given virtual instant, between scheduling steps.
func (n *Network) after(at time.Time, f func()) {
	tm := &kernel.Timer{When: at, Fire: n.raced(f)}
	n.ex.StartTimer(tm)
}

// travel pauses the calling task for one message's latency from one host
// to another (a connection's handshake).
func (n *Network) travel(ctx context.Context, from, to *Host) error {
	d := n.delay(n.path(from, to))
	n.leave() // others use the network meanwhile (race.go)
	defer n.enter()
	return clock.Sleep(ctx, d)
}

func opError(op, network string, src, dst net.Addr, err error) error {
	return &net.OpError{Op: op, Net: network, Source: src, Addr: dst, Err: err}
}

var (
	errRefused = os.NewSyscallError("connect", syscall.ECONNREFUSED)
	errReset   = os.NewSyscallError("read", syscall.ECONNRESET)
	// errResetWrite is a reset met by a write: labelled as the write's.
	errResetWrite = os.NewSyscallError("write", syscall.ECONNRESET)
	errPipe       = os.NewSyscallError("write", syscall.EPIPE)
	errInUse      = os.NewSyscallError("bind", syscall.EADDRINUSE)
	errTooBig     = os.NewSyscallError("sendto", syscall.EMSGSIZE)
)
