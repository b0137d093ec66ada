package nethttp

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/runtime"
)

// Serve serves h on ln until ln is closed or ctx ends, then closes ln, ends
// every connection it accepted and returns nil. Another Accept error is
// returned.
//
// In a simulation each connection is a task spawned from ctx: it reads
// requests with http.ReadRequest, runs h with r.Context() bound to that
// task (so clock, runtime and netsim calls work in the handler) and writes
// the responses as net/http does. Elsewhere Serve is net/http's Server with
// h and a BaseContext of ctx, so handlers reach the same runtime.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	if h == nil {
		h = http.DefaultServeMux
	}
	if !simulated(ctx) {
		return serveProd(ctx, ln, h)
	}
	if err := ctx.Err(); err != nil {
		ln.Close()
		return nil
	}
	// A watcher closes ln when ctx ends, which ends the Accept below.
	var done runtime.Notify
	watch := runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
		if done.Wait(ctx) != nil {
			ln.Close()
		}
		return struct{}{}, nil
	})
	var conns runtime.JoinSet[struct{}]
	// If the serving task is aborted, its connections go with it.
	defer conns.AbortAll()
	defer done.NotifyOne()
	bg := context.WithoutCancel(ctx)
	for {
		c, err := ln.Accept()
		if err != nil {
			ln.Close()
			done.NotifyOne()
			watch.Join(bg)
			conns.Shutdown(bg)
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		conns.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			serveConn(ctx, c, h)
			return struct{}{}, nil
		})
	}
}

// serveProd is Serve on net/http's Server.
func serveProd(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:     h,
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	err := srv.Serve(ln)
	srv.Close()
	if ctx.Err() != nil || errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// simulated reports whether ctx belongs to a simulation.
func simulated(ctx context.Context) bool {
	cur := kernel.FromContext(ctx)
	return cur != nil && cur.Executor().Virtual()
}
