package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
)

// These are black-box tests of the production executor (runtime.New), one
// or more per testable SPEC clause. Goroutines really run in parallel here,
// so every ordering a test relies on is made with channels or Join; the wall
// clock appears only as a failure guard (guard), which a passing test never
// reaches.

// guard bounds every wait of a test, so that a bug fails the test instead
// of hanging it.
const guard = 10 * time.Second

var errBoom = errors.New("boom")

// quiet is a panic handler that keeps expected task panics off stderr.
var quiet = runtime.WithPanicHandler(func(*runtime.PanicError) {})

// newRuntime returns a production runtime that is shut down when the test
// ends. Tests that leave a task blocked release it in a cleanup registered
// after this one, which runs first.
func newRuntime(t *testing.T, opts ...runtime.Option) *runtime.Runtime {
	t.Helper()
	rt := runtime.New(opts...)
	t.Cleanup(func() {
		if err := rt.ShutdownTimeout(guard); err != nil {
			t.Errorf("shutdown at the end of the test: %v", err)
		}
	})
	return rt
}

// enter returns a ctx bound to rt, outside any task, that ends after guard.
func enter(t *testing.T, rt *runtime.Runtime) context.Context {
	t.Helper()
	return rt.Enter(guardCtx(t))
}

// guardCtx returns a ctx without a runtime that ends after guard.
func guardCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

// place is where a test body runs: the places from which the API may be
// used in production.
type place struct {
	name string
	run  func(t *testing.T, rt *runtime.Runtime, f func(ctx context.Context))
}

// places: inside a task (the root of BlockOn), and in a plain goroutine
// with a ctx from Runtime.Enter. Either way f runs on a goroutine of its
// own, so a test that hangs fails after guard. f must not call
// require/t.FailNow (it is not on the test goroutine); it uses assert.
var places = []place{
	{"task", func(t *testing.T, rt *runtime.Runtime, f func(ctx context.Context)) {
		t.Helper()
		done := make(chan error, 1)
		go func() {
			done <- rt.BlockOn(func(ctx context.Context) error {
				f(ctx)
				return nil
			})
		}()
		require.NoError(t, recv(t, done, "BlockOn to return"))
	}},
	{"Enter", func(t *testing.T, rt *runtime.Runtime, f func(ctx context.Context)) {
		t.Helper()
		ctx := enter(t, rt)
		done := make(chan struct{})
		go func() {
			defer close(done)
			f(ctx)
		}()
		recv(t, done, "the goroutine to finish")
	}},
}

// recv receives from ch, failing the test after guard.
func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	tm := time.NewTimer(guard)
	defer tm.Stop()
	select {
	case v := <-ch:
		return v
	case <-tm.C:
		t.Fatalf("gave up after %v waiting for %s", guard, what)
		panic("unreachable: t.Fatalf returned")
	}
}

// isClosed reports whether ch is closed, without waiting.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// goid returns the calling goroutine's ID, parsed from its stack header.
func goid() uint64 {
	var buf [64]byte
	b := bytes.TrimPrefix(buf[:goruntime.Stack(buf[:], false)], []byte("goroutine "))
	id, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return id
}

// value returns a task body that returns v and err.
func value[T any](v T, err error) func(context.Context) (T, error) {
	return func(context.Context) (T, error) { return v, err }
}

// yieldForever is a task body that only ends by being dropped.
func yieldForever(ctx context.Context) (int, error) {
	for {
		runtime.YieldNow(ctx)
	}
}

// requireCancelled asserts err reports the cancellation of task id (S13).
func requireCancelled(t *testing.T, err error, id runtime.TaskID) {
	t.Helper()
	require.ErrorIs(t, err, runtime.ErrCancelled)
	require.Contains(t, err.Error(), fmt.Sprintf("task %d ", id))
}

func TestS10_SpawnNeverRunsInline(t *testing.T) {
	for _, p := range places {
		t.Run(p.name, func(t *testing.T) {
			rt := newRuntime(t)
			p.run(t, rt, func(ctx context.Context) {
				spawner := goid()
				release := make(chan struct{})
				h := runtime.Spawn(ctx, func(context.Context) (uint64, error) {
					// Were this run inline, Spawn would never return to
					// close release.
					<-release
					return goid(), nil
				})
				close(release)
				child, err := h.Join(ctx)
				assert.NoError(t, err)
				assert.NotEqual(t, spawner, child, "the task ran on the spawner's goroutine")
			})
		})
	}
}

func TestS11_SpawnWhileHoldingSyncMutex(t *testing.T) {
	for _, p := range places {
		t.Run(p.name, func(t *testing.T) {
			rt := newRuntime(t)
			p.run(t, rt, func(ctx context.Context) {
				var mu sync.Mutex
				mu.Lock()
				h := runtime.Spawn(ctx, func(context.Context) (int, error) {
					mu.Lock()
					defer mu.Unlock()
					return 42, nil
				})
				mu.Unlock()
				v, err := h.Join(ctx)
				assert.NoError(t, err)
				assert.Equal(t, 42, v)
			})
		})
	}
}

func TestS12_SpawnWithoutRuntimePanics(t *testing.T) {
	const msg = "runtime: Spawn called without a runtime in ctx; call it inside Runtime.BlockOn, a task, or a ctx from Runtime.Enter"
	type key struct{}
	ctxs := []struct {
		name string
		ctx  context.Context
	}{
		{"Background", context.Background()},
		{"TODO", context.TODO()},
		{"with values", context.WithValue(context.Background(), key{}, 1)},
	}
	spawns := []struct {
		name  string
		spawn func(ctx context.Context)
	}{
		{"Spawn", func(ctx context.Context) { runtime.Spawn(ctx, value(1, nil)) }},
		{"JoinSet.Spawn", func(ctx context.Context) {
			var js runtime.JoinSet[int]
			js.Spawn(ctx, value(1, nil))
		}},
	}
	for _, s := range spawns {
		for _, c := range ctxs {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				require.PanicsWithValue(t, msg, func() { s.spawn(c.ctx) })
			})
		}
	}
}

func TestS13_JoinReturnsValueAndError(t *testing.T) {
	tests := []struct {
		name  string
		value int
		err   error
	}{
		{"value", 42, nil},
		{"error", 0, errBoom},
		{"value and error", 7, errBoom},
	}
	for _, p := range places {
		for _, tc := range tests {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				rt := newRuntime(t)
				p.run(t, rt, func(ctx context.Context) {
					h := runtime.Spawn(ctx, value(tc.value, tc.err))
					v, err := h.Join(ctx)
					assert.Equal(t, tc.value, v)
					if tc.err == nil {
						assert.NoError(t, err)
					} else {
						assert.Same(t, tc.err, err, "Join must return the task's own error, unwrapped")
					}
					assert.True(t, h.IsFinished())
				})
			})
		}
	}
}

// Join needs no runtime in its ctx in production (its doc).
func TestS13_JoinFromPlainContext(t *testing.T) {
	rt := newRuntime(t)
	h := runtime.Spawn(enter(t, rt), value("hello", nil))
	v, err := h.Join(guardCtx(t))
	require.NoError(t, err)
	require.Equal(t, "hello", v)
}

// panicInTask returns a task body that panics with v. The tests look for
// its name in the panic's stack.
func panicInTask(v any) func(context.Context) (int, error) {
	return func(context.Context) (int, error) {
		panic(v)
	}
}

func TestS13_JoinPanicError(t *testing.T) {
	type custom struct{ code int }
	tests := []struct {
		name  string
		value any
	}{
		{"string", "kaboom"},
		{"error", errBoom},
		{"struct", custom{7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t, quiet)
			ctx := enter(t, rt)
			h := runtime.Spawn(ctx, panicInTask(tc.value))
			v, err := h.Join(ctx)
			require.Zero(t, v)
			var pe *runtime.PanicError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, h.ID(), pe.ID)
			assert.Equal(t, tc.value, pe.Value)
			assert.Contains(t, string(pe.Stack), "panicInTask", "the stack must be the panicking task's")
			assert.Contains(t, pe.Error(), fmt.Sprintf("task %d panicked", h.ID()))
			assert.Contains(t, pe.Error(), fmt.Sprint(tc.value))
			assert.NotErrorIs(t, err, runtime.ErrCancelled)
			if e, ok := tc.value.(error); ok {
				assert.ErrorIs(t, err, e, "a panic(err) unwraps to err")
			}
			assert.True(t, h.IsFinished())
		})
	}
}

func TestS13_JoinCtxCancelledLeavesHandleJoinable(t *testing.T) {
	ends := []struct {
		name string
		want error
		ctx  func(parent context.Context) (context.Context, context.CancelFunc)
	}{
		{"cancelled before Join", context.Canceled, func(parent context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(parent)
			cancel()
			return ctx, cancel
		}},
		// The task cannot finish before release is closed, so the deadline
		// ends the wait whatever its length.
		{"deadline during Join", context.DeadlineExceeded, func(parent context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(parent, time.Millisecond)
		}},
	}
	for _, p := range places {
		for _, e := range ends {
			t.Run(p.name+"/"+e.name, func(t *testing.T) {
				rt := newRuntime(t)
				p.run(t, rt, func(ctx context.Context) {
					release := make(chan struct{})
					h := runtime.Spawn(ctx, func(context.Context) (int, error) {
						<-release
						return 42, nil
					})
					jctx, cancel := e.ctx(ctx)
					defer cancel()
					v, err := h.Join(jctx)
					assert.ErrorIs(t, err, e.want)
					assert.Zero(t, v)
					assert.False(t, h.IsFinished())

					close(release)
					v, err = h.Join(ctx)
					assert.NoError(t, err)
					assert.Equal(t, 42, v)
				})
			})
		}
	}
}

func TestS14_JoinTwiceSameOutcome(t *testing.T) {
	tests := []struct {
		name  string
		body  func(ctx context.Context) (int, error)
		check func(t *testing.T, h *runtime.JoinHandle[int], v int, err error)
	}{
		{"value", value(42, nil), func(t *testing.T, _ *runtime.JoinHandle[int], v int, err error) {
			assert.NoError(t, err)
			assert.Equal(t, 42, v)
		}},
		{"error", value(3, errBoom), func(t *testing.T, _ *runtime.JoinHandle[int], v int, err error) {
			assert.Same(t, errBoom, err)
			assert.Equal(t, 3, v)
		}},
		{"panic", panicInTask("once"), func(t *testing.T, h *runtime.JoinHandle[int], v int, err error) {
			var pe *runtime.PanicError
			if assert.ErrorAs(t, err, &pe) {
				assert.Equal(t, h.ID(), pe.ID)
				assert.Equal(t, "once", pe.Value)
				assert.Contains(t, string(pe.Stack), "panicInTask")
			}
			assert.Zero(t, v)
		}},
		{"cancelled", yieldForever, func(t *testing.T, h *runtime.JoinHandle[int], v int, err error) {
			requireCancelled(t, err, h.ID())
			assert.Zero(t, v)
		}},
		{"goexit", func(context.Context) (int, error) {
			goruntime.Goexit()
			return 1, nil
		}, func(t *testing.T, _ *runtime.JoinHandle[int], v int, err error) {
			assert.ErrorIs(t, err, runtime.ErrGoexit)
			assert.Zero(t, v)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := newRuntime(t, quiet)
			ctx := enter(t, rt)
			h := runtime.Spawn(ctx, tc.body)
			if tc.name == "cancelled" {
				h.Abort()
			}
			v1, err1 := h.Join(ctx)
			tc.check(t, h, v1, err1)
			for range 2 {
				v, err := h.Join(ctx)
				tc.check(t, h, v, err)
				assert.Equal(t, v1, v)
				assert.Equal(t, fmt.Sprint(err1), fmt.Sprint(err))
			}
		})
	}
}

func TestS14_UnjoinedHandleDetaches(t *testing.T) {
	rt := newRuntime(t)
	release := make(chan struct{})
	done := make(chan int)
	err := rt.BlockOn(func(ctx context.Context) error {
		_ = runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			<-release
			runtime.YieldNow(ctx) // still a live task: its yield points work
			done <- 42
			return 0, nil
		})
		return nil
	})
	require.NoError(t, err)
	// The spawner has ended and dropped the handle; the task goes on.
	close(release)
	require.Equal(t, 42, recv(t, done, "the detached task"))
}

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

func TestS17_PanicDoesNotCrash(t *testing.T) {
	panics := make(chan *runtime.PanicError, 1)
	rt := newRuntime(t, runtime.WithPanicHandler(func(p *runtime.PanicError) { panics <- p }))
	ctx := enter(t, rt)

	// Detached: nobody joins it before the handler has seen the panic.
	h := runtime.Spawn(ctx, panicInTask("unobserved"))
	p := recv(t, panics, "the panic handler")
	require.Equal(t, h.ID(), p.ID)
	require.Equal(t, "unobserved", p.Value)
	require.Contains(t, string(p.Stack), "panicInTask")

	// A panic in a grandchild leaves its parent running.
	parent := runtime.Spawn(ctx, func(ctx context.Context) (string, error) {
		_, err := runtime.Spawn(ctx, panicInTask("nested")).Join(ctx)
		var pe *runtime.PanicError
		if !errors.As(err, &pe) {
			return "", fmt.Errorf("want a *PanicError, got %v", err)
		}
		return "parent alive", nil
	})
	v, err := parent.Join(ctx)
	require.NoError(t, err)
	require.Equal(t, "parent alive", v)
	require.Equal(t, "nested", recv(t, panics, "the nested panic").Value)

	// The first panic is still there for a late Join.
	_, err = h.Join(ctx)
	var pe *runtime.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "unobserved", pe.Value)
}

// gatedSet spawns one task per gate into js, each returning its index
// once its gate is closed.
func gatedSet(ctx context.Context, js *runtime.JoinSet[int], n int) []chan struct{} {
	gates := make([]chan struct{}, n)
	for i := range gates {
		gate := make(chan struct{})
		gates[i] = gate
		js.Spawn(ctx, func(context.Context) (int, error) {
			<-gate
			return i, nil
		})
	}
	return gates
}

func TestS18_JoinSetCompletionOrder(t *testing.T) {
	for _, p := range places {
		t.Run(p.name, func(t *testing.T) {
			rt := newRuntime(t)
			p.run(t, rt, func(ctx context.Context) {
				var js runtime.JoinSet[int]
				gates := gatedSet(ctx, &js, 4)
				for _, i := range []int{2, 0, 3, 1} {
					close(gates[i])
					v, err := js.JoinNext(ctx)
					assert.NoError(t, err)
					assert.Equal(t, i, v)
				}
				_, err := js.JoinNext(ctx)
				assert.ErrorIs(t, err, runtime.ErrNoTasks)
			})
		})
	}
}

// JoinNext, like Join, needs no runtime in its ctx in production.
func TestS18_JoinNextFromPlainContext(t *testing.T) {
	rt := newRuntime(t)
	var js runtime.JoinSet[int]
	gates := gatedSet(enter(t, rt), &js, 2)
	ctx := guardCtx(t)
	for _, i := range []int{1, 0} {
		close(gates[i])
		v, err := js.JoinNext(ctx)
		require.NoError(t, err)
		require.Equal(t, i, v)
	}
}

func TestS18_JoinSetErrNoTasks(t *testing.T) {
	rt := newRuntime(t)
	ctxs := []struct {
		name string
		ctx  context.Context
	}{
		{"plain ctx", context.Background()},
		{"Enter ctx", enter(t, rt)},
	}
	for _, c := range ctxs {
		t.Run(c.name, func(t *testing.T) {
			var js runtime.JoinSet[string] // zero value ready
			_, err := js.JoinNext(c.ctx)
			require.ErrorIs(t, err, runtime.ErrNoTasks)

			js.Spawn(enter(t, rt), value("x", nil))
			v, err := js.JoinNext(c.ctx)
			require.NoError(t, err)
			require.Equal(t, "x", v)
			_, err = js.JoinNext(c.ctx)
			require.ErrorIs(t, err, runtime.ErrNoTasks)
		})
	}
}

func TestS18_JoinSetLen(t *testing.T) {
	rt := newRuntime(t)
	ctx := enter(t, rt)
	var js runtime.JoinSet[int]
	require.Zero(t, js.Len())
	gates := gatedSet(ctx, &js, 3)
	require.Equal(t, 3, js.Len())
	// Finished tasks count until JoinNext takes them.
	for _, g := range gates {
		close(g)
	}
	for want := 2; want >= 0; want-- {
		_, err := js.JoinNext(ctx)
		require.NoError(t, err)
		require.Equal(t, want, js.Len())
	}
}

func TestS18_JoinSetAbortAllKeepsTasksUntilJoined(t *testing.T) {
	rt := newRuntime(t)
	ctx := enter(t, rt)
	var js runtime.JoinSet[int]
	js.AbortAll() // on an empty set: nothing to do

	// One task returns before AbortAll: it keeps its result.
	returned := make(chan struct{})
	js.Spawn(ctx, func(context.Context) (int, error) {
		close(returned)
		return 9, nil // no yield point between close and return
	})
	recv(t, returned, "the first task to return")
	js.Spawn(ctx, yieldForever)
	js.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, clock.Sleep(ctx, time.Hour) })

	js.AbortAll()
	js.AbortAll()
	require.Equal(t, 3, js.Len(), "aborted tasks stay in the set until joined")

	var got []string
	for want := 2; want >= 0; want-- {
		v, err := js.JoinNext(ctx)
		switch {
		case err == nil:
			got = append(got, fmt.Sprint("value ", v))
		case errors.Is(err, runtime.ErrCancelled):
			got = append(got, "cancelled")
		default:
			got = append(got, "unexpected: "+err.Error())
		}
		require.Equal(t, want, js.Len())
	}
	require.ElementsMatch(t, []string{"value 9", "cancelled", "cancelled"}, got)
	_, err := js.JoinNext(ctx)
	require.ErrorIs(t, err, runtime.ErrNoTasks)
}

func TestS18_JoinSetShutdown(t *testing.T) {
	other := newRuntime(t)
	rt := newRuntime(t)
	ctx := enter(t, rt)

	var js runtime.JoinSet[int]
	var startedWG sync.WaitGroup
	var deferred atomic.Int64
	yps := waitingYieldPoints()
	for _, yp := range yps {
		startedWG.Add(1)
		js.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer deferred.Add(1)
			yield := yp.prepare(ctx, other)
			startedWG.Done()
			for {
				yield(ctx)
			}
		})
	}
	js.Spawn(ctx, value(1, nil))
	startedWG.Wait()

	js.Shutdown(ctx)
	require.Zero(t, js.Len())
	require.Equal(t, int64(len(yps)), deferred.Load())
	_, err := js.JoinNext(ctx)
	require.ErrorIs(t, err, runtime.ErrNoTasks)
}

// If ctx ends first, Shutdown returns and leaves the tasks that have not
// ended in the set. The ctx is cancelled from the start, so nothing depends
// on timing: only tasks already finished could be taken.
func TestS18_JoinSetShutdownCtxEndsEarly(t *testing.T) {
	rt := newRuntime(t)
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	ctx := enter(t, rt)
	var js runtime.JoinSet[int]
	started := make(chan struct{})
	id := js.Spawn(ctx, func(ctx context.Context) (int, error) {
		close(started)
		<-stuck
		runtime.YieldNow(ctx)
		return 1, nil
	})
	recv(t, started, "the stuck task to start")

	sctx, cancel := context.WithCancel(ctx)
	cancel()
	js.Shutdown(sctx)
	require.Equal(t, 1, js.Len(), "the stuck task stays in the set")

	stuck <- struct{}{}
	_, err := js.JoinNext(ctx)
	requireCancelled(t, err, id)
	require.Zero(t, js.Len())
}

func TestS18_JoinSetPanicAndGoexit(t *testing.T) {
	rt := newRuntime(t, quiet)
	ctx := enter(t, rt)
	var js runtime.JoinSet[int]
	pid := js.Spawn(ctx, panicInTask("in set"))
	_, err := js.JoinNext(ctx)
	var pe *runtime.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, pid, pe.ID)
	require.Equal(t, "in set", pe.Value)

	js.Spawn(ctx, func(context.Context) (int, error) {
		goruntime.Goexit()
		return 1, nil
	})
	_, err = js.JoinNext(ctx)
	require.ErrorIs(t, err, runtime.ErrGoexit)
}

func TestS19_TaskIDsUniqueAndVisible(t *testing.T) {
	rt := newRuntime(t)
	type key struct{}

	t.Run("outside any task", func(t *testing.T) {
		for _, ctx := range []context.Context{context.Background(), rt.Enter(context.Background())} {
			id, ok := runtime.CurrentTask(ctx)
			require.False(t, ok)
			require.Zero(t, id)
		}
	})

	t.Run("inside tasks", func(t *testing.T) {
		const spawners, each = 4, 50
		seen := make(map[runtime.TaskID]string)
		var mu sync.Mutex
		record := func(id runtime.TaskID, what string) {
			mu.Lock()
			defer mu.Unlock()
			if prev, dup := seen[id]; dup {
				t.Errorf("task ID %d given to %s and to %s", id, prev, what)
			}
			seen[id] = what
		}
		// visible returns the ID a task sees, from its own ctx and from a
		// ctx derived from it.
		visible := func(ctx context.Context) (runtime.TaskID, error) {
			id, ok := runtime.CurrentTask(ctx)
			dctx, cancel := context.WithCancel(context.WithValue(ctx, key{}, 1))
			defer cancel()
			did, dok := runtime.CurrentTask(dctx)
			if !ok || !dok || id != did || id == 0 {
				return 0, fmt.Errorf("CurrentTask: (%d, %v), derived ctx (%d, %v)", id, ok, did, dok)
			}
			return id, nil
		}
		err := rt.BlockOn(func(ctx context.Context) error {
			root, err := visible(ctx)
			if err != nil {
				return err
			}
			record(root, "the root")
			// Several spawners at once, some from tasks, some from goroutines.
			var js runtime.JoinSet[error]
			for s := range spawners {
				js.Spawn(ctx, func(ctx context.Context) (error, error) {
					if s%2 == 1 {
						ctx = rt.Enter(context.Background())
					}
					var set runtime.JoinSet[runtime.TaskID]
					for i := range each {
						h := runtime.Spawn(ctx, visible)
						id, err := h.Join(ctx)
						if err != nil {
							return nil, err
						}
						if id != h.ID() {
							return nil, fmt.Errorf("task %d sees itself as %d", h.ID(), id)
						}
						record(id, fmt.Sprintf("spawner %d's task %d", s, i))

						sid := set.Spawn(ctx, visible)
						id, err = set.JoinNext(ctx)
						if err != nil {
							return nil, err
						}
						if id != sid {
							return nil, fmt.Errorf("set task %d sees itself as %d", sid, id)
						}
						record(id, fmt.Sprintf("spawner %d's set task %d", s, i))
					}
					return nil, nil
				})
			}
			for js.Len() > 0 {
				if errv, err := js.JoinNext(ctx); err != nil || errv != nil {
					return errors.Join(errv, err)
				}
			}
			return nil
		})
		require.NoError(t, err)
		require.Len(t, seen, 1+2*spawners*each)
	})
}

func TestS20_CtxCancelReturnsCtxErr(t *testing.T) {
	rt := newRuntime(t)
	ctx := enter(t, rt)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	blocked := func(context.Context) (int, error) {
		<-release
		return 1, nil
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	expired, cancel2 := context.WithTimeout(ctx, time.Millisecond)
	defer cancel2()

	ctxs := []struct {
		name string
		ctx  context.Context
	}{
		{"cancelled", cancelled},
		{"deadline", expired},
	}
	for _, tc := range ctxs {
		c := tc.ctx
		t.Run(tc.name, func(t *testing.T) {
			h := runtime.Spawn(ctx, blocked)
			_, err := h.Join(c)
			require.Equal(t, c.Err(), err, "Join returns ctx.Err() itself")

			var js runtime.JoinSet[int]
			js.Spawn(ctx, blocked)
			_, err = js.JoinNext(c)
			require.Equal(t, c.Err(), err, "JoinNext returns ctx.Err() itself")
			require.Equal(t, 1, js.Len(), "a JoinNext that failed takes nothing")
			js.AbortAll()
			h.Abort()
		})
	}
}

// Cancellation is not abort. A task's ctx is the ctx it was spawned from:
// when that ends, the task's blocking calls return ctx.Err() and the task
// goes on to return what it chooses; it is not dropped.
func TestS20_SpawnCtxCancellationIsNotAbort(t *testing.T) {
	type key struct{}
	for _, p := range places {
		t.Run(p.name, func(t *testing.T) {
			rt := newRuntime(t)
			p.run(t, rt, func(ctx context.Context) {
				t.Run("cancelled before Spawn", func(t *testing.T) {
					sctx, cancel := context.WithCancel(context.WithValue(ctx, key{}, "v"))
					cancel()
					h := runtime.Spawn(sctx, func(ctx context.Context) (string, error) {
						if err := clock.Sleep(ctx, time.Hour); err != context.Canceled {
							return "", fmt.Errorf("Sleep returned %v, want context.Canceled", err)
						}
						v, _ := ctx.Value(key{}).(string)
						return v, nil
					})
					v, err := h.Join(ctx)
					assert.NoError(t, err)
					assert.Equal(t, "v", v)
				})
				t.Run("cancelled while parked", func(t *testing.T) {
					sctx, cancel := context.WithCancel(ctx)
					defer cancel()
					started := make(chan struct{})
					h := runtime.Spawn(sctx, func(ctx context.Context) (string, error) {
						close(started)
						_, err := runtime.Spawn(ctx, sleepHour).Join(ctx)
						return "returned", err
					})
					<-started
					cancel()
					v, err := h.Join(ctx)
					assert.Equal(t, "returned", v, "the task was dropped instead of seeing ctx.Err()")
					assert.Same(t, context.Canceled, err)
				})
			})
		})
	}
}

func TestEnter_PlainGoroutineSpawnsAndJoins(t *testing.T) {
	rt := newRuntime(t)
	type key struct{}
	base := context.WithValue(guardCtx(t), key{}, "carried")
	res := make(chan error, 1)
	go func() {
		ctx := rt.Enter(base)
		if ctx.Value(key{}) != "carried" {
			res <- errors.New("Enter lost ctx's values")
			return
		}
		runtime.YieldNow(ctx) // outside a task: just yields the processor
		h := runtime.Spawn(ctx, func(ctx context.Context) (string, error) {
			s, _ := ctx.Value(key{}).(string)
			return s, nil
		})
		v, err := h.Join(ctx)
		if err == nil && v != "carried" {
			err = fmt.Errorf("task saw %q", v)
		}
		res <- err
	}()
	require.NoError(t, recv(t, res, "the goroutine"))
}

func TestGoexitInTaskIsErrGoexit(t *testing.T) {
	handled := make(chan *runtime.PanicError, 1)
	rt := newRuntime(t, runtime.WithPanicHandler(func(p *runtime.PanicError) { handled <- p }))
	ctx := enter(t, rt)
	var deferred atomic.Bool
	h := runtime.Spawn(ctx, func(context.Context) (int, error) {
		defer deferred.Store(true)
		goruntime.Goexit() // what t.FailNow and require do
		return 1, nil
	})
	v, err := h.Join(ctx)
	require.Zero(t, v)
	require.ErrorIs(t, err, runtime.ErrGoexit)
	require.NotErrorIs(t, err, runtime.ErrCancelled)
	var pe *runtime.PanicError
	require.False(t, errors.As(err, &pe), "a Goexit is not a panic")
	require.True(t, deferred.Load())
	require.True(t, h.IsFinished())
	require.Empty(t, handled, "a Goexit is not reported as a panic")
}

func TestBlockOn(t *testing.T) {
	t.Run("returns f's error", func(t *testing.T) {
		rt := newRuntime(t)
		require.Same(t, errBoom, rt.BlockOn(func(context.Context) error { return errBoom }))
		require.NoError(t, rt.BlockOn(func(context.Context) error { return nil }))
	})
	t.Run("returns *PanicError when f panics", func(t *testing.T) {
		rt := newRuntime(t, quiet)
		var root runtime.TaskID
		err := rt.BlockOn(func(ctx context.Context) error {
			root, _ = runtime.CurrentTask(ctx)
			_, err := panicInTask("root")(ctx)
			return err
		})
		var pe *runtime.PanicError
		require.ErrorAs(t, err, &pe)
		require.NotZero(t, root)
		require.Equal(t, root, pe.ID)
		require.Equal(t, "root", pe.Value)
		require.Contains(t, string(pe.Stack), "panicInTask")
	})
}

// Joining oneself is misuse: it panics (in the task, so Join reports it)
// with a message that names the cure.
func TestJoinSelfPanics(t *testing.T) {
	rt := newRuntime(t, quiet)
	ctx := enter(t, rt)
	self := make(chan *runtime.JoinHandle[int], 1)
	h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		return (<-self).Join(ctx)
	})
	self <- h
	_, err := h.Join(ctx)
	var pe *runtime.PanicError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "runtime: a task cannot Join itself; join it from another task or let it detach", pe.Value)
}
