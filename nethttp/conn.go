package nethttp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// maxDrain is how much of a request body the handler left unread a
// connection reads past to stay open for the next request; with more
// left, it is closed (as net/http does).
const maxDrain = 256 << 10

// serveConn serves the requests of one connection, in order, until the
// peer closes it, a response asks for the close, or an error. It runs as
// the connection's task, with that task's ctx: each request gets a context
// of its own derived from it, so no request's deadline or cancellation
// outlives the request.
func serveConn(ctx context.Context, c net.Conn, h http.Handler) {
	defer c.Close()
	br := bufio.NewReader(c)
	bw := bufio.NewWriterSize(c, 4<<10)
	ctx = context.WithValue(ctx, http.LocalAddrContextKey, c.LocalAddr())
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !isNetErr(err) {
				// Malformed: answer as net/http does, then hang up.
				fmt.Fprintf(bw, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request")
				bw.Flush()
			}
			return
		}
		if !serveRequest(ctx, c, br, bw, req, h) {
			return
		}
	}
}

// serveRequest runs h for one request and writes its response; it reports
// whether the connection may serve another request.
func serveRequest(ctx context.Context, c net.Conn, br *bufio.Reader, bw *bufio.Writer, req *http.Request, h http.Handler) bool {
	req.RemoteAddr = c.RemoteAddr().String()
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req = req.WithContext(rctx)
	w := newResponse(ctx, bw, req)
	if req.ProtoAtLeast(1, 1) && req.ContentLength != 0 &&
		strings.EqualFold(req.Header.Get("Expect"), "100-continue") {
		req.Body = &expectContinue{ReadCloser: req.Body, w: w}
	}
	if !runHandler(h, w, req) {
		return false
	}
	if err := w.finish(); err != nil {
		return false
	}
	if w.closeAfter {
		return false
	}
	// Read what the handler left of the body, so the next request starts
	// where it should; a large remainder closes the connection instead.
	if req.Body != nil {
		n, err := io.CopyN(io.Discard, req.Body, maxDrain+1)
		if n > maxDrain || (err != nil && err != io.EOF) {
			return false
		}
	}
	return true
}

// runHandler calls h and reports whether it returned normally. A handler
// that panics with http.ErrAbortHandler ends the connection quietly; any
// other panic ends the connection and goes on, so the simulation reports
// it with the handler's stack.
func runHandler(h http.Handler, w *response, req *http.Request) (ok bool) {
	defer func() {
		if ok {
			return
		}
		if r := recover(); r != nil && r != http.ErrAbortHandler {
			panic(r)
		}
	}()
	h.ServeHTTP(w, req)
	return true
}

// expectContinue sends "100 Continue" before the first read of a body the
// client holds back until it is asked for it.
type expectContinue struct {
	io.ReadCloser
	w    *response
	sent bool
}

func (e *expectContinue) Read(p []byte) (int, error) {
	if !e.sent {
		e.sent = true
		if !e.w.committed {
			io.WriteString(e.w.bw, "HTTP/1.1 100 Continue\r\n\r\n")
			if err := e.w.bw.Flush(); err != nil {
				return 0, err
			}
		}
	}
	return e.ReadCloser.Read(p)
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}
