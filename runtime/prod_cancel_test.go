package runtime_test

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
)

// Production starts a task's goroutine at once. To abort a task before it
// starts, the test keeps the only P: with GOMAXPROCS(1) the new goroutine
// waits in the run queue until the spawner blocks (in Join), and nothing
// can preempt the spawner in the microseconds between Spawn and Abort: the
// collector, which could (to scan its stack), is off.
func TestS15_AbortBeforeStartNeverRuns(t *testing.T) {
	tests := []struct {
		name string
		run  func(ctx context.Context, body func(context.Context) (int, error)) (runtime.TaskID, error)
	}{
		{"JoinHandle.Abort", func(ctx context.Context, body func(context.Context) (int, error)) (runtime.TaskID, error) {
			h := runtime.Spawn(ctx, body)
			h.Abort()
			h.Abort() // idempotent
			_, err := h.Join(ctx)
			if !h.IsFinished() {
				return h.ID(), errors.New("IsFinished false after Join")
			}
			return h.ID(), err
		}},
		{"JoinSet.AbortAll", func(ctx context.Context, body func(context.Context) (int, error)) (runtime.TaskID, error) {
			var js runtime.JoinSet[int]
			id := js.Spawn(ctx, body)
			js.AbortAll()
			js.AbortAll()
			_, err := js.JoinNext(ctx)
			return id, err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(1))
			defer debug.SetGCPercent(debug.SetGCPercent(-1))
			rt := newRuntime(t)
			var ran atomic.Bool
			id, err := tc.run(enter(t, rt), func(context.Context) (int, error) {
				ran.Store(true)
				return 1, nil
			})
			requireCancelled(t, err, id)
			require.False(t, ran.Load(), "an aborted task that had not started ran")
		})
	}
}

// yieldPoint is a blocking operation at which a started task can be
// dropped (S15, S16).
type yieldPoint struct {
	name string
	// prepare runs in the task before the test aborts it and returns the
	// blocking call to make. Tasks that call waits for run on other, a
	// runtime the test shuts down last, so that they are not dropped along
	// with the task under test.
	prepare func(ctx context.Context, other *runtime.Runtime) func(ctx context.Context)
	// ready: the call has its result at hand and returns at once unless
	// the task is dropped. Calling it in a loop spins; see
	// TestS16_ShutdownDropsRestartLoop.
	ready bool
}

var yieldPoints = []yieldPoint{
	{name: "YieldNow", prepare: func(context.Context, *runtime.Runtime) func(context.Context) {
		return runtime.YieldNow
	}},
	{name: "clock.Sleep", prepare: func(context.Context, *runtime.Runtime) func(context.Context) {
		return func(ctx context.Context) { _ = clock.Sleep(ctx, time.Hour) }
	}},
	{name: "JoinHandle.Join", prepare: func(ctx context.Context, other *runtime.Runtime) func(context.Context) {
		h := runtime.Spawn(other.Enter(ctx), sleepHour)
		return func(ctx context.Context) { _, _ = h.Join(ctx) }
	}},
	{name: "JoinSet.JoinNext", prepare: func(ctx context.Context, other *runtime.Runtime) func(context.Context) {
		var js runtime.JoinSet[int]
		js.Spawn(other.Enter(ctx), sleepHour)
		return func(ctx context.Context) { _, _ = js.JoinNext(ctx) }
	}},
	{name: "JoinHandle.Join of a finished task", ready: true, prepare: func(ctx context.Context, _ *runtime.Runtime) func(context.Context) {
		h := runtime.Spawn(ctx, value(1, nil))
		_, _ = h.Join(ctx)
		return func(ctx context.Context) { _, _ = h.Join(ctx) }
	}},
}

// waitingYieldPoints are the yield points that do not return at once.
func waitingYieldPoints() []yieldPoint {
	var yps []yieldPoint
	for _, yp := range yieldPoints {
		if !yp.ready {
			yps = append(yps, yp)
		}
	}
	return yps
}

func sleepHour(ctx context.Context) (int, error) { return 0, clock.Sleep(ctx, time.Hour) }

func TestS15_AbortAtYieldPointRunsDefers(t *testing.T) {
	for _, yp := range yieldPoints {
		t.Run(yp.name, func(t *testing.T) {
			other := newRuntime(t)
			rt := newRuntime(t)
			ctx := enter(t, rt)
			started, proceed, deferred := make(chan struct{}), make(chan struct{}), make(chan struct{})
			self := make(chan *runtime.JoinHandle[int], 1)
			var reached, finishedInDefer atomic.Bool
			h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				defer close(deferred)
				defer func() { finishedInDefer.Store((<-self).IsFinished()) }()
				yield := yp.prepare(ctx, other)
				close(started)
				<-proceed
				yield(ctx)
				reached.Store(true)
				return 1, nil
			})
			self <- h
			recv(t, started, "the task to start")
			h.Abort()
			close(proceed)

			v, err := h.Join(ctx)
			require.False(t, reached.Load(), "the yield point returned to an aborted task")
			requireCancelled(t, err, h.ID())
			require.Zero(t, v)
			require.True(t, isClosed(deferred), "deferred functions must run before the task ends")
			require.False(t, finishedInDefer.Load(), "IsFinished was true while deferred functions ran")
			require.True(t, h.IsFinished())
		})
	}
}

// An abort that arrives after a parked task was woken, but before the task
// ran again, still drops it: the wait does not return to an aborted task
// (S15). The simulator does this (Park checks for an abort when the task
// resumes), and so does Tokio (an aborted task is never polled again).
//
// To order "woken, aborted, resumed", the test keeps one P (see
// TestS15_AbortBeforeStartNeverRuns) and makes the test goroutine the
// second joiner of the task C that task P waits for. C's end wakes P, then
// the test goroutine, and the Go scheduler runs the goroutine readied last
// first (runnext), so the test aborts P before P resumes. Should the
// scheduler do otherwise (the race detector shuffles it), the test notices
// that P resumed first and skips.
func TestS15_AbortAfterWakeBeforeResumeDrops(t *testing.T) {
	defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	rt := newRuntime(t)
	ctx := enter(t, rt)
	gate, started := make(chan struct{}), make(chan struct{})
	c := runtime.Spawn(ctx, func(context.Context) (int, error) {
		<-gate
		return 1, nil
	})
	var resumed atomic.Bool
	p := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		close(started)
		_, _ = c.Join(ctx)
		resumed.Store(true)
		return 2, nil
	})
	recv(t, started, "task P to start")
	close(gate)
	_, err := c.Join(ctx)
	require.NoError(t, err)
	if resumed.Load() {
		t.Skip("P resumed before the test could abort it; the scheduler did not give the interleaving this test needs")
	}
	p.Abort()
	v, err := p.Join(ctx)
	require.False(t, resumed.Load(), "Join returned to task %d after it was aborted (it had been woken, but had not run yet)", p.ID())
	requireCancelled(t, err, p.ID())
	require.Zero(t, v)
}

func TestS15_AbortAfterFinishKeepsResult(t *testing.T) {
	t.Run("joined", func(t *testing.T) {
		rt := newRuntime(t)
		ctx := enter(t, rt)
		h := runtime.Spawn(ctx, value(7, errBoom))
		v, err := h.Join(ctx)
		require.Equal(t, 7, v)
		require.Same(t, errBoom, err)
		h.Abort()
		h.Abort()
		v, err = h.Join(ctx)
		require.Equal(t, 7, v)
		require.Same(t, errBoom, err)
	})
	// Aborted while running, the task reaches no yield point before it
	// returns: like Tokio, it keeps its result.
	t.Run("no yield point after abort", func(t *testing.T) {
		rt := newRuntime(t)
		ctx := enter(t, rt)
		started, proceed := make(chan struct{}), make(chan struct{})
		h := runtime.Spawn(ctx, func(context.Context) (int, error) {
			close(started)
			<-proceed
			return 7, nil
		})
		recv(t, started, "the task to start")
		h.Abort()
		close(proceed)
		v, err := h.Join(ctx)
		require.NoError(t, err)
		require.Equal(t, 7, v)
	})
}

func TestS15_RecoveredUnwindStillEnds(t *testing.T) {
	tests := []struct {
		name string
		// after runs once the task has recovered from its first unwind.
		after func(ctx context.Context, reached *atomic.Bool) (int, error)
	}{
		{"returns a value", func(context.Context, *atomic.Bool) (int, error) { return 5, nil }},
		{"returns an error", func(context.Context, *atomic.Bool) (int, error) { return 0, errBoom }},
		{"yields again", func(ctx context.Context, reached *atomic.Bool) (int, error) {
			runtime.YieldNow(ctx)
			reached.Store(true)
			return 5, nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t)
			ctx := enter(t, rt)
			started, proceed := make(chan struct{}), make(chan struct{})
			var recovered, reached, deferred atomic.Bool
			h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				defer deferred.Store(true)
				func() {
					defer func() { recovered.Store(recover() != nil) }()
					close(started)
					<-proceed
					runtime.YieldNow(ctx)
				}()
				return tc.after(ctx, &reached)
			})
			recv(t, started, "the task to start")
			h.Abort()
			close(proceed)
			v, err := h.Join(ctx)
			requireCancelled(t, err, h.ID())
			require.Zero(t, v)
			require.True(t, recovered.Load(), "the drop should have unwound the task")
			require.True(t, deferred.Load())
			require.False(t, reached.Load(), "a yield point returned to a dropped task")
		})
	}
}

// A deferred function that panics while a dropped task unwinds makes the
// task end in that panic, not a cancellation.
func TestS15_PanicWhileUnwindingIsPanic(t *testing.T) {
	rt := newRuntime(t, quiet)
	ctx := enter(t, rt)
	started, proceed := make(chan struct{}), make(chan struct{})
	h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		defer func() { panic("in defer") }()
		close(started)
		<-proceed
		runtime.YieldNow(ctx)
		return 1, nil
	})
	recv(t, started, "the task to start")
	h.Abort()
	close(proceed)
	_, err := h.Join(ctx)
	var pe *runtime.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "in defer", pe.Value)
	require.Equal(t, h.ID(), pe.ID)
}

func TestS16_ShutdownDropsTasksRunsDefers(t *testing.T) {
	other := newRuntime(t)
	rt := runtime.New()
	ctx := enter(t, rt)

	const perKind = 3
	var startedWG sync.WaitGroup
	var deferred, escaped atomic.Int64
	var handles []*runtime.JoinHandle[int]
	for _, yp := range waitingYieldPoints() {
		for range perKind {
			startedWG.Add(1)
			handles = append(handles, runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				defer deferred.Add(1)
				yield := yp.prepare(ctx, other)
				startedWG.Done()
				for {
					yield(ctx)
					escaped.Add(1)
				}
			}))
		}
	}
	started := make(chan struct{})
	go func() {
		startedWG.Wait()
		close(started)
	}()
	recv(t, started, "all tasks to start")

	shut := make(chan struct{})
	go func() {
		rt.Shutdown()
		close(shut)
	}()
	recv(t, shut, "Shutdown to return")
	after := escaped.Load()

	require.Equal(t, int64(len(handles)), deferred.Load(), "every task's deferred functions must have run when Shutdown returns")
	for _, h := range handles {
		require.True(t, h.IsFinished())
		_, err := h.Join(ctx)
		requireCancelled(t, err, h.ID())
	}
	goruntime.Gosched()
	require.Equal(t, after, escaped.Load(), "user code of a dropped task ran after Shutdown returned")
}

// A supervisor that restarts its worker whenever the worker ends must still
// be dropped by Shutdown: once aborted, its next Join (a blocking operation,
// so a yield point) must not return, even though the worker it joins, spawned
// after shutdown, has already ended cancelled. The loop is bounded so that a
// failure ends instead of spinning for ever.
func TestS16_ShutdownDropsRestartLoop(t *testing.T) {
	rt := runtime.New()
	ctx := enter(t, rt)
	started, proceed := make(chan struct{}), make(chan struct{})
	var restarts atomic.Int64
	sup := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		close(started)
		<-proceed
		for range 100_000 {
			_, _ = runtime.Spawn(ctx, value(1, nil)).Join(ctx)
			restarts.Add(1)
		}
		return 0, errors.New("never dropped")
	})
	recv(t, started, "the supervisor to start")
	// The supervisor is between yield points (on a native channel) when
	// the runtime shuts down: it is aborted and Shutdown gives up on it.
	require.Error(t, rt.ShutdownTimeout(time.Millisecond))
	close(proceed)
	_, err := sup.Join(ctx)
	require.Zero(t, restarts.Load(), "the aborted supervisor restarted its worker")
	requireCancelled(t, err, sup.ID())
	rt.Shutdown()
}

func TestS16_ShutdownDropsBlockOnRoot(t *testing.T) {
	rt := runtime.New()
	started := make(chan struct{})
	var deferred atomic.Bool
	res := make(chan error, 1)
	go func() {
		res <- rt.BlockOn(func(ctx context.Context) error {
			defer deferred.Store(true)
			close(started)
			_, err := yieldForever(ctx)
			return err
		})
	}()
	recv(t, started, "the root task to start")
	rt.Shutdown()
	require.True(t, deferred.Load(), "the root's deferred functions must run before Shutdown returns")
	err := recv(t, res, "BlockOn to return")
	require.ErrorIs(t, err, runtime.ErrCancelled)
}

func TestS16_SpawnAfterShutdownCancelled(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, rt *runtime.Runtime, ran *atomic.Bool)
	}{
		{"Spawn", func(t *testing.T, rt *runtime.Runtime, ran *atomic.Bool) {
			ctx := enter(t, rt)
			h := runtime.Spawn(ctx, func(context.Context) (int, error) {
				ran.Store(true)
				return 1, nil
			})
			require.True(t, h.IsFinished())
			v, err := h.Join(ctx)
			requireCancelled(t, err, h.ID())
			require.Zero(t, v)
		}},
		{"JoinSet.Spawn", func(t *testing.T, rt *runtime.Runtime, ran *atomic.Bool) {
			ctx := enter(t, rt)
			var js runtime.JoinSet[int]
			id := js.Spawn(ctx, func(context.Context) (int, error) {
				ran.Store(true)
				return 1, nil
			})
			require.Equal(t, 1, js.Len())
			_, err := js.JoinNext(ctx)
			requireCancelled(t, err, id)
			_, err = js.JoinNext(ctx)
			require.ErrorIs(t, err, runtime.ErrNoTasks)
		}},
		{"BlockOn", func(t *testing.T, rt *runtime.Runtime, ran *atomic.Bool) {
			err := rt.BlockOn(func(context.Context) error {
				ran.Store(true)
				return nil
			})
			require.ErrorIs(t, err, runtime.ErrCancelled)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := runtime.New()
			rt.Shutdown()
			var ran atomic.Bool
			tc.run(t, rt, &ran)
			require.False(t, ran.Load(), "a task spawned after shutdown ran")
		})
	}
}

func TestS16_ShutdownIsIdempotent(t *testing.T) {
	rt := runtime.New()
	rt.Shutdown()
	rt.Shutdown()
	require.NoError(t, rt.ShutdownTimeout(0))
	require.NoError(t, runtime.New().ShutdownTimeout(0), "nothing to wait for")
}

func TestS16_ShutdownTimeoutNamesStuckTask(t *testing.T) {
	rt := runtime.New()
	ctx := enter(t, rt)
	// Ten finished tasks first: the IDs that matter have two digits, which
	// cannot be mistaken for a stray digit of the message.
	for range 10 {
		_, err := runtime.Spawn(ctx, value(0, nil)).Join(ctx)
		require.NoError(t, err)
	}
	yielder := runtime.Spawn(ctx, yieldForever)
	stuck, started := make(chan struct{}), make(chan struct{})
	var after atomic.Bool
	h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		close(started)
		<-stuck // a native channel: not a yield point
		runtime.YieldNow(ctx)
		after.Store(true)
		return 1, nil
	})
	recv(t, started, "the stuck task to start")

	err := rt.ShutdownTimeout(20 * time.Millisecond)
	require.Error(t, err)
	require.Regexp(t, fmt.Sprintf(`\b%d\b`, h.ID()), err.Error(), "the error must name the stuck task")
	_, yerr := yielder.Join(ctx)
	requireCancelled(t, yerr, yielder.ID())

	// Unblocked, the stuck task is dropped at its next yield point.
	close(stuck)
	_, err = h.Join(ctx)
	requireCancelled(t, err, h.ID())
	require.False(t, after.Load())
	rt.Shutdown()
}

// Shutdown racing a storm of spawns (tasks spawning tasks, IDs spread over
// every shard of the live set) must still abort everything and return: a
// spawn either lands before the close and is aborted, or is refused.
func TestS16_ShutdownDuringSpawnStorm(t *testing.T) {
	for round := range 10 {
		rt := runtime.New()
		ctx := enter(t, rt)
		var started atomic.Int64
		var spawner func(ctx context.Context) (int, error)
		spawner = func(ctx context.Context) (int, error) {
			if started.Add(1) > 2000 {
				return 0, clock.Sleep(ctx, time.Hour)
			}
			for range 4 {
				runtime.Spawn(ctx, spawner)
				runtime.YieldNow(ctx)
			}
			return 0, clock.Sleep(ctx, time.Hour) // only the abort ends it

		}
		for range 8 {
			runtime.Spawn(ctx, spawner)
		}
		for started.Load() < int64(50+round*10) {
			goruntime.Gosched()
		}
		require.NoError(t, rt.ShutdownTimeout(guard), "round %d", round)
		n := started.Load()
		goruntime.Gosched()
		require.Equal(t, n, started.Load(), "round %d: a task started after Shutdown returned", round)
	}
}
