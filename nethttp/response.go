package nethttp

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"

	"github.com/weftsim/weft/clock"
)

// bufferBeforeChunking is how much a handler may write before its
// response is committed: a handler that writes less and returns gets a
// Content-Length, one that writes more (or flushes) a chunked body.
const bufferBeforeChunking = 2048

// response is the http.ResponseWriter of a simulated connection. It writes
// as net/http's server does: status line, sorted headers with Date from the
// runtime's clock, then a body framed by Content-Length or chunked
// encoding (HTTP/1.0: ended by closing the connection).
type response struct {
	ctx    context.Context
	bw     *bufio.Writer
	req    *http.Request
	header http.Header

	status      int
	wroteHeader bool
	committed   bool
	buf         []byte    // the body written before the commit
	body        io.Writer // where the body goes once committed
	chunked     io.WriteCloser
	declared    int64 // the handler's Content-Length, or -1
	written     int64
	closeAfter  bool // the connection ends after this response
}

func newResponse(ctx context.Context, bw *bufio.Writer, req *http.Request) *response {
	return &response{ctx: ctx, bw: bw, req: req, header: make(http.Header), declared: -1}
}

func (w *response) Header() http.Header { return w.header }

func (w *response) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("nethttp: invalid WriteHeader code %d; use a status code from 100 to 999", code))
	}
	if w.wroteHeader {
		return // net/http logs "superfluous WriteHeader"; the first wins
	}
	if code < 200 && code != http.StatusSwitchingProtocols {
		// An informational response goes out at once; the real one follows.
		fmt.Fprintf(w.bw, "HTTP/1.1 %d %s\r\n", code, statusText(code))
		w.header.Write(w.bw)
		io.WriteString(w.bw, "\r\n")
		w.bw.Flush()
		return
	}
	w.wroteHeader, w.status = true, code
	if cl := w.header.Get("Content-Length"); cl != "" {
		if v, err := strconv.ParseInt(cl, 10, 64); err == nil && v >= 0 {
			w.declared = v
		} else {
			w.header.Del("Content-Length") // as net/http: ignore a bad one
		}
	}
}

func (w *response) bodyAllowed() bool {
	return w.status >= 200 && w.status != http.StatusNoContent && w.status != http.StatusNotModified
}

func (w *response) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.bodyAllowed() {
		return 0, http.ErrBodyNotAllowed
	}
	if w.declared >= 0 && w.written+int64(len(p)) > w.declared {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if !w.committed {
		w.buf = append(w.buf, p...)
		if len(w.buf) <= bufferBeforeChunking {
			return len(p), nil
		}
		if err := w.commit(false); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if w.req.Method == http.MethodHead {
		return len(p), nil
	}
	return w.body.Write(p)
}

// Flush commits the response and sends what was written so far.
func (w *response) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed && w.commit(false) != nil {
		return
	}
	w.bw.Flush()
}

// commit writes the status line and headers, then the buffered body.
// final says the handler has returned, so the body's length is known.
func (w *response) commit(final bool) error {
	w.committed = true
	h := w.header.Clone()
	head := w.req.Method == http.MethodHead
	if h.Get("Date") == "" {
		h.Set("Date", clock.Now(w.ctx).UTC().Format(http.TimeFormat))
	}
	hasTE := h.Get("Transfer-Encoding") != ""
	if w.bodyAllowed() {
		if h.Get("Content-Type") == "" && len(w.buf) > 0 && !hasTE {
			h.Set("Content-Type", http.DetectContentType(w.buf[:min(len(w.buf), 512)]))
		}
		switch {
		case w.declared >= 0 || hasTE:
		case final && (!head || len(w.buf) > 0):
			h.Set("Content-Length", strconv.Itoa(len(w.buf)))
		case final || head:
		case w.req.ProtoAtLeast(1, 1):
			h.Set("Transfer-Encoding", "chunked")
			w.chunked = httputil.NewChunkedWriter(w.bw)
		default: // HTTP/1.0: the end of the connection ends the body
			w.closeAfter = true
		}
	}
	if w.req.Close || strings.EqualFold(h.Get("Connection"), "close") {
		w.closeAfter = true
	}
	switch {
	case w.closeAfter:
		h.Set("Connection", "close")
	case !w.req.ProtoAtLeast(1, 1):
		h.Set("Connection", "keep-alive")
	}
	fmt.Fprintf(w.bw, "HTTP/1.1 %d %s\r\n", w.status, statusText(w.status))
	if err := h.Write(w.bw); err != nil {
		return err
	}
	io.WriteString(w.bw, "\r\n")
	w.body = w.bw
	if w.chunked != nil {
		w.body = w.chunked
	}
	buf := w.buf
	w.buf = nil
	if head || !w.bodyAllowed() || len(buf) == 0 {
		return nil
	}
	_, err := w.body.Write(buf)
	return err
}

// finish completes the response once the handler has returned.
func (w *response) finish() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		if err := w.commit(true); err != nil {
			return err
		}
	}
	if w.chunked != nil {
		if err := w.chunked.Close(); err != nil { // the last chunk
			return err
		}
		io.WriteString(w.bw, "\r\n") // no trailers
	}
	if w.declared >= 0 && w.written < w.declared && w.req.Method != http.MethodHead {
		w.closeAfter = true // the peer waits for bytes that never come
	}
	return w.bw.Flush()
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "status code " + strconv.Itoa(code)
}
