package runtime_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
)

// These are black-box tests of the production executor (runtime.New), one
// or more per testable clause of docs/CONTRACT.md. Goroutines really run in parallel here,
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
