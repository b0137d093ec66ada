package kernel

import (
	"context"
	"sync"
)

// Group is a set of tasks that can be aborted together: a task belongs to
// the group its spawn context carries (WithGroup), and so do the tasks it
// spawns. netsim makes one per host, so that a crash drops every task of
// the host.
type Group struct {
	mu    sync.Mutex
	head  *Task // live members in spawn order
	tail  *Task
	count int
}

type groupKey struct{}

// WithGroup returns ctx whose spawns join g.
func WithGroup(ctx context.Context, g *Group) context.Context {
	return context.WithValue(ctx, groupKey{}, g)
}

func groupOf(ctx context.Context) *Group {
	g, _ := ctx.Value(groupKey{}).(*Group)
	return g
}

func (g *Group) add(t *Task) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t.gprev, t.gnext = g.tail, nil
	if g.tail != nil {
		g.tail.gnext = t
	} else {
		g.head = t
	}
	g.tail = t
	g.count++
}

func (g *Group) remove(t *Task) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.gprev != nil {
		t.gprev.gnext = t.gnext
	} else {
		g.head = t.gnext
	}
	if t.gnext != nil {
		t.gnext.gprev = t.gprev
	} else {
		g.tail = t.gprev
	}
	t.gnext, t.gprev = nil, nil
	g.count--
}

// Len returns the number of live tasks of g.
func (g *Group) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.count
}

// AbortAll asks every live task of g, in spawn order, to be dropped at its
// next yield point (S15).
func (g *Group) AbortAll() {
	g.mu.Lock()
	var tasks []*Task
	for t := g.head; t != nil; t = t.gnext {
		tasks = append(tasks, t)
	}
	g.mu.Unlock()
	for _, t := range tasks {
		t.exec.Abort(t)
	}
}
