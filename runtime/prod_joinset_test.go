package runtime_test

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
)

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
