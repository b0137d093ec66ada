package nethttp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
)

// DefaultMaxIdleConnsPerHost is how many idle connections a Transport
// keeps per host when MaxIdleConnsPerHost is zero.
const DefaultMaxIdleConnsPerHost = 2

// Transport is an http.RoundTripper over netsim: plain HTTP/1.1, idle
// connections kept for reuse. The zero value is ready to use, and a
// Transport is safe for concurrent use.
//
// With a request whose context belongs to a simulation, it dials with
// netsim.Dial on that context, writes the request with Request.Write and
// reads the response with http.ReadResponse; the request's context ends
// the wait for the response or its body (cancellation and deadlines in
// virtual time), and a connection that saw an error is never reused.
// Otherwise the request goes to a net/http Transport dialling with
// netsim.Dial.
type Transport struct {
	// MaxIdleConnsPerHost bounds the idle connections kept per host
	// (zero: DefaultMaxIdleConnsPerHost; negative: none).
	MaxIdleConnsPerHost int

	//weftvet:ignore guards two fields, never across a wait; net/http's goroutines share a production Transport
	mu   sync.Mutex // guards idle and prod
	idle []*persistConn
	prod *http.Transport
}

// persistConn is a connection that may serve several requests in turn.
type persistConn struct {
	key  string
	conn net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
}

// RoundTrip sends req and returns its response. The response body must be
// read to its end or closed; a body read to its end gives the connection
// back for reuse.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !simulated(ctx) {
		return t.production().RoundTrip(req)
	}
	if req.URL == nil || req.URL.Scheme != "http" {
		closeBody(req)
		return nil, fmt.Errorf("nethttp: unsupported protocol scheme in %v (a simulation serves plain http only)", req.URL)
	}
	if err := ctx.Err(); err != nil {
		closeBody(req)
		return nil, err
	}
	out, err := prepare(req)
	if err != nil {
		return nil, err
	}
	key := canonicalAddr(req)
	pc := t.takeIdle(key)
	if pc == nil {
		c, err := netsim.Dial(ctx, "tcp", key)
		if err != nil {
			closeBody(out)
			return nil, err
		}
		pc = &persistConn{key: key, conn: c, br: bufio.NewReader(c), bw: bufio.NewWriter(c)}
	}
	stop := watch(ctx, pc.conn)
	resp, err := pc.exchange(out)
	if err != nil {
		stop()
		pc.conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	reusable := !resp.Close && !out.Close
	body := &bodyReader{t: t, pc: pc, ctx: ctx, stop: stop, r: resp.Body, reuse: reusable}
	if resp.Body == http.NoBody || resp.Body == nil {
		body.end(io.EOF)
		resp.Body = http.NoBody
	} else {
		resp.Body = body
	}
	return resp, nil
}

// exchange writes req and reads its response.
func (pc *persistConn) exchange(req *http.Request) (*http.Response, error) {
	if err := req.Write(pc.bw); err != nil {
		return nil, err
	}
	if err := pc.bw.Flush(); err != nil {
		return nil, err
	}
	for {
		resp, err := http.ReadResponse(pc.br, req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
			continue // an informational response; the real one follows
		}
		return resp, nil
	}
}

// prepare returns the request to write. A GET, HEAD, DELETE or OPTIONS
// body of unknown length makes Request.Write probe it from a goroutine
// under a wall-clock timer: such a body is read here instead, so its
// length is known. req itself is left as it is.
func prepare(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength > 0 {
		return req, nil
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions, "PROPFIND", "SEARCH":
	default:
		return req, nil // sent chunked, from this task
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	out := *req
	out.ContentLength = int64(len(data))
	out.Body = http.NoBody
	if len(data) > 0 {
		out.Body = io.NopCloser(bytes.NewReader(data))
	}
	return &out, nil
}

// watch ends c's pending and future reads and writes (a deadline in the
// past) if ctx ends before stop is called. A task waits for ctx, since
// socket calls take no context.
func watch(ctx context.Context, c net.Conn) (stop func()) {
	if ctx.Done() == nil {
		return func() {}
	}
	w := &watcher{}
	runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
		if w.done.Wait(ctx) != nil && !w.stopped.Load() {
			c.SetDeadline(time.Unix(1, 0))
		}
		return struct{}{}, nil
	})
	return w.stop
}

// watcher is watch's state: stopped is set before the watching task is
// told, so a task woken by its ctx just after the exchange ended leaves a
// connection given back for reuse alone.
type watcher struct {
	done    runtime.Notify
	stopped atomic.Bool
}

func (w *watcher) stop() {
	w.stopped.Store(true)
	w.done.NotifyOne()
}

// bodyReader is a response body: once read to its end it gives the
// connection back to the Transport; closed early, or after an error, it
// closes the connection.
type bodyReader struct {
	t     *Transport
	pc    *persistConn
	ctx   context.Context
	stop  func()
	r     io.ReadCloser
	reuse bool
	ended bool
	err   error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.ended {
		if b.err != nil && b.err != io.EOF {
			return 0, b.err
		}
		return 0, io.EOF
	}
	n, err := b.r.Read(p)
	if err != nil {
		if err != io.EOF && b.ctx.Err() != nil {
			err = b.ctx.Err()
		}
		b.end(err)
	}
	return n, err
}

func (b *bodyReader) Close() error {
	if !b.ended {
		b.end(errBodyClosed)
	}
	return nil
}

// end releases the connection: to the idle pool after a clean end of the
// body, closed otherwise.
func (b *bodyReader) end(err error) {
	b.ended, b.err = true, err
	b.stop()
	if err == io.EOF && b.reuse && b.ctx.Err() == nil {
		b.t.putIdle(b.pc)
		return
	}
	b.pc.conn.Close()
}

var errBodyClosed = errors.New("nethttp: read on closed response body")

func (t *Transport) takeIdle(key string) *persistConn {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := len(t.idle) - 1; i >= 0; i-- { // the most recently used first
		if pc := t.idle[i]; pc.key == key {
			t.idle = append(t.idle[:i], t.idle[i+1:]...)
			return pc
		}
	}
	return nil
}

func (t *Transport) putIdle(pc *persistConn) {
	limit := t.MaxIdleConnsPerHost
	if limit == 0 {
		limit = DefaultMaxIdleConnsPerHost
	}
	t.mu.Lock()
	n := 0
	for _, o := range t.idle {
		if o.key == pc.key {
			n++
		}
	}
	keep := n < limit
	if keep {
		t.idle = append(t.idle, pc)
	}
	t.mu.Unlock()
	if !keep {
		pc.conn.Close()
	}
}

// CloseIdleConnections closes the connections kept for reuse (in the order
// they became idle, so a simulation's log is the same on every run).
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	idle, prod := t.idle, t.prod
	t.idle = nil
	t.mu.Unlock()
	for _, pc := range idle {
		pc.conn.Close()
	}
	if prod != nil {
		prod.CloseIdleConnections()
	}
}

// production returns the net/http Transport serving requests outside a
// simulation.
func (t *Transport) production() *http.Transport {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.prod == nil {
		p := http.DefaultTransport.(*http.Transport).Clone()
		p.DialContext = netsim.Dial
		if t.MaxIdleConnsPerHost != 0 {
			p.MaxIdleConnsPerHost = t.MaxIdleConnsPerHost
		}
		t.prod = p
	}
	return t.prod
}

// canonicalAddr is req's host:port, port 80 by default.
func canonicalAddr(req *http.Request) string {
	host := req.URL.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		return net.JoinHostPort(host, "80")
	}
	return host
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
