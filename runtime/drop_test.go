package runtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
)

// A task that recovers its own drop and goes on waiting is still dropped:
// the second time its goroutine exits, and it ends with ErrCancelled, on
// both executors.
func TestARecoveredDropDoesNotKeepTheTaskAlive(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		started := runtime.NewChan[struct{}](1)
		recovered := 0
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			started.Send(ctx, struct{}{})
			for i := 0; i < 1000; i++ {
				func() {
					defer func() {
						if r := recover(); r != nil {
							recovered++
						}
					}()
					clock.Sleep(ctx, time.Hour)
				}()
			}
			return 0, errors.New("a dropped task went on after recovering its drop 1000 times")
		})
		_, err := started.Recv(ctx)
		require.NoError(t, err)
		h.Abort()
		_, err = h.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		assert.Equal(t, 1, recovered, "the first drop can be recovered; the second is not a panic")
	})
}

// IsDrop tells a recovered drop from a recovered panic.
func TestIsDropTellsADropFromAPanic(t *testing.T) {
	onBoth(t, func(t *testing.T, ctx context.Context) {
		seen := runtime.NewChan[bool](2)
		recoverer := func(ctx context.Context, f func(ctx context.Context)) *runtime.JoinHandle[int] {
			return runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
				defer func() {
					r := recover()
					seen.TrySend(runtime.IsDrop(r))
					if runtime.IsDrop(r) {
						panic(r) // let the drop go on
					}
				}()
				f(ctx)
				return 0, nil
			})
		}
		started := runtime.NewChan[struct{}](1)
		dropped := recoverer(ctx, func(ctx context.Context) {
			started.Send(ctx, struct{}{})
			clock.Sleep(ctx, time.Hour)
		})
		_, err := started.Recv(ctx)
		require.NoError(t, err)
		dropped.Abort()
		_, err = dropped.Join(ctx)
		assert.ErrorIs(t, err, runtime.ErrCancelled)
		isDrop, _ := seen.Recv(ctx)
		assert.True(t, isDrop, "an abort's unwinding is a drop")

		panicked := recoverer(ctx, func(context.Context) { panic("boom") })
		_, err = panicked.Join(ctx)
		assert.NoError(t, err, "the panic was recovered")
		isDrop, _ = seen.Recv(ctx)
		assert.False(t, isDrop, "a panic is not a drop")
		assert.False(t, runtime.IsDrop(nil))
	})
}
