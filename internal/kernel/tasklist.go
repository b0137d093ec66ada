package kernel

// TaskList is an intrusive list of tasks in insertion order: an executor's
// live tasks. A task is on at most one list. The zero value is empty; the
// owner guards it. Its methods are go:norace: a simulation's list is
// bookkeeping of the scheduler, which the race detector must not see
// (S2a).
type TaskList struct {
	head, tail *Task
	n          int
}

// Len returns the number of tasks on the list.
//
//go:norace
func (l *TaskList) Len() int { return l.n }

// Front returns the first task, or nil.
//
//go:norace
func (l *TaskList) Front() *Task { return l.head }

// Next returns the task after t, or nil.
//
//go:norace
func (t *Task) Next() *Task { return t.next }

// PushBack appends t.
//
//go:norace
func (l *TaskList) PushBack(t *Task) {
	t.prev, t.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = t
	} else {
		l.head = t
	}
	l.tail = t
	l.n++
}

// Remove takes t off the list.
//
//go:norace
func (l *TaskList) Remove(t *Task) {
	if t.prev != nil {
		t.prev.next = t.next
	} else {
		l.head = t.next
	}
	if t.next != nil {
		t.next.prev = t.prev
	} else {
		l.tail = t.prev
	}
	t.next, t.prev = nil, nil
	l.n--
}
