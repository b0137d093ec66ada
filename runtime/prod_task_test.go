package runtime_test

import (
	"context"
	"fmt"
	goruntime "runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
)

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

// Joins racing the end of the task they join, in production: each task
// ends as two joiners (the spawner and a helper task) arrive, so a joiner
// finds the task finished, or queues and is woken by Finish; none may
// miss the wake-up (Finish takes the task's lock only when a joiner has
// announced itself) and all see the same outcome.
func TestS13_JoinsRacingTheEndNeverHang(t *testing.T) {
	const tasks = 3000
	rt := newRuntime(t)
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		hs := make(chan *runtime.JoinHandle[int], tasks)
		helper := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			sum := 0
			for h := range hs {
				v, err := h.Join(ctx)
				if err != nil {
					return 0, err
				}
				sum += v
			}
			return sum, nil
		})
		want := 0
		for i := range tasks {
			h := runtime.Spawn(ctx, func(context.Context) (int, error) { return i, nil })
			hs <- h
			v, err := h.Join(ctx)
			require.NoError(t, err)
			require.Equal(t, i, v)
			want += i
		}
		close(hs)
		sum, err := helper.Join(ctx)
		require.NoError(t, err)
		assert.Equal(t, want, sum)
		return nil
	}))
}
