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

// A production task's own waiter is what Abort reaches (AbortWait): it
// ends the task's current generation and sends a token. Whatever wait that
// was, the tokens a task takes add up: none is left for a later wait.
func TestAbortWaitLeavesNoTokenForALaterWait(t *testing.T) {
	task := &Task{id: 1, host: &Host{}} // production: mu.off is false
	assert.False(t, task.AbortWait(), "a task that never waited has no wait to end")

	// The abort ends the wait the task parks on: one token.
	w := task.Waiter(Reason{Op: "test"})
	require.NotNil(t, task.waiter.ch)
	assert.True(t, task.AbortWait())
	assert.False(t, w.Waiting())
	assert.Len(t, task.waiter.ch, 1, "the abort's token")
	assert.Nil(t, w.Settle(), "given up by the abort: nothing granted")
	assert.Len(t, task.waiter.ch, 0, "Settle took the token")

	// The abort ends a wait the task has not opened: the next wait is a
	// later generation, and taking its token takes the abort's too.
	assert.True(t, task.AbortWait())
	lead := task.Waiter(Reason{Op: "Select"})
	assert.True(t, lead.Waiting())
	var a, b Waiter
	a.JoinGroup(lead, Reason{Op: "case a"})
	b.JoinGroup(lead, Reason{Op: "case b"})
	require.True(t, b.TryWake()) // a grantor won the wait...
	assert.False(t, a.TryWake(), "the group is already won")
	go func() { lead.Chan() <- struct{}{} }() // ...and delivers a little later
	assert.Same(t, &b, lead.Settle(), "Settle waits for the grant's token and names the winner")
	assert.Len(t, task.waiter.ch, 0, "the abort's token was taken with it")

	// The wait is granted, then the abort ends the next one before the
	// task took the grant's token: both tokens are taken at once.
	w = task.Waiter(Reason{Op: "granted"})
	require.True(t, w.TryWake())
	task.waiter.ch <- struct{}{}
	assert.True(t, task.AbortWait())
	w.Await()
	assert.Len(t, task.waiter.ch, 0)
	w = task.Waiter(Reason{Op: "after"})
	assert.True(t, w.Waiting(), "the next wait is open")

	assert.Nil(t, w.Settle(), "an open wait is simply given up")
	assert.Len(t, task.waiter.ch, 0)
}

// A wait's generation is what every party ends: a grant armed for an
// earlier wait (a late timer) cannot end a later one, and a claim can be
// taken back while nobody else used the wait. Both executors' state words.
func TestWaitGenerations(t *testing.T) {
	for _, virtual := range []bool{false, true} {
		task := &Task{id: 1, host: &Host{}}
		task.mu.off = virtual
		w := task.Waiter(Reason{Op: "first"})
		g := w.Gen()
		assert.True(t, w.Waiting())
		assert.True(t, w.TryWake())
		assert.False(t, w.Waiting())
		assert.True(t, w.Woken())

		w = task.Waiter(Reason{Op: "second"})
		assert.Equal(t, g+1, w.Gen(), "virtual=%t", virtual)
		assert.Nil(t, w.Winner(), "a new wait has no winner")
		assert.False(t, w.tryWakeGen(g, virtual, w), "a grant for the first wait cannot end the second")
		assert.True(t, w.Waiting())

		require.True(t, w.TryWake())
		w.Unclaim()
		assert.True(t, w.Waiting(), "an unclaimed wait is open again")
		assert.Nil(t, w.Winner())
		assert.Equal(t, g+1, w.Gen())
		assert.True(t, w.tryWakeGen(g+1, virtual, w))
		assert.False(t, w.TryAbandon())
	}
}
