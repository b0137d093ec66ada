package sim

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/internal/kernel"
)

// The timer heap pops pending timers in (deadline, tie) order whatever the
// mix of pushes, stops and pops, across compactions and its padded layout,
// and whether a timer is new or re-armed after it fired or was stopped (a
// task's sleep timer is reused: a stale entry must not fire it again).
func TestTimerHeap_PopsInOrderThroughStopsAndCompactions(t *testing.T) {
	type ref struct {
		when time.Duration
		tie  uint64
		tm   *kernel.Timer
	}
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 7))
		var th timerHeap
		var pending []ref
		var idle []*kernel.Timer // fired or stopped, to re-arm
		for step := range 20000 {
			switch op := r.IntN(10); {
			case op < 5: // push
				tm := new(kernel.Timer)
				if n := len(idle); n > 0 && r.IntN(2) == 0 {
					tm, idle = idle[n-1], idle[:n-1]
				}
				e := ref{time.Duration(r.IntN(50)), r.Uint64(), tm}
				th.push(tm, e.when, e.tie)
				pending = append(pending, e)
			case op < 8 && len(pending) > 0: // stop a random pending timer
				i := r.IntN(len(pending))
				require.True(t, th.remove(pending[i].tm))
				require.False(t, th.remove(pending[i].tm), "stopped twice")
				idle = append(idle, pending[i].tm)
				pending = slices.Delete(pending, i, i+1)
			case len(pending) > 0: // pop the earliest
				slices.SortFunc(pending, func(a, b ref) int {
					return cmp.Or(cmp.Compare(a.when, b.when), cmp.Compare(a.tie, b.tie))
				})
				require.Equal(t, pending[0].when, th.peek(), "seed %d step %d", seed, step)
				require.Same(t, pending[0].tm, th.pop(), "seed %d step %d", seed, step)
				idle = append(idle, pending[0].tm)
				pending = pending[1:]
			}
			require.Equal(t, len(pending), th.len())
		}
		th.clear()
		require.Zero(t, th.len())
	}
}
