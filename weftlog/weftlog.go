package weftlog

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"

	"github.com/weftsim/weft/internal/kernel"
)

// Handler is the handler New returns.
type Handler struct {
	inner slog.Handler
	text  *textLog
}

// textLog formats records for the event log: slog's text format without
// the time (the event log has its own).
type textLog struct {
	mu  *sync.Mutex // shared by the handlers derived from one New
	buf *bytes.Buffer
	h   slog.Handler
}

// New returns a handler that stamps records of simulated tasks and keeps
// them in the simulation's event log, and passes every record to inner.
// It panics if inner is nil.
func New(inner slog.Handler) *Handler {
	if inner == nil {
		panic("weftlog: New(nil); pass the handler to wrap, e.g. slog.NewTextHandler(os.Stderr, nil)")
	}
	buf := new(bytes.Buffer)
	dropTime := func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	return &Handler{inner: inner, text: &textLog{mu: new(sync.Mutex), buf: buf,
		h: slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: dropTime})}}
}

// Enabled reports whether the wrapped handler handles records of level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

// Handle passes r to the wrapped handler. If ctx is a simulated task's, r
// is first stamped: its time is the virtual clock's, and a group "sim"
// holds the seed, step, task ID, task name and host; and it is recorded in
// the simulation's event log as "name@host: LEVEL message key=value...".
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	cur := kernel.FromContext(ctx)
	if cur == nil {
		return h.inner.Handle(ctx, r)
	}
	l, ok := cur.Executor().(kernel.Logger)
	if !ok {
		return h.inner.Handle(ctx, r)
	}
	seed, step := l.Stamp()
	r = r.Clone()
	r.Time = cur.Executor().Now()
	l.Log(cur, who(cur)+h.text.format(ctx, r))
	attrs := []any{slog.Uint64("seed", seed), slog.Uint64("step", step)}
	if cur.IsTask() {
		attrs = append(attrs, slog.Uint64("task", uint64(cur.ID())))
	}
	if name := cur.Name(); name != "" {
		attrs = append(attrs, slog.String("name", name))
	}
	if host := cur.HostName(); host != "" {
		attrs = append(attrs, slog.String("host", host))
	}
	r.AddAttrs(slog.Group("sim", attrs...))
	return h.inner.Handle(ctx, r)
}

// who names the task a record comes from, for the event log (whose events
// show the task's ID already).
func who(t *kernel.Task) string {
	s := t.Name()
	if host := t.HostName(); host != "" {
		s += "@" + host
	}
	if s == "" {
		return ""
	}
	return s + ": "
}

func (tl *textLog) format(ctx context.Context, r slog.Record) string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.buf.Reset()
	if err := tl.h.Handle(ctx, r); err != nil {
		return r.Message
	}
	return strings.TrimSuffix(tl.buf.String(), "\n")
}

// WithAttrs returns a handler whose records carry attrs, in the wrapped
// handler and in the event log alike.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{inner: h.inner.WithAttrs(attrs), text: &textLog{mu: h.text.mu, buf: h.text.buf, h: h.text.h.WithAttrs(attrs)}}
}

// WithGroup returns a handler that puts the attributes that follow in the
// named group, in the wrapped handler and in the event log alike.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{inner: h.inner.WithGroup(name), text: &textLog{mu: h.text.mu, buf: h.text.buf, h: h.text.h.WithGroup(name)}}
}
