package runtime_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
)

// Cancellations racing grants in production: consumers receive (plainly
// and through Select) under contexts that end after a few microseconds,
// so a ctx often ends just as a value is handed over. Exactly one of the
// two wins each wait: a receive that returns the ctx's error took nothing
// (S20), and none that returns a value loses it. So every value is
// received once, and the wake tokens add up (a token left over would wake
// a later wait early and lose its value).
func TestS20_CancellationsRacingGrantsLoseNothing(t *testing.T) {
	const consumers, values = 4, 20000
	rt := newRuntime(t)
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		c := runtime.NewChan[int](1)
		var got, n, timeouts atomic.Int64
		hs := make([]*runtime.JoinHandle[struct{}], consumers)
		for i := range hs {
			hs[i] = spawnUnit(ctx, func(ctx context.Context) error {
				for k := 0; ; k++ {
					wctx, cancel := context.WithTimeout(ctx, time.Duration(k%7)*time.Microsecond)
					var v int
					var err error
					if k%2 == 0 {
						v, err = c.Recv(wctx)
					} else {
						v, err = recvViaSelect(wctx, c)
					}
					cancel()
					switch {
					case errors.Is(err, context.DeadlineExceeded):
						timeouts.Add(1)
						continue
					case err != nil:
						return err
					}
					got.Add(int64(v))
					n.Add(1)
				}
			})
		}
		want := int64(0)
		for v := 1; v <= values; v++ {
			require.NoError(t, c.Send(ctx, v))
			want += int64(v)
		}
		c.Close()
		for _, h := range hs {
			if _, err := h.Join(ctx); !errors.Is(err, runtime.ErrClosed) {
				t.Errorf("a consumer ended with %v", err)
			}
		}
		assert.Equal(t, int64(values), n.Load(), "values received")
		assert.Equal(t, want, got.Load(), "sum of the values received")
		assert.Positive(t, timeouts.Load(), "some receives timed out (the race was run)")
		return nil
	}))
}
