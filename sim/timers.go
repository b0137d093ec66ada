package sim

import (
	"time"

	"github.com/weftsim/weft/internal/kernel"
)

// timerHeap is a 4-ary min-heap of pending timers on (deadline, seeded
// tie), so that timers due at the same instant fire in an order the seed
// chooses (S6). Four children per node halve the depth of a binary heap;
// the deadlines sit in their own array, which the sift loops scan.
type timerHeap struct {
	h    []*kernel.Timer
	when []time.Duration // parallel to h: deadline since the start
}

func (th *timerHeap) len() int { return len(th.h) }

func (th *timerHeap) less(i, j int) bool {
	if th.when[i] != th.when[j] {
		return th.when[i] < th.when[j]
	}
	return th.h[i].Tie < th.h[j].Tie
}

func (th *timerHeap) swap(i, j int) {
	th.h[i], th.h[j] = th.h[j], th.h[i]
	th.when[i], th.when[j] = th.when[j], th.when[i]
	th.h[i].Index = i
	th.h[j].Index = j
}

func (th *timerHeap) push(tm *kernel.Timer, when time.Duration) {
	tm.Index = len(th.h)
	th.h = append(th.h, tm)
	th.when = append(th.when, when)
	th.up(tm.Index)
}

// peek returns the earliest deadline.
func (th *timerHeap) peek() time.Duration { return th.when[0] }

func (th *timerHeap) pop() *kernel.Timer {
	tm := th.h[0]
	th.removeAt(0)
	return tm
}

func (th *timerHeap) remove(tm *kernel.Timer) bool {
	i := tm.Index
	if i < 0 || i >= len(th.h) || th.h[i] != tm {
		return false
	}
	th.removeAt(i)
	return true
}

func (th *timerHeap) removeAt(i int) {
	tm := th.h[i]
	last := len(th.h) - 1
	if i != last {
		th.swap(i, last)
	}
	th.h[last] = nil
	th.h = th.h[:last]
	th.when = th.when[:last]
	tm.Index = -1
	if i < last {
		th.down(i)
		th.up(i)
	}
}

func (th *timerHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 4
		if !th.less(i, p) {
			return
		}
		th.swap(i, p)
		i = p
	}
}

func (th *timerHeap) down(i int) {
	n := len(th.h)
	for {
		c := 4*i + 1
		if c >= n {
			return
		}
		best := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if th.less(k, best) {
				best = k
			}
		}
		if !th.less(best, i) {
			return
		}
		th.swap(i, best)
		i = best
	}
}

func (th *timerHeap) clear() {
	for _, tm := range th.h {
		tm.Index = -1
	}
	th.h, th.when = nil, nil
}
