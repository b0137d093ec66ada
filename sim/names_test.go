package sim_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestSpawnNamed_NamesShowInEventsAndDeadlockReports(t *testing.T) {
	var names taskLog[string]
	res := sim.Run(func(ctx context.Context) error {
		ch := runtime.NewChan[int](0)
		h := runtime.SpawnNamed(ctx, "receiver", func(ctx context.Context) (int, error) {
			names.add(runtime.TaskName(ctx))
			runtime.Spawn(ctx, func(ctx context.Context) (int, error) { // not named after its spawner
				names.add(runtime.TaskName(ctx))
				return 0, nil
			})
			return ch.Recv(ctx)
		})
		var js runtime.JoinSet[int]
		js.SpawnNamed(ctx, "member", func(ctx context.Context) (int, error) {
			names.add(runtime.TaskName(ctx))
			return 0, nil
		})
		names.add(runtime.TaskName(ctx))
		_, err := h.Join(ctx)
		return err
	}, sim.WithStrategy(sim.FIFO()))
	var de *sim.DeadlockError
	require.True(t, errors.As(res.Err, &de), "%v", res.Err)
	assert.Equal(t, []string{"", "receiver", "member", ""}, names.all())
	assert.Contains(t, de.Error(), "task 2 (receiver) blocked in Chan.Recv")
	assert.Contains(t, de.Error(), "task 1 blocked in JoinHandle.Join, waiting for task 2")
	var spawns []string
	for _, ev := range res.Events {
		if ev.Kind == sim.EvSpawn {
			spawns = append(spawns, fmt.Sprintf("%d %s", ev.Task, ev.Op))
		}
	}
	assert.Equal(t, []string{"1 ", "2 receiver", "3 member", "4 "}, spawns)
}

func TestSpawnNamed_InProduction(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	err := rt.BlockOn(func(ctx context.Context) error {
		got, err := runtime.SpawnNamed(ctx, "worker", func(ctx context.Context) (string, error) {
			return runtime.TaskName(ctx), nil
		}).Join(ctx)
		assert.Equal(t, "worker", got)
		return err
	})
	require.NoError(t, err)
}

func TestNote_GoesIntoTheEventLogAndNotTheHash(t *testing.T) {
	run := func(note bool) sim.Result {
		return sim.Run(func(ctx context.Context) error {
			runtime.YieldNow(ctx)
			if note {
				runtime.Note(ctx, "balance is %d", 50)
			}
			return nil
		}, sim.WithSeed(3))
	}
	with, without := run(true), run(false)
	assert.Equal(t, without.Hash, with.Hash, "a note moved the hash")
	var logs []string
	for _, ev := range with.Events {
		if ev.Kind == sim.EvLog {
			logs = append(logs, ev.String())
		}
	}
	assert.Equal(t, []string{"step 2 @0s task 1 log balance is 50"}, logs)
	runtime.Note(context.Background(), "outside any runtime: %d", 1) // nothing happens
}

func ExampleResult_Schedule() {
	res := sim.Run(func(ctx context.Context) error {
		_, err := runtime.SpawnNamed(ctx, "fetcher", func(ctx context.Context) (int, error) {
			return 0, errors.New("timeout")
		}).Join(ctx)
		return err
	}, sim.WithStrategy(sim.FIFO()))
	fmt.Print(res.Schedule())
	// Output:
	//   1. @0s task 1 runs, spawns task 2 (fetcher), parks in JoinHandle.Join (for task 2 (fetcher))
	//   2. @0s task 2 (fetcher) runs, wakes task 1, ends (returned an error: timeout)
	//   3. @0s task 1 runs, ends (returned an error: timeout)
}

func TestSpawnNamed_NameShowsInAStuckTaskReport(t *testing.T) {
	block := make(chan struct{})
	res := sim.Run(func(ctx context.Context) error {
		_, err := runtime.SpawnNamed(ctx, "blocker", func(ctx context.Context) (int, error) {
			<-block
			return 1, nil
		}).Join(ctx)
		return err
	}, sim.WithWatchdog(100*time.Millisecond))
	close(block) // lets the abandoned simulation drop its tasks (TestMain checks)
	var se *sim.StuckTaskError
	require.ErrorAs(t, res.Err, &se)
	assert.Equal(t, "blocker", se.Name)
	assert.Contains(t, se.Error(), "sim: task 2 (blocker) has not reached a yield point")
}
