package runtime

// ring is a growable FIFO buffer whose size is a power of two, so
// positions wrap with a mask.
type ring[T any] struct {
	buf        []T
	head, size int
}

func (r *ring[T]) len() int { return r.size }

func (r *ring[T]) grow() {
	n := make([]T, max(4, 2*len(r.buf)))
	for i := range r.size {
		n[i] = r.buf[(r.head+i)&(len(r.buf)-1)]
	}
	r.buf, r.head = n, 0
}

func (r *ring[T]) push(v T) {
	if r.size == len(r.buf) {
		r.grow()
	}
	r.buf[(r.head+r.size)&(len(r.buf)-1)] = v
	r.size++
}

// pushFront puts v before every other element.
func (r *ring[T]) pushFront(v T) {
	if r.size == len(r.buf) {
		r.grow()
	}
	r.head = (r.head - 1) & (len(r.buf) - 1)
	r.buf[r.head] = v
	r.size++
}

func (r *ring[T]) pop() T {
	var zero T
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.size--
	return v
}
