//go:build race

package sim_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// raceChild is set in the environment of a test binary that this file runs
// again to run one race program (TestRaceProgram) on its own: the race
// detector reports each race once per process, and a reported race fails
// the test that saw it.
const raceChild = "WEFT_RACE_CHILD"

// racePrograms are simulations of two tasks that both write x. The racy
// ones order the writes through nothing the program does (the scheduler
// runs the tasks one at a time, which is no synchronisation); the others
// synchronise them as production needs.
var racePrograms = map[string]struct {
	racy bool
	body func(ctx context.Context)
}{
	"unsynchronised": {true, func(ctx context.Context) {
		x := 0
		both(ctx, func(ctx context.Context) { x++ }, func(ctx context.Context) { x++ })
	}},
	"unsynchronised-sleeping": {true, func(ctx context.Context) {
		x := 0
		inc := func(ctx context.Context) {
			clock.Sleep(ctx, time.Millisecond)
			x++
			clock.Sleep(ctx, time.Millisecond)
		}
		both(ctx, inc, inc)
	}},
	"unsynchronised-own-locks": {true, func(ctx context.Context) {
		x := 0
		var mu1, mu2 runtime.Mutex
		both(ctx,
			func(ctx context.Context) { mu1.Lock(ctx); x++; mu1.Unlock() },
			func(ctx context.Context) { mu2.Lock(ctx); x++; mu2.Unlock() })
	}},
	"unsynchronised-yielding": {true, func(ctx context.Context) {
		x := 0
		inc := func(ctx context.Context) {
			for range 3 {
				runtime.YieldNow(ctx)
			}
			x++
		}
		both(ctx, inc, inc)
	}},
	"unsynchronised-own-chans": {true, func(ctx context.Context) {
		x := 0
		inc := func(ctx context.Context) {
			ch := runtime.NewChan[int](1)
			ch.Send(ctx, 1)
			ch.Recv(ctx)
			x++
		}
		both(ctx, inc, inc)
	}},
	"unsynchronised-timeouts": {true, func(ctx context.Context) {
		x := 0
		inc := func(ctx context.Context) {
			tctx, cancel := clock.WithTimeout(ctx, time.Millisecond)
			defer cancel()
			runtime.NewChan[int](0).Recv(tctx) // ends with the timeout
			x++
		}
		both(ctx, inc, inc)
	}},
	"unsynchronised-spawner": {true, func(ctx context.Context) {
		x := 0
		runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			x++ // after the spawn, but nothing orders it with the next write
			return 0, nil
		})
		clock.Sleep(ctx, time.Millisecond)
		x++
	}},
	"mutex": {false, func(ctx context.Context) {
		x := 0
		var mu runtime.Mutex
		inc := func(ctx context.Context) {
			mu.Lock(ctx)
			x++
			mu.Unlock()
		}
		both(ctx, inc, inc)
	}},
	"chan-ownership": {false, func(ctx context.Context) {
		x := 0
		ch := runtime.NewChan[*int](0)
		both(ctx,
			func(ctx context.Context) {
				x++
				ch.Send(ctx, &x) // hands x over: no more access here
			},
			func(ctx context.Context) {
				p, _ := ch.Recv(ctx)
				*p++
			})
	}},
	"spawn-join": {false, func(ctx context.Context) {
		x := 1
		h := runtime.Spawn(ctx, func(ctx context.Context) (int, error) {
			x++
			return 0, nil
		})
		h.Join(ctx)
		x++
	}},
	"waitgroup": {false, func(ctx context.Context) {
		x := 0
		var wg runtime.WaitGroup
		wg.Go(ctx, func(ctx context.Context) { x++ })
		wg.Wait(ctx)
		x++
	}},
	"netsim-datagram": {false, func(ctx context.Context) {
		x := 0
		n := netsim.New(ctx)
		defer n.Close()
		a, b := n.AddHost("a"), n.AddHost("b")
		pb, err := netsim.ListenPacket(b.Context(ctx), "udp", ":9")
		if err != nil {
			panic(err)
		}
		defer pb.Close()
		both(ctx,
			func(ctx context.Context) {
				pa, err := netsim.ListenPacket(a.Context(ctx), "udp", ":0")
				if err != nil {
					panic(err)
				}
				defer pa.Close()
				x++
				pa.WriteTo([]byte("x is yours"), &net.UDPAddr{IP: b.IP(), Port: 9})
			},
			func(ctx context.Context) {
				buf := make([]byte, 64)
				pb.ReadFrom(buf)
				x++
			})
	}},
}

// both runs f and g as two tasks and joins them.
func both(ctx context.Context, f, g func(ctx context.Context)) {
	hf := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { f(ctx); return 0, nil })
	hg := runtime.Spawn(ctx, func(ctx context.Context) (int, error) { g(ctx); return 0, nil })
	hf.Join(ctx)
	hg.Join(ctx)
}

// TestRaceProgram runs the program named by WEFT_RACE_CHILD (for
// TestRaceDetector), with as many seeds as sim.Test explores by default.
func TestRaceProgram(t *testing.T) {
	name := os.Getenv(raceChild)
	if name == "" {
		t.Skip("run by TestRaceDetector")
	}
	sim.Test(t, racePrograms[name].body, sim.WithReplayDir(t.TempDir()))
}

// TestRaceDetector checks that under -race a simulation shows the race
// detector the program's own synchronisation and nothing else: two tasks
// writing a variable with nothing ordering them are a DATA RACE, reported
// with the seed and the command that replays it, whatever else the tasks
// do, and the same seed each time; synchronised through a Mutex, a Chan
// handing the variable over, Spawn and Join, a WaitGroup or a datagram,
// they are not.
func TestRaceDetector(t *testing.T) {
	seed := regexp.MustCompile(`sim: seed (\d+) failed`)
	for name, p := range racePrograms {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, err := runRaceChild(t, name)
			raced := strings.Contains(out, "WARNING: DATA RACE")
			switch {
			case p.racy && !raced:
				t.Fatalf("no DATA RACE reported (err %v):\n%s", err, out)
			case p.racy:
				m := seed.FindStringSubmatch(out)
				if err == nil || m == nil || !strings.Contains(out, "failure: the race detector reported a DATA RACE") ||
					!strings.Contains(out, "replay: go test -race github.com/weftsim/weft/sim -run '^TestRaceProgram$' -sim.seed="+m[1]) {
					t.Fatalf("the race is not traced to a seed and its replay (err %v):\n%s", err, out)
				}
				again, _ := runRaceChild(t, name)
				if m2 := seed.FindStringSubmatch(again); m2 == nil || m2[1] != m[1] {
					t.Fatalf("seed %s raced, then %v:\n%s", m[1], m2, again)
				}
			case raced || err != nil:
				t.Fatalf("a synchronised program failed (err %v):\n%s", err, out)
			}
		})
	}
}

// runRaceChild runs TestRaceProgram for one program in a new process and
// returns its output.
func runRaceChild(t *testing.T, name string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRaceProgram$", "-test.count=1")
	cmd.Env = append(os.Environ(), raceChild+"="+name)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
