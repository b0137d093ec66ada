package runtime_test

import (
	"context"
	"errors"
	"math/rand/v2"
	goruntime "runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
)

// Aborts racing grants in production: consumers receive from a channel
// (plainly, through Select, and through Select with a timer racing the
// channel) while a killer aborts them at random
// moments. An abort reaches a waiting task through its own waiter
// (AbortWait); a value granted to a receiver dropped right after is put
// back. So every task ends, and no value is lost or received twice (S30).
func TestS15_AbortsRacingGrantsLoseNothing(t *testing.T) {
	const consumers, values = 16, 4000
	rt := newRuntime(t, quiet)
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		c := runtime.NewChan[int](2)
		var got atomic.Int64 // sum of the values received
		var n atomic.Int64   // how many were received
		hs := make([]*runtime.JoinHandle[struct{}], consumers)
		for i := range hs {
			hs[i] = spawnUnit(ctx, func(ctx context.Context) error {
				for k := 0; ; k++ {
					var v int
					var err error
					timedOut := false
					switch k % 3 {
					case 0:
						v, err = c.Recv(ctx)
					case 1:
						v, err = recvViaSelect(ctx, c)
					default: // a timer's grant races the channel's and the abort
						v, err = recvViaSelect(ctx, c, runtime.OnAfter(time.Microsecond, func() { timedOut = true }))
					}
					if err != nil {
						return err
					}
					if timedOut {
						continue
					}
					got.Add(int64(v))
					n.Add(1)
				}
			})
		}
		killed := make(chan struct{})
		go func() { // the killer: aborts all consumers but one, spread over the stream
			defer close(killed)
			r := rand.New(rand.NewPCG(1, 2))
			for i, h := range hs[:consumers-1] {
				for n.Load() < int64((i+1)*values/consumers) {
					goruntime.Gosched()
				}
				for range r.IntN(50) {
					goruntime.Gosched()
				}
				h.Abort()
			}
		}()
		want := int64(0)
		for v := 1; v <= values; v++ {
			require.NoError(t, c.Send(ctx, v))
			want += int64(v)
		}
		<-killed
		// The aborted consumers end first: one dropped right after a grant
		// puts its value back as it unwinds, and a value put back after
		// Close and after the last receiver saw the channel drained would
		// stay in it (see the closing note of issue 3).
		cancelled := 0
		for _, h := range hs[:consumers-1] {
			if _, err := h.Join(ctx); errors.Is(err, runtime.ErrCancelled) {
				cancelled++
			} else {
				t.Errorf("an aborted consumer ended with %v", err)
			}
		}
		c.Close() // the last consumer drains the rest, then sees ErrClosed
		if _, err := hs[consumers-1].Join(ctx); !errors.Is(err, runtime.ErrClosed) {
			t.Errorf("the last consumer ended with %v", err)
		}
		assert.Equal(t, consumers-1, cancelled, "consumers aborted")
		assert.Equal(t, int64(values), n.Load(), "values received")
		assert.Equal(t, want, got.Load(), "sum of the values received")
		assert.Equal(t, 0, c.Len())
		return nil
	}))
}
