package netsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/runtime"
)

// wait parks the calling task until sig is notified or the deadline (zero:
// none) passes. Socket methods take no context, so the simulation tells
// which task calls (S32: only tasks may wait).
func (n *Network) wait(sig *runtime.Notify, deadline time.Time) error {
	cur := n.ex.Current()
	if cur == nil {
		panic("netsim: a blocking socket call outside the simulation's tasks; call it from a task")
	}
	var ctx context.Context = cur
	if deadline.IsZero() {
		return sig.Wait(ctx)
	}
	if !n.ex.Now().Before(deadline) {
		return os.ErrDeadlineExceeded
	}
	dctx, cancel := clock.WithDeadline(ctx, deadline)
	defer cancel()
	if err := sig.Wait(dctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return os.ErrDeadlineExceeded
		}
		return err
	}
	return nil
}

// note records a network event in the simulation's log and hash.
func (n *Network) note(format string, args ...any) {
	n.ex.Note(fmt.Sprintf(format, args...))
}

// after runs f at the given virtual instant, between scheduling steps.
func (n *Network) after(at time.Time, f func()) {
	tm := &kernel.Timer{When: at, Fire: f}
	n.ex.StartTimer(tm)
}

// travel pauses the calling task for one message's latency from one host
// to another (a connection's handshake).
func (n *Network) travel(ctx context.Context, from, to *Host) error {
	return clock.Sleep(ctx, n.delay(n.path(from, to)))
}

func opError(op, network string, src, dst net.Addr, err error) error {
	return &net.OpError{Op: op, Net: network, Source: src, Addr: dst, Err: err}
}

var (
	errRefused = os.NewSyscallError("connect", syscall.ECONNREFUSED)
	errReset   = os.NewSyscallError("read", syscall.ECONNRESET)
	errPipe    = os.NewSyscallError("write", syscall.EPIPE)
	errInUse   = os.NewSyscallError("bind", syscall.EADDRINUSE)
	errTooBig  = os.NewSyscallError("sendto", syscall.EMSGSIZE)
)
