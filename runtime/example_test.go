package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
)

// A task's result comes back through its handle.
func ExampleSpawn() {
	rt := runtime.New()
	defer rt.Shutdown()
	err := rt.BlockOn(func(ctx context.Context) error {
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 6 * 7, nil
		})
		v, err := h.Join(ctx)
		fmt.Println(v, err)
		return nil
	})
	fmt.Println("BlockOn:", err)
	// Output:
	// 42 <nil>
	// BlockOn: <nil>
}

// JoinNext returns results in completion order, which in production depends
// on the goroutines; sort them when the order must not matter.
func ExampleJoinSet() {
	rt := runtime.New()
	defer rt.Shutdown()
	_ = rt.BlockOn(func(ctx context.Context) error {
		var set runtime.JoinSet[int]
		for i := 1; i <= 3; i++ {
			set.Spawn(ctx, func(ctx context.Context) (int, error) {
				return i * i, nil
			})
		}
		var squares []int
		for {
			v, err := set.JoinNext(ctx)
			if errors.Is(err, runtime.ErrNoTasks) {
				break
			}
			if err != nil {
				return err
			}
			squares = append(squares, v)
		}
		slices.Sort(squares)
		fmt.Println(squares, set.Len())
		return nil
	})
	// Output: [1 4 9] 0
}

// An aborted task is dropped at its next yield point: the yield point does
// not return, its deferred functions run, and Join reports ErrCancelled.
func ExampleJoinHandle_Abort() {
	rt := runtime.New()
	defer rt.Shutdown()
	_ = rt.BlockOn(func(ctx context.Context) error {
		started := make(chan struct{})
		h := runtime.Spawn(ctx, func(ctx context.Context) (string, error) {
			defer fmt.Println("deferred function ran")
			close(started)
			if err := clock.Sleep(ctx, time.Hour); err != nil { // dropped here
				return "", err
			}
			fmt.Println("never printed")
			return "done", nil
		})
		<-started
		h.Abort()
		v, err := h.Join(ctx)
		fmt.Printf("%q %v %v\n", v, errors.Is(err, runtime.ErrCancelled), h.IsFinished())
		return nil
	})
	// Output:
	// deferred function ran
	// "" true true
}

// A task panic never crashes the process: Join returns it as a
// *PanicError.
func ExamplePanicError() {
	rt := runtime.New(runtime.WithPanicHandler(func(*runtime.PanicError) {})) // quiet
	defer rt.Shutdown()
	_ = rt.BlockOn(func(ctx context.Context) error {
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			var m map[string]int
			m["x"] = 1 // panics: assignment to entry in nil map
			return 0, nil
		})
		_, err := h.Join(ctx)
		var pe *runtime.PanicError
		if errors.As(err, &pe) {
			fmt.Println("task", pe.ID, "panicked:", pe.Value)
		}
		return nil
	})
	// Output: task 2 panicked: assignment to entry in nil map
}

// Cancelling a task's context makes its blocking calls return ctx.Err();
// unlike Abort, it leaves the task running to decide what to do.
func ExampleSpawn_cancel() {
	rt := runtime.New()
	defer rt.Shutdown()
	_ = rt.BlockOn(func(ctx context.Context) error {
		ctx, cancel := context.WithCancel(ctx)
		h := runtime.Spawn(ctx, func(ctx context.Context) (string, error) {
			if err := clock.Sleep(ctx, time.Hour); err != nil {
				return "stopped early", nil
			}
			return "slept", nil
		})
		cancel()
		fmt.Println(h.Join(context.Background()))
		return nil
	})
	// Output: stopped early <nil>
}

// Task IDs are assigned in spawn order; the root task of BlockOn is the
// first.
func ExampleCurrentTask() {
	rt := runtime.New()
	defer rt.Shutdown()
	_ = rt.BlockOn(func(ctx context.Context) error {
		id, ok := runtime.CurrentTask(ctx)
		fmt.Println("root:", id, ok)
		h := runtime.Spawn(ctx, func(ctx context.Context) (runtime.TaskID, error) {
			id, _ := runtime.CurrentTask(ctx)
			return id, nil
		})
		child, _ := h.Join(ctx)
		fmt.Println("child:", child, child == h.ID())
		return nil
	})
	_, ok := runtime.CurrentTask(context.Background())
	fmt.Println("outside any task:", ok)
	// Output:
	// root: 1 true
	// child: 2 true
	// outside any task: false
}

func ExampleChan() {
	rt := runtime.New()
	defer rt.Shutdown()
	_ = rt.BlockOn(func(ctx context.Context) error {
		jobs := runtime.NewChan[int](2)
		producer := runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			defer jobs.Close()
			for i := 1; i <= 3; i++ {
				if err := jobs.Send(ctx, i); err != nil {
					return struct{}{}, err
				}
			}
			return struct{}{}, nil
		})
		sum := 0
		for v := range jobs.All(ctx) {
			sum += v
		}
		_, err := producer.Join(ctx)
		fmt.Println(sum, err)
		return nil
	})
	// Output: 6 <nil>
}

func ExampleMutex() {
	rt := runtime.New()
	defer rt.Shutdown()
	_ = rt.BlockOn(func(ctx context.Context) error {
		var mu runtime.Mutex
		var wg runtime.WaitGroup
		counter := 0
		for range 10 {
			wg.Go(ctx, func(ctx context.Context) {
				if err := mu.Lock(ctx); err != nil {
					return
				}
				defer mu.Unlock()
				counter++
			})
		}
		_ = wg.Wait(ctx)
		fmt.Println(counter)
		return nil
	})
	// Output: 10
}

func ExampleSelect() {
	rt := runtime.New()
	defer rt.Shutdown()
	_ = rt.BlockOn(func(ctx context.Context) error {
		results := runtime.NewChan[string](0)
		err := runtime.Select(ctx,
			runtime.OnRecv(results, func(r string, err error) { fmt.Println("result:", r) }),
			runtime.OnAfter(10*time.Millisecond, func() { fmt.Println("timed out") }),
		)
		return err
	})
	// Output: timed out
}
