package sim

import (
	"context"
	"errors"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/runtime"
)

// withViaDriver takes every step through the driver, as before handoff
// (worker.go): the reference the handoff must agree with.
func withViaDriver() Option { return func(c *config) { c.viaDriver = true } }

// mixedWorkload exercises every kind of step: new tasks, a three-party
// channel relay, a contended mutex, yields, sleeps, an abort, a Goexit,
// and a panic that a join observes.
func mixedWorkload(ctx context.Context) error {
	in, mid := runtime.NewChan[int](0), runtime.NewChan[int](1)
	var mu runtime.Mutex
	shared := 0
	var hs []*runtime.JoinHandle[int]
	hs = append(hs, runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		for i := range 20 {
			if err := in.Send(ctx, i); err != nil {
				return 0, err
			}
		}
		in.Close()
		return 0, nil
	}))
	hs = append(hs, runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		for v := range in.All(ctx) {
			if err := mid.Send(ctx, v*2); err != nil {
				return 0, err
			}
		}
		mid.Close()
		return 0, nil
	}))
	hs = append(hs, runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		sum := 0
		for v := range mid.All(ctx) {
			sum += v
		}
		return sum, nil
	}))
	for i := range 4 {
		hs = append(hs, runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			for range 3 {
				if err := mu.Lock(ctx); err != nil {
					return 0, err
				}
				v := shared
				runtime.YieldNow(ctx)
				shared = v + 1
				mu.Unlock()
				if err := clock.Sleep(ctx, time.Duration(i+1)*time.Millisecond); err != nil {
					return 0, err
				}
			}
			return i, nil
		}))
	}
	sleeper := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		return 0, clock.Sleep(ctx, time.Hour)
	})
	quitter := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		runtime.YieldNow(ctx)
		goruntime.Goexit()
		return 0, nil
	})
	panicker := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
		runtime.YieldNow(ctx)
		panic("boom")
	})
	for _, h := range hs {
		for range 10 {
			runtime.Spawn(ctx, func(context.Context) (int, error) { return 0, nil })
		}
		if _, err := h.Join(ctx); err != nil {
			return err
		}
	}
	sleeper.Abort()
	if _, err := sleeper.Join(ctx); !errors.Is(err, runtime.ErrCancelled) {
		return err
	}
	if _, err := quitter.Join(ctx); !errors.Is(err, runtime.ErrGoexit) {
		return err
	}
	var pe *runtime.PanicError
	if _, err := panicker.Join(ctx); !errors.As(err, &pe) {
		return err
	}
	if shared != 12 {
		return errors.New("lost update under the mutex")
	}
	return nil
}

// Handoff changes who takes a step, never which step is taken: a run takes
// the same decisions, events and hash with and without it.
func TestHandoff_TakesTheStepsTheDriverWould(t *testing.T) {
	for _, s := range []Strategy{FIFO(), Random(), PCT(3)} {
		for seed := range uint64(40) {
			opts := []Option{WithSeed(seed), WithStrategy(s), WithTrace(10_000)}
			direct := Run(mixedWorkload, opts...)
			driven := Run(mixedWorkload, append(opts, withViaDriver())...)
			require.NoError(t, direct.Err, "%v seed %d", s, seed)
			require.NoError(t, driven.Err, "%v seed %d", s, seed)
			require.Equal(t, driven.Steps, direct.Steps, "%v seed %d", s, seed)
			require.Equal(t, driven.Hash, direct.Hash, "%v seed %d", s, seed)
			require.Equal(t, driven.Events, direct.Events, "%v seed %d", s, seed)
		}
	}
}

// A task resumed from another task's goroutine (two tasks handing values
// to each other) that calls runtime.Goexit ends alone: the task whose
// goroutine resumed it goes on, and its deferred calls run only when it
// returns.
func TestHandoff_GoexitOfAHostedTaskEndsOnlyThatTask(t *testing.T) {
	if kernel.RaceEnabled {
		t.Skip("a race build takes every step through the driver: no task hosts another")
	}
	var depthAtExit int
	var order []string
	res := Run(func(ctx context.Context) error {
		c := runtime.NewChan[int](0)
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			for {
				v, err := c.Recv(ctx)
				if err != nil {
					return 0, err
				}
				if v == 3 {
					depthAtExit = kernel.FromContext(ctx).Executor().(*executor).depth
					goruntime.Goexit()
				}
			}
		})
		defer func() { order = append(order, "root's defer") }()
		for i := range 4 {
			if err := c.Send(ctx, i); err != nil {
				return err
			}
		}
		_, err := h.Join(ctx)
		order = append(order, "joined")
		if !errors.Is(err, runtime.ErrGoexit) {
			return err
		}
		return nil
	}, WithStrategy(FIFO()))
	require.NoError(t, res.Err)
	assert.Equal(t, 2, depthAtExit, "the receiver was not resumed from the sender's goroutine")
	assert.Equal(t, []string{"joined", "root's defer"}, order)
}
