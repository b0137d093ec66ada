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
	Name  string // what reports call it (a host's name); set before use
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

// member is a task's place in its group: kept out of the task record,
// since most tasks belong to no group.
type member struct {
	group      *Group
	next, prev *Task
}

func (g *Group) add(t *Task) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t.member = &member{group: g, prev: g.tail}
	if g.tail != nil {
		g.tail.member.next = t
	} else {
		g.head = t
	}
	g.tail = t
	g.count++
}

// leave takes t out of its group, if it has one.
func (t *Task) leave() {
	m := t.member
	if m == nil {
		return
	}
	g := m.group
	g.mu.Lock()
	defer g.mu.Unlock()
	if m.prev != nil {
		m.prev.member.next = m.next
	} else {
		g.head = m.next
	}
	if m.next != nil {
		m.next.member.prev = m.prev
	} else {
		g.tail = m.prev
	}
	m.next, m.prev = nil, nil
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
	for t := g.head; t != nil; t = t.member.next {
		tasks = append(tasks, t)
	}
	g.mu.Unlock()
	for _, t := range tasks {
		t.host.Exec.Abort(t)
	}
}
