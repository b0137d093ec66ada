package weftlog_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
	"github.com/weftsim/weft/weftlog"
)

// logs returns the EvLog events of a run, as the event log prints them.
func logs(res sim.Result) []string {
	var out []string
	for _, ev := range res.Events {
		if ev.Kind == sim.EvLog {
			out = append(out, ev.String())
		}
	}
	return out
}

func TestHandler_StampsRecordsOfSimulatedTasks(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(weftlog.New(slog.NewJSONHandler(&buf, nil))).With("service", "bank")
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		h := n.AddHost("db")
		_, err := runtime.SpawnNamed(h.Context(ctx), "writer", func(ctx context.Context) (int, error) {
			if err := clock.Sleep(ctx, 1500*time.Millisecond); err != nil {
				return 0, err
			}
			logger.WithGroup("op").InfoContext(ctx, "commit", "rows", 3)
			return 0, nil
		}).Join(ctx)
		logger.DebugContext(ctx, "not enabled") // the wrapped handler's level decides
		return err
	}, sim.WithSeed(7), sim.WithStrategy(sim.FIFO()))
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"step 3 @1.5s task 2 log writer@db: level=INFO msg=commit service=bank op.rows=3"}, logs(res))
	// The wrapped handler sees virtual time and the stamp.
	want := clock.Epoch.Add(1500 * time.Millisecond).Format(time.RFC3339Nano)
	out := buf.String()
	assert.Contains(t, out, `"time":"`+want+`"`)
	assert.Contains(t, out, `"sim":{"seed":7,"step":3,"task":2,"name":"writer","host":"db"}`)
	assert.Equal(t, 1, strings.Count(out, "\n"), out)
}

func TestHandler_RecordsDoNotMoveTheHash(t *testing.T) {
	run := func(log bool) sim.Result {
		logger := slog.New(weftlog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
		return sim.Run(func(ctx context.Context) error {
			runtime.YieldNow(ctx)
			if log {
				logger.InfoContext(ctx, "hello")
			}
			return nil
		})
	}
	with, without := run(true), run(false)
	assert.Equal(t, without.Hash, with.Hash)
	assert.Len(t, logs(with), 1)
}

func TestHandler_InProductionPassesRecordsThrough(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(weftlog.New(slog.NewTextHandler(&buf, nil)))
	rt := runtime.New()
	defer rt.Shutdown()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		logger.InfoContext(ctx, "in a task", "k", 1)
		return nil
	}))
	logger.Info("no context")
	out := buf.String()
	assert.Contains(t, out, "msg=\"in a task\" k=1")
	assert.Contains(t, out, "msg=\"no context\"")
	assert.NotContains(t, out, "sim.")
	assert.Contains(t, out, "time="+time.Now().Format("2006-01-02"), "production keeps the wall clock")
}

func TestNew_NilPanics(t *testing.T) {
	assert.PanicsWithValue(t, "weftlog: New(nil); pass the handler to wrap, e.g. slog.NewTextHandler(os.Stderr, nil)", func() { weftlog.New(nil) })
}

func Example() {
	// Drop the time from the output, to keep the example short; a real
	// program keeps it (in a simulation, virtual time).
	text := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey && len(groups) == 0 {
			return slog.Attr{}
		}
		return a
	}})
	logger := slog.New(weftlog.New(text))
	res := sim.Run(func(ctx context.Context) error {
		_, err := runtime.SpawnNamed(ctx, "customer", func(ctx context.Context) (int, error) {
			_ = clock.Sleep(ctx, time.Second)
			logger.InfoContext(ctx, "deposit", "amount", 10)
			return 0, nil
		}).Join(ctx)
		return err
	}, sim.WithSeed(1), sim.WithStrategy(sim.FIFO()))
	for _, ev := range res.Events {
		if ev.Kind == sim.EvLog {
			fmt.Println(ev)
		}
	}
	// Output:
	// level=INFO msg=deposit amount=10 sim.seed=1 sim.step=3 sim.task=2 sim.name=customer
	// step 3 @1s task 2 log customer: level=INFO msg=deposit amount=10
}
