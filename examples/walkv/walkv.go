// Command walkv is a key-value store that keeps its data in a write-ahead
// log and a snapshot on a simulated disk, serving clients over TCP while
// netsim's Swarm crashes and restarts its host and disk.Swarm injects
// latency, EIO and ENOSPC. The clients record every operation and
// lincheck checks, with porcupine, that what they saw is linearizable:
// an acknowledged put survives every crash, and no read sees a value that
// a crash later takes back.
//
// The store is correct: it syncs each log record before it acknowledges
// the put, and makes a new snapshot durable (file, rename, directory)
// before it empties the log. Two planted bugs break it:
//
//	-bug=ack     acknowledge a put before its log record is synced
//	-bug=rename  rename a new snapshot into place without syncing the
//	             directory, then empty the log
//
// With the seeds 1, 2, 3, ... the simulator finds -bug=ack at seed 10 (35
// of the first 300 seeds fail) and -bug=rename at seed 3 (92 of 300); the
// failing seed replays exactly, and the correct store passes it. The
// correct store passes 1,000 seeds in about 14 s. On a failure the command
// prints lincheck's report, which names the operations that cannot be
// linearized, and writes porcupine's visualisation of the history (-html).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/disk"
	"github.com/weftsim/weft/lincheck"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

const (
	port      = 7000
	dataDir   = "/data"
	clients   = 3
	opsEach   = 25
	keys      = 2
	opTimeout = 300 * time.Millisecond
)

// serve recovers the store and answers requests until the host crashes.
// A boot that meets an injected fault is retried; a store that cannot be
// read is a bug, reported through fatal.
func serve(bugs Bugs, fatal *error) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var s *store
		for {
			var err error
			if s, err = open(ctx, dataDir, bugs); err == nil {
				break
			}
			var ce *corruptError
			if errors.As(err, &ce) {
				*fatal = err
				return err
			}
			if err := clock.Sleep(ctx, 50*time.Millisecond); err != nil {
				return err
			}
		}
		if bugs.AckBeforeSync {
			runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.flush(ctx) })
		}
		l, err := netsim.Listen(ctx, "tcp", ":"+strconv.Itoa(port))
		if err != nil {
			return err
		}
		defer l.Close()
		for {
			c, err := l.Accept()
			if err != nil {
				return err
			}
			runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, handle(ctx, s, c)
			})
		}
	}
}

// handle answers one request: "G key" with "V value", "P key value" with
// "OK", and a failure with "E reason".
func handle(ctx context.Context, s *store, c net.Conn) error {
	defer c.Close()
	c.SetDeadline(clock.Now(ctx).Add(time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	f := strings.SplitN(strings.TrimSuffix(line, "\n"), " ", 3)
	switch {
	case f[0] == "G" && len(f) == 2:
		v, err := s.get(ctx, f[1])
		if err != nil {
			return err
		}
		_, err = io.WriteString(c, "V "+v+"\n")
		return err
	case f[0] == "P" && len(f) == 3:
		acked := false
		err := s.put(ctx, f[1], f[2], func() {
			acked = true
			io.WriteString(c, "OK\n")
		})
		if err != nil && !acked {
			io.WriteString(c, "E "+err.Error()+"\n")
		}
		return err
	}
	_, err = io.WriteString(c, "E bad request\n")
	return err
}

// client runs operations against the store and records them. An operation
// whose outcome it does not learn stays pending in the history, and the
// client goes on under a new number (lincheck's rule).
type client struct {
	h    *lincheck.History
	addr string
	ids  *atomic.Int64
	id   int
}

func (c *client) do(ctx context.Context, in lincheck.KVInput) {
	ctx, cancel := clock.WithTimeout(ctx, opTimeout)
	defer cancel()
	conn, err := netsim.Dial(ctx, "tcp", c.addr)
	if err != nil {
		return // nothing was sent
	}
	defer conn.Close()
	conn.SetDeadline(clock.Now(ctx).Add(opTimeout))
	req := "G " + in.Key + "\n"
	if in.Put {
		req = "P " + in.Key + " " + in.Value + "\n"
	}
	op := c.h.Call(ctx, c.id, in)
	if _, err := io.WriteString(conn, req); err != nil {
		c.retire()
		return
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	line = strings.TrimSuffix(line, "\n")
	switch {
	case err != nil, strings.HasPrefix(line, "E "):
		c.retire()
	case in.Put:
		op.Return(ctx, nil)
	default:
		op.Return(ctx, strings.TrimPrefix(line, "V "))
	}
}

func (c *client) retire() { c.id = int(c.ids.Add(1)) - 1 }

// Scenario runs the store on host db under swarm faults, three clients on
// host client, and checks their history. It fails with a *lincheck.Error
// if the history is not linearizable.
func Scenario(bugs Bugs) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		h, err := Run(ctx, bugs)
		if err != nil {
			return err
		}
		return h.Check(ctx, lincheck.KV)
	}
}

// Run runs the store on host db under swarm faults and three clients on
// host client, and returns the history the clients recorded.
func Run(ctx context.Context, bugs Bugs) (*lincheck.History, error) {
	n := netsim.New(ctx)
	defer n.Close()
	db := n.AddHost("db")
	var fatal error
	db.Start(ctx, serve(bugs, &fatal))
	n.Swarm(ctx, db)
	disk.Swarm(ctx, db)
	cctx := n.AddHost("client").Context(ctx)

	h := new(lincheck.History)
	var ids atomic.Int64
	ids.Store(clients)
	var set runtime.JoinSet[struct{}]
	for i := range clients {
		c := &client{h: h, addr: fmt.Sprintf("%v:%d", db.IP(), port), ids: &ids, id: i}
		set.Spawn(cctx, func(ctx context.Context) (struct{}, error) {
			r := runtime.Rand(ctx)
			for j := range opsEach {
				if err := clock.Sleep(ctx, time.Duration(r.IntN(100))*time.Millisecond); err != nil {
					return struct{}{}, err
				}
				key := "k" + strconv.Itoa(r.IntN(keys))
				if r.IntN(2) == 0 {
					c.do(ctx, lincheck.Put(key, fmt.Sprintf("c%d.%d", i, j)))
				} else {
					c.do(ctx, lincheck.Get(key))
				}
			}
			return struct{}{}, nil
		})
	}
	for set.Len() > 0 {
		if _, err := set.JoinNext(ctx); err != nil {
			return nil, err
		}
	}
	if fatal != nil {
		return nil, fmt.Errorf("walkv: the store could not recover: %w", fatal)
	}
	return h, nil
}

func main() {
	bug := flag.String("bug", "", `plant a bug: "ack" (acknowledge before fsync) or "rename" (no directory sync after a snapshot's rename)`)
	seeds := flag.Int("seeds", 1000, "seeds to explore")
	html := flag.String("html", "walkv-linearizability.html", "where to write porcupine's visualisation of a failing history")
	flag.Parse()
	var bugs Bugs
	switch *bug {
	case "":
	case "ack":
		bugs.AckBeforeSync = true
	case "rename":
		bugs.RenameWithoutDirSync = true
	default:
		fmt.Fprintf(os.Stderr, "walkv: -bug=%q: want ack or rename\n", *bug)
		os.Exit(2)
	}
	start := time.Now() //weftvet:ignore the harness times the exploration on the wall clock, outside any simulation
	for seed := uint64(1); seed <= uint64(*seeds); seed++ {
		res := sim.Run(Scenario(bugs), sim.WithSeed(seed))
		if res.Err == nil {
			continue
		}
		fmt.Printf("seed %d: %v\n(%d steps, +%v virtual, hash %#x)\n", seed, res.Err, res.Steps, res.Elapsed, res.Hash)
		var le *lincheck.Error
		if errors.As(res.Err, &le) {
			if err := le.SaveHTML(*html); err != nil {
				fmt.Fprintln(os.Stderr, "walkv:", err)
			} else {
				fmt.Println("visualisation:", *html)
			}
		}
		again := sim.Run(Scenario(bugs), sim.WithSeed(seed))
		fmt.Printf("replayed: hash %#x, same: %v\n", again.Hash, again.Hash == res.Hash)
		os.Exit(1)
	}
	//weftvet:ignore the harness reports the exploration's wall time, outside any simulation
	fmt.Printf("%d seeds passed in %v\n", *seeds, time.Since(start).Round(time.Millisecond))
}
