package sim

import (
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// timerHeap is a 4-ary min-heap of pending timers on (deadline, seeded
// tie), so that timers due at the same instant fire in an order the seed
// chooses (S6).
//
// Entries are 16-byte values: sifting touches only the heap's own array,
// never the timers themselves, which live all over memory (in tasks), and
// the four children of a node share one cache line. An entry names its
// timer by a slot of th.slots rather than by pointer, which leaves room
// for the deadline and the high half of the tie; equal halves (one pair
// in four billion) fall back on the slots, which are handed out in a
// deterministic order. A stopped timer is deleted lazily: Stop clears its
// slot, and an entry whose slot is empty is dropped when it reaches the
// top (or at a compaction, when stale entries outnumber live ones); only
// then is the slot reused.
//
// The root sits at index heapRoot, so that the four children of every node
// start on a 64-byte boundary (a large array is page-aligned): a level of
// a sift reads one cache line. A simulation with many sleeping tasks (W3)
// is bound by these misses: 32-byte entries, two lines a level, cost
// ScaleW3 at 10^5 tasks a tenth of its time more.
type timerHeap struct {
	h     []timerEntry    // h[:heapRoot] is padding
	slots []*kernel.Timer // by timerEntry.slot: the pending timer, or nil once stopped
	free  []uint32        // slots no entry names
	live  int             // entries whose timer is still pending
	stale int
}

const heapRoot = 3

// children returns the index of the first of p's four children; parent
// is its inverse.
//
//go:norace
func children(p int) int { return 4*p - 8 }

//go:norace
func parent(c int) int { return c/4 + 2 }

type timerEntry struct {
	when time.Duration // deadline since the start
	tie  uint32        // the tie's high half
	slot uint32
}

//go:norace
func (a *timerEntry) before(b *timerEntry) bool {
	if a.when != b.when {
		return a.when < b.when
	}
	if a.tie != b.tie {
		return a.tie < b.tie
	}
	return a.slot < b.slot
}

// len returns the number of pending timers.
//
//go:norace
func (th *timerHeap) len() int { return th.live }

//go:norace
func (th *timerHeap) push(tm *kernel.Timer, when time.Duration, tie uint64) {
	var slot uint32
	if n := len(th.free); n > 0 {
		slot = th.free[n-1]
		th.free = th.free[:n-1]
		th.slots[slot] = tm
	} else {
		slot = uint32(len(th.slots))
		th.slots = append(th.slots, tm)
	}
	tm.Slot = slot
	tm.Pending = true
	if th.h == nil {
		th.h = make([]timerEntry, heapRoot, 64)
	}
	th.h = append(th.h, timerEntry{when: when, tie: uint32(tie >> 32), slot: slot})
	th.up(len(th.h) - 1)
	th.live++
}

// remove stops tm and reports whether it was pending.
//
//go:norace
func (th *timerHeap) remove(tm *kernel.Timer) bool {
	if !tm.Pending {
		return false
	}
	tm.Pending = false
	th.slots[tm.Slot] = nil
	th.live--
	th.stale++
	if th.stale > 1024 && th.stale > th.live {
		th.compact()
	}
	return true
}

// top drops stale entries from the top and returns the earliest live one;
// the heap must hold a pending timer.
//
//go:norace
func (th *timerHeap) top() *timerEntry {
	if th.stale == 0 {
		return &th.h[heapRoot] // no stopped timer left: no need to look at it
	}
	for {
		e := &th.h[heapRoot]
		if th.slots[e.slot] != nil {
			return e
		}
		th.free = append(th.free, e.slot)
		th.removeTop()
		th.stale--
	}
}

// peek returns the earliest deadline.
//
//go:norace
func (th *timerHeap) peek() time.Duration { return th.top().when }

// pop removes and returns the earliest pending timer.
//
//go:norace
func (th *timerHeap) pop() *kernel.Timer {
	slot := th.top().slot
	tm := th.slots[slot]
	th.slots[slot] = nil
	th.free = append(th.free, slot)
	th.removeTop()
	tm.Pending = false
	th.live--
	return tm
}

//go:norace
func (th *timerHeap) removeTop() {
	last := len(th.h) - 1
	th.h[heapRoot] = th.h[last]
	th.h = th.h[:last]
	if last > heapRoot {
		th.down(heapRoot)
	}
}

// compact drops every stale entry and rebuilds the heap.
//
//go:norace
func (th *timerHeap) compact() {
	kept := th.h[:heapRoot]
	for _, e := range th.h[heapRoot:] {
		if th.slots[e.slot] != nil {
			kept = append(kept, e)
		} else {
			th.free = append(th.free, e.slot)
		}
	}
	th.h = kept
	th.stale = 0
	if n := len(th.h); n > heapRoot+1 {
		for p := parent(n - 1); p >= heapRoot; p-- {
			th.down(p)
		}
	}
}

//go:norace
func (th *timerHeap) up(i int) {
	h := th.h
	e := h[i]
	for i > heapRoot {
		p := parent(i)
		if !e.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

//go:norace
func (th *timerHeap) down(i int) {
	h := th.h
	n := len(h)
	e := h[i]
	for {
		c := children(i)
		if c >= n {
			break
		}
		best := c
		if c+3 < n { // four children, the common case: a tournament
			q := h[c : c+4 : c+4]
			a, b := 0, 2
			if q[1].before(&q[0]) {
				a = 1
			}
			if q[3].before(&q[2]) {
				b = 3
			}
			if q[b].before(&q[a]) {
				a = b
			}
			best = c + a
		} else {
			for k := c + 1; k < n; k++ {
				if h[k].before(&h[best]) {
					best = k
				}
			}
		}
		if !h[best].before(&e) {
			break
		}
		h[i] = h[best]
		i = best
	}
	h[i] = e
}

// clear forgets every timer.
//
//go:norace
func (th *timerHeap) clear() {
	for _, tm := range th.slots {
		if tm != nil {
			tm.Pending = false
		}
	}
	th.h, th.slots, th.free, th.live, th.stale = nil, nil, nil, 0, 0
}
