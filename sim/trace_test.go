package sim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
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

// pingPanic is a run with a bit of everything a trace shows: two netsim
// hosts, a named task on each, a datagram each way, a log record on each
// side, a note, and a panic of the client task ("requester") once it has
// its reply, which no Join observes: the run fails there.
func pingPanic(tb testing.TB) func(ctx context.Context) {
	logger := slog.New(weftlog.New(slog.NewTextHandler(io.Discard, nil)))
	return func(ctx context.Context) {
		n := netsim.New(ctx)
		defer n.Close()
		server, client := n.AddHost("server"), n.AddHost("client")
		server.Start(ctx, func(ctx context.Context) error {
			pc, err := netsim.ListenPacket(ctx, "udp", ":9000")
			if err != nil {
				return err
			}
			defer pc.Close()
			buf := make([]byte, 64)
			for {
				k, from, err := pc.ReadFrom(buf)
				if err != nil {
					return err
				}
				logger.InfoContext(ctx, "request", "bytes", k)
				if _, err := pc.WriteTo([]byte("pong"), from); err != nil {
					return err
				}
			}
		})
		runtime.SpawnNamed(client.Context(ctx), "requester", func(ctx context.Context) (int, error) {
			pc, err := netsim.ListenPacket(ctx, "udp", ":0")
			if err != nil {
				return 0, err
			}
			defer pc.Close()
			if _, err := pc.WriteTo([]byte("ping"), &net.UDPAddr{IP: server.IP(), Port: 9000}); err != nil {
				return 0, err
			}
			runtime.Note(ctx, "ping sent")
			buf := make([]byte, 64)
			k, _, err := pc.ReadFrom(buf)
			if err != nil {
				return 0, err
			}
			logger.InfoContext(ctx, "reply", "text", string(buf[:k]))
			panic("unexpected reply " + string(buf[:k]))
		})
		if err := clock.Sleep(ctx, time.Second); err != nil {
			tb.Error(err)
		}
	}
}

func TestTest_FailingSeedWritesItsTraceBesideItsReplayFile(t *testing.T) {
	dir := t.TempDir()
	tb := harness(dir, "TestPing", pingPanic, sim.WithStrategy(sim.FIFO()))
	require.True(t, tb.Failed())
	base := replayBase(t, filepath.Join(dir, "TestPing"), "seed-1-fifo")
	for _, ext := range []string{".replay", ".trace.json", ".html"} {
		assert.FileExists(t, base+ext)
	}
	out := tb.output()
	assert.Contains(t, out, "trace: "+base+".trace.json (open it in ui.perfetto.dev or chrome://tracing); timeline: "+base+".html")
	data, err := os.ReadFile(base + ".trace.json")
	require.NoError(t, err)
	checkTrace(t, data)
	for _, want := range []string{`"task 3 requester (failed)"`, `"host client"`, `"host server"`, `"park JoinHandle`, `"ping sent"`} {
		if want == `"park JoinHandle` {
			continue // the root sleeps; nobody joins
		}
		assert.Contains(t, string(data), want)
	}
}

func TestTest_LogRecordsAppearInTheFailureReport(t *testing.T) {
	tb := harness(t.TempDir(), "TestPing", pingPanic, sim.WithStrategy(sim.FIFO()))
	require.True(t, tb.Failed())
	out := tb.output()
	require.Contains(t, out, "log records and notes:")
	// Stamped with the step, virtual time (one latency each way), task
	// and its name and host.
	assert.Regexp(t, `step \d+ @2ms task 3 log requester@client: level=INFO msg=reply text=pong`, out)
	assert.Regexp(t, `step \d+ @1ms task 2 log start@server: level=INFO msg=request bytes=4`, out)
	assert.Regexp(t, `step \d+ @0s task 3 log ping sent`, out)
}

// traceEvent is an event of the trace-event format as the structural
// check reads it: pointers tell a missing field from a zero one.
type traceEvent struct {
	Name string          `json:"name"`
	Ph   *string         `json:"ph"`
	Ts   *float64        `json:"ts"`
	Dur  float64         `json:"dur"`
	Pid  *int            `json:"pid"`
	Tid  *uint64         `json:"tid"`
	ID   uint64          `json:"id"`
	Bp   string          `json:"bp"`
	Cat  string          `json:"cat"`
	Args json.RawMessage `json:"args"`
}

// checkTrace validates a trace against the trace-event format: every event
// has ph, ts, pid and tid; slices have a positive duration; every flow
// start has one end, no earlier, and every end a start; events come in
// time order, and their virtual time (args.vt, nanoseconds) never runs
// backwards and never ahead of the axis.
func checkTrace(t *testing.T, data []byte) {
	t.Helper()
	var file struct {
		TraceEvents     []traceEvent   `json:"traceEvents"`
		DisplayTimeUnit string         `json:"displayTimeUnit"`
		OtherData       map[string]any `json:"otherData"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	require.NotEmpty(t, file.TraceEvents)
	starts, ends := map[uint64]float64{}, map[uint64]float64{}
	last, lastVT := -1.0, int64(-1)
	kinds := map[string]int{}
	for i, ev := range file.TraceEvents {
		require.Truef(t, ev.Ph != nil && ev.Ts != nil && ev.Pid != nil && ev.Tid != nil, "event %d (%s) lacks ph, ts, pid or tid", i, ev.Name)
		ph := *ev.Ph
		kinds[ph]++
		switch ph {
		case "M":
			continue
		case "X":
			assert.Positivef(t, ev.Dur, "slice %d (%s) has no duration", i, ev.Name)
		case "i":
		case "s":
			_, dup := starts[ev.ID]
			assert.Falsef(t, dup, "flow %d starts twice", ev.ID)
			starts[ev.ID] = *ev.Ts
		case "f":
			_, dup := ends[ev.ID]
			assert.Falsef(t, dup, "flow %d ends twice", ev.ID)
			assert.Equal(t, "e", ev.Bp, "a flow ends in its enclosing slice")
			ends[ev.ID] = *ev.Ts
		default:
			t.Errorf("event %d (%s) has an unknown phase %q", i, ev.Name, ph)
		}
		assert.GreaterOrEqualf(t, *ev.Ts, last, "event %d (%s) goes back in time", i, ev.Name)
		last = *ev.Ts
		var a struct {
			VT *int64 `json:"vt"`
		}
		if len(ev.Args) > 0 {
			require.NoError(t, json.Unmarshal(ev.Args, &a))
		}
		if a.VT != nil {
			assert.GreaterOrEqualf(t, *a.VT, lastVT, "event %d (%s): virtual time runs backwards", i, ev.Name)
			assert.LessOrEqualf(t, float64(*a.VT)/1000, *ev.Ts, "event %d (%s) is drawn before its virtual time", i, ev.Name)
			lastVT = *a.VT
		} else if ph == "X" || ph == "i" {
			t.Errorf("event %d (%s) has no virtual time", i, ev.Name)
		}
	}
	for id, s := range starts {
		e, ok := ends[id]
		if assert.Truef(t, ok, "flow %d has no end", id) {
			assert.LessOrEqualf(t, s, e, "flow %d ends before it starts", id)
		}
	}
	for id := range ends {
		assert.Containsf(t, starts, id, "flow %d has no start", id)
	}
	for _, ph := range []string{"M", "X", "i", "s", "f"} {
		assert.Positivef(t, kinds[ph], "no event of phase %s", ph)
	}
	assert.Equal(t, "ns", file.DisplayTimeUnit)
}

func TestWriteTrace_IsValidAndShowsWhatHappened(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		pingPanic(t)(ctx)
		return nil
	}, sim.WithStrategy(sim.FIFO()), sim.WithTrace(sim.TestTraceSize), sim.WithWaitSites())
	var pe *runtime.PanicError
	require.True(t, errors.As(res.Err, &pe))
	var b strings.Builder
	require.NoError(t, res.WriteTrace(&b))
	checkTrace(t, []byte(b.String()))
	out := b.String()
	for _, want := range []string{
		`"name": "task 3 requester (failed)"`, // the failing task's track
		`"name": "host client"`,               // processes per host
		`"name": "network"`,                   // a host's network track
		`"name": "park netsim socket"`,        // a park with its reason
		`"site": "trace_test.go:`,             // ... and where it waits
		`"name": "panic"`,
		`"name": "message"`, // a datagram's arrow to its delivery
		`"name": "spawn"`,   // a spawn's arrow
		`"name": "wake"`,    // a wake-up's arrow
		`"name": "ping sent"`,
		`"name": "timer fires"`,
	} {
		assert.Contains(t, out, want)
	}
}

func TestWithTraceDir_WritesEveryRunWithWaitSites(t *testing.T) {
	t.Setenv("WEFT_SIM_SEEDS", "3")
	dir, traces := t.TempDir(), t.TempDir()
	tb := harness(dir, "TestQuiet", func(tb testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {
			ch := runtime.NewChan[int](1)
			runtime.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, ch.Send(ctx, 1) })
			if _, err := ch.Recv(ctx); err != nil {
				tb.Error(err)
			}
		}
	}, sim.WithTraceDir(traces))
	require.False(t, tb.Failed(), tb.output())
	for seed := 1; seed <= 3; seed++ {
		base := filepath.Join(traces, "TestQuiet", fmt.Sprintf("seed-%d-random", seed))
		data, err := os.ReadFile(base + ".trace.json")
		require.NoError(t, err)
		checkTrace(t, data)
		assert.FileExists(t, base+".html")
		if seed == 1 {
			assert.Contains(t, string(data), `"site": "trace_test.go:`, "where the root waits")
		}
	}
	assert.NoDirExists(t, filepath.Join(dir, "TestQuiet"), "a passing test writes no replay file")
}

func TestWriteTrace_StreamSegmentsGetArrowsToTheirDelivery(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		srv, cli := n.AddHost("srv"), n.AddHost("cli")
		l, err := netsim.Listen(srv.Context(ctx), "tcp", ":80")
		if err != nil {
			return err
		}
		defer l.Close()
		got := runtime.SpawnNamed(srv.Context(ctx), "server", func(ctx context.Context) (string, error) {
			c, err := l.Accept()
			if err != nil {
				return "", err
			}
			defer c.Close()
			b, err := io.ReadAll(c)
			return string(b), err
		})
		c, err := netsim.Dial(cli.Context(ctx), "tcp", "srv:80")
		if err != nil {
			return err
		}
		if _, err := c.Write([]byte("hello")); err != nil {
			return err
		}
		c.Close()
		s, err := got.Join(ctx)
		if s != "hello" {
			return fmt.Errorf("server read %q (%v)", s, err)
		}
		return err
	}, sim.WithTrace(sim.TestTraceSize))
	require.NoError(t, res.Err)
	var b strings.Builder
	require.NoError(t, res.WriteTrace(&b))
	checkTrace(t, []byte(b.String()))
	var file struct {
		TraceEvents []struct {
			Name string          `json:"name"`
			Ph   string          `json:"ph"`
			Pid  int             `json:"pid"`
			Tid  uint64          `json:"tid"`
			Args json.RawMessage `json:"args"`
		} `json:"traceEvents"`
	}
	require.NoError(t, json.Unmarshal([]byte(b.String()), &file))
	srvPid := -1
	for _, ev := range file.TraceEvents {
		if ev.Ph == "M" && ev.Name == "process_name" && strings.Contains(string(ev.Args), `"host srv"`) {
			srvPid = ev.Pid
		}
	}
	require.NotEqual(t, -1, srvPid)
	delivered := 0
	for _, ev := range file.TraceEvents {
		if ev.Ph == "f" && ev.Name == "message" && ev.Pid == srvPid && ev.Tid == 0 {
			delivered++
		}
	}
	assert.Equal(t, 1, delivered, "the data segment's arrow into srv's network track")
}

func TestTest_ReplayingAFailureWritesItsTrace(t *testing.T) {
	dir := t.TempDir()
	harness(dir, "TestPing", pingPanic, sim.WithStrategy(sim.FIFO()))
	base := replayBase(t, filepath.Join(dir, "TestPing"), "seed-1-fifo")
	require.NoError(t, os.Remove(base+".trace.json"))
	tb := harness(dir, "TestPing", pingPanic, sim.WithStrategy(sim.FIFO())) // replays the file first
	require.True(t, tb.Failed())
	assert.Contains(t, tb.output(), "replayed from "+base+".replay")
	assert.Contains(t, tb.output(), "trace: "+base+".trace.json")
	assert.FileExists(t, base+".trace.json")
}

// replayBase returns the path, without ".replay", of the one replay file
// in dir whose name starts with prefix (the rest is a digest of the run's
// settings).
func replayBase(t *testing.T, dir, prefix string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, prefix+"-*.replay"))
	require.NoError(t, err)
	require.Len(t, files, 1, "one replay file %s-*.replay in %s", prefix, dir)
	return strings.TrimSuffix(files[0], ".replay")
}
