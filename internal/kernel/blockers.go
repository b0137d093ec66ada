package kernel

// Blockers is implemented by the Data of a wait whose primitive knows which
// tasks must act before the wait can end: a Mutex's holder, an RWMutex's
// writer or readers and the requests queued ahead. (The Data of a Join is
// the task joined.) A simulation follows these edges from a task that
// parks, and reports a cycle of waiting the moment it forms.
type Blockers interface {
	// Blockers appends to buf each task that w's wait waits for.
	Blockers(w *Waiter, buf []*Task) []*Task
}

// Next returns the waiter queued after w, or nil.
func (w *Waiter) Next() *Waiter { return w.next }
