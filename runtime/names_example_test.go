package runtime_test

import (
	"context"
	"fmt"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func ExampleSpawnNamed() {
	rt := runtime.New()
	defer rt.Shutdown()
	_ = rt.BlockOn(func(ctx context.Context) error {
		name, _ := runtime.SpawnNamed(ctx, "indexer", func(ctx context.Context) (string, error) {
			return runtime.TaskName(ctx), nil
		}).Join(ctx)
		fmt.Println("the task is called", name)
		return nil
	})
	// Output: the task is called indexer
}

func ExampleNote() {
	res := sim.Run(func(ctx context.Context) error {
		balance := 50
		runtime.Note(ctx, "balance read: %d", balance)
		return nil
	})
	for _, ev := range res.Events {
		if ev.Kind == sim.EvLog {
			fmt.Println(ev)
		}
	}
	// Output: step 1 @0s task 1 log balance read: 50
}
