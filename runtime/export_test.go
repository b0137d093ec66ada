package runtime

// Queued returns how many waiters a primitive has, so that black-box tests
// can order waiters on the production executor without sleeping.
func Queued(p any) int {
	switch p := p.(type) {
	case *Mutex:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.waiters.Len()
	case *Semaphore:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.waiters.Len()
	case *RWMutex:
		return Queued(p.init())
	case *Notify:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.waiters.Len()
	case *WaitGroup:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.waiters.Len()
	case *Barrier:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.waiters.Len()
	case *Once:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.waiters.Len()
	case interface{ queued() int }:
		return p.queued()
	}
	panic("runtime: Queued of an unknown primitive")
}

func (c *Chan[T]) queued() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.recvq.Len() + c.sendq.Len()
}
