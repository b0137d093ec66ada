package sim_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func lostUpdateProgram(ctx context.Context) error {
	var counter atomic.Int64 // no data race: the bug is the lost update
	var wg runtime.WaitGroup
	for range 2 {
		wg.Go(ctx, func(ctx context.Context) {
			v := counter.Load()
			runtime.YieldNow(ctx)
			counter.Store(v + 1)
		})
	}
	if err := wg.Wait(ctx); err != nil {
		return err
	}
	if counter.Load() != 2 {
		return errors.New("lost update")
	}
	return nil
}

func TestRunBytes_BytesDecideTheSchedule(t *testing.T) {
	a := sim.RunBytes([]byte{1, 0, 1, 0, 0, 0}, fourWorkers)
	b := sim.RunBytes([]byte{1, 0, 1, 0, 0, 0}, fourWorkers)
	c := sim.RunBytes([]byte{0, 0, 3, 0, 2, 0, 1, 0}, fourWorkers)
	require.NoError(t, a.Err)
	assert.Equal(t, a.Hash, b.Hash, "equal bytes, equal runs")
	assert.NotEqual(t, a.Hash, c.Hash, "other bytes, another schedule")

	// Some short input finds the lost update; none needs more than a few
	// decisions.
	found := false
	for x := range 256 {
		if sim.RunBytes([]byte{byte(x), 0, byte(x >> 1), 0}, lostUpdateProgram).Err != nil {
			found = true
			break
		}
	}
	assert.True(t, found)
}

// FuzzCorrectCounter is a fuzz target made with sim.Fuzz; the program is
// correct, so go test -fuzz=FuzzCorrectCounter finds nothing.
func FuzzCorrectCounter(f *testing.F) {
	sim.Fuzz(f, func(ctx context.Context) error {
		var mu runtime.Mutex
		counter := 0
		var wg runtime.WaitGroup
		for range 3 {
			wg.Go(ctx, func(ctx context.Context) {
				if mu.Lock(ctx) != nil {
					return
				}
				defer mu.Unlock()
				v := counter
				runtime.YieldNow(ctx)
				counter = v + 1
			})
		}
		if err := wg.Wait(ctx); err != nil {
			return err
		}
		if counter != 3 {
			return errors.New("lost update under a lock")
		}
		return nil
	})
}
