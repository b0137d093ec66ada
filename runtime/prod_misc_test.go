package runtime_test

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
)

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
