package kernel

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWaitQueueIsFIFOAndRemovesFromAnywhere(t *testing.T) {
	var q WaitQueue
	ws := make([]*Waiter, 4)
	for i := range ws {
		ws[i] = &Waiter{}
		q.PushBack(ws[i])
	}
	require.Equal(t, 4, q.Len())
	assert.True(t, q.Remove(ws[2]))
	assert.False(t, q.Remove(ws[2]), "removing twice is a no-op")
	assert.Same(t, ws[0], q.PopFront())
	assert.Same(t, ws[1], q.PopFront())
	assert.Same(t, ws[3], q.PopFront())
	assert.Nil(t, q.PopFront())
	assert.Equal(t, 0, q.Len())
	q.PushBack(ws[0]) // a popped waiter can be queued again
	assert.Panics(t, func() { q.PushBack(ws[0]) })
}

func TestWaiterWakeAndAbandonAreExclusive(t *testing.T) {
	var w Waiter
	w.Init(nil, Reason{})
	assert.True(t, w.TryWake())
	assert.True(t, w.Woken())
	assert.False(t, w.TryAbandon(), "a woken waiter cannot give up")

	var v Waiter
	v.Init(nil, Reason{})
	assert.True(t, v.TryAbandon())
	assert.False(t, v.TryWake(), "an abandoned waiter is not woken: the grant goes elsewhere")
	assert.False(t, v.Woken())
}

func TestGroupHasOneWinner(t *testing.T) {
	var lead, a, b Waiter
	lead.Init(nil, Reason{Op: "Select"})
	a.JoinGroup(&lead, Reason{Op: "Chan.Recv"})
	b.JoinGroup(&lead, Reason{Op: "Chan.Send"})
	assert.Nil(t, a.Winner())
	assert.True(t, b.TryWake())
	assert.False(t, a.TryWake(), "the group is already won")
	assert.False(t, a.TryAbandon())
	assert.True(t, b.Woken())
	assert.False(t, a.Woken())
	assert.Same(t, &b, a.Winner())
}

func TestReasonString(t *testing.T) {
	assert.Equal(t, "clock.Sleep", Reason{Op: "clock.Sleep"}.String())
	assert.Equal(t, "JoinHandle.Join (waits for task 12)", Reason{Op: "JoinHandle.Join", Task: 12}.String())
}

// A production task's own waiter is what Abort reaches (AbortWait): only an
// open wait is given up, and every give-up or grant leaves exactly one
// token, which Park or Settle takes.
func TestAbortWaitAndSettleLeaveNoToken(t *testing.T) {
	task := &Task{id: 1, host: &Host{}} // production: mu.off is false
	assert.False(t, task.AbortWait(), "a task that never waited has no wait to end")

	w := task.Waiter(Reason{Op: "test"})
	require.NotNil(t, task.wake)
	assert.True(t, task.AbortWait())
	assert.False(t, task.AbortWait(), "a wait is given up once")
	assert.Len(t, task.wake, 1, "the abort's token")
	assert.Nil(t, w.Settle(), "given up by the abort: nothing granted")
	assert.Len(t, task.wake, 0, "Settle took the token")

	lead := task.Waiter(Reason{Op: "Select"})
	var a, b Waiter
	a.JoinGroup(lead, Reason{Op: "case a"})
	b.JoinGroup(lead, Reason{Op: "case b"})
	require.True(t, b.TryWake())              // a grantor won the wait...
	go func() { lead.Chan() <- struct{}{} }() // ...and delivers a little later
	assert.Same(t, &b, lead.Settle(), "Settle waits for the grant's token and names the winner")
	assert.Len(t, task.wake, 0)
	assert.False(t, task.AbortWait(), "a granted wait is not given up")

	task.Waiter(Reason{Op: "unparked"})
	assert.Nil(t, task.waiter.Settle(), "an open wait is simply given up")
	assert.False(t, task.AbortWait())
	assert.Len(t, task.wake, 0)
}
