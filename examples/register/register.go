// Command register is a three-replica register over UDP, run under netsim
// with swarm faults: a client writes increasing versions to a majority and
// reads from a majority, and a read must never return a version older than
// the last completed write. With -bug, reads trust a single replica, and the
// simulator finds a seed where a partition, a loss or a crash makes a read
// stale; the seed replays exactly.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/sim"
)

const port = 7000

// disk is a replica's durable state: it survives a crash.
type disk struct {
	version int
	value   string
}

// replica serves reads and writes over UDP until its host crashes.
func replica(d *disk) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		pc, err := netsim.ListenPacket(ctx, "udp", ":"+strconv.Itoa(port))
		if err != nil {
			return err
		}
		defer pc.Close()
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return err
			}
			id, req, _ := strings.Cut(string(buf[:n]), " ")
			var reply string
			switch op, rest, _ := strings.Cut(req, " "); op {
			case "W":
				vs, val, _ := strings.Cut(rest, " ")
				v, _ := strconv.Atoi(vs)
				if v > d.version {
					d.version, d.value = v, val
				}
				reply = "OK"
			case "R":
				reply = fmt.Sprintf("%d %s", d.version, d.value)
			}
			pc.WriteTo([]byte(id+" "+reply), from)
		}
	}
}

// client talks to the replicas; quorum is how many replies an operation
// needs (a majority, 2 of 3; the planted bug reads with 1).
type client struct {
	pc       net.PacketConn
	replicas []net.Addr
	next     int
}

var errNoQuorum = errors.New("no quorum")

// call sends req to every replica and collects up to need replies, retrying
// a few times.
func (c *client) call(ctx context.Context, req string, need int) ([]string, error) {
	c.next++
	id := strconv.Itoa(c.next)
	for attempt := 0; attempt < 5; attempt++ {
		for _, r := range c.replicas {
			c.pc.WriteTo([]byte(id+" "+req), r)
		}
		var replies []string
		seen := map[string]bool{}
		c.pc.SetReadDeadline(clock.Now(ctx).Add(50 * time.Millisecond))
		buf := make([]byte, 512)
		for len(replies) < need {
			n, from, err := c.pc.ReadFrom(buf)
			if err != nil {
				break // the deadline: try again
			}
			rid, body, _ := strings.Cut(string(buf[:n]), " ")
			if rid != id || seen[from.String()] {
				continue // a late or duplicated reply
			}
			seen[from.String()] = true
			replies = append(replies, body)
		}
		if len(replies) >= need {
			return replies, nil
		}
	}
	return nil, errNoQuorum
}

func (c *client) write(ctx context.Context, version int, value string) error {
	_, err := c.call(ctx, fmt.Sprintf("W %d %s", version, value), 2)
	return err
}

func (c *client) read(ctx context.Context, quorum int) (int, error) {
	replies, err := c.call(ctx, "R", quorum)
	if err != nil {
		return 0, err
	}
	best := 0
	for _, r := range replies {
		vs, _, _ := strings.Cut(r, " ")
		if v, _ := strconv.Atoi(vs); v > best {
			best = v
		}
	}
	return best, nil
}

// startReplicas starts the register's three replicas on hosts of n and
// returns the hosts and the replicas' addresses.
func startReplicas(ctx context.Context, n *netsim.Network) ([]*netsim.Host, []net.Addr) {
	var replicas []*netsim.Host
	var addrs []net.Addr
	for i := range 3 {
		h := n.AddHost(fmt.Sprintf("r%d", i+1))
		h.Start(ctx, replica(&disk{}))
		replicas = append(replicas, h)
		addrs = append(addrs, &net.UDPAddr{IP: h.IP(), Port: port})
	}
	return replicas, addrs
}

// newClient returns a client of the replicas at addrs on a socket of the
// host whose ctx is ch; the caller closes c.pc.
func newClient(ch context.Context, addrs []net.Addr) (*client, error) {
	pc, err := netsim.ListenPacket(ch, "udp", ":0")
	if err != nil {
		return nil, err
	}
	return &client{pc: pc, replicas: addrs}, nil
}

// Scenario runs the register under swarm faults and returns an error if a
// read returned a version older than the last completed write.
func Scenario(bug bool) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		replicas, addrs := startReplicas(ctx, n)
		n.Swarm(ctx, replicas...)
		ch := n.AddHost("client").Context(ctx)
		c, err := newClient(ch, addrs)
		if err != nil {
			return err
		}
		defer c.pc.Close()
		quorum := 2
		if bug {
			quorum = 1
		}
		written := 0
		for v := 1; v <= 20; v++ {
			if err := clock.Sleep(ch, 100*time.Millisecond); err != nil {
				return err
			}
			if err := c.write(ch, v, "value-"+strconv.Itoa(v)); err == nil {
				written = v
			}
			got, err := c.read(ch, quorum)
			if err != nil {
				continue // unavailable is allowed; stale is not
			}
			if got < written {
				return fmt.Errorf("stale read: version %d after version %d was written", got, written)
			}
		}
		return nil
	}
}

func main() {
	bug := flag.Bool("bug", false, "read from a single replica (the planted bug)")
	seeds := flag.Int("seeds", 1000, "seeds to explore")
	traceDir := flag.String("trace", "", "write the failing run's trace (Perfetto JSON) and HTML timeline into this directory")
	flag.Parse()
	for seed := uint64(1); seed <= uint64(*seeds); seed++ {
		res := sim.Run(Scenario(*bug), sim.WithSeed(seed))
		if res.Err != nil {
			fmt.Printf("seed %d: %v (%d steps, +%v virtual, hash %#x)\n", seed, res.Err, res.Steps, res.Elapsed, res.Hash)
			if *traceDir != "" {
				if err := writeTrace(*traceDir, seed, *bug); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(2)
				}
			}
			again := sim.Run(Scenario(*bug), sim.WithSeed(seed))
			fmt.Printf("replayed: hash %#x, same: %v\n", again.Hash, again.Hash == res.Hash)
			os.Exit(1)
		}
	}
	fmt.Printf("%d seeds passed\n", *seeds)
}

// writeTrace runs the seed again keeping every event and writes its trace
// and timeline into dir.
func writeTrace(dir string, seed uint64, bug bool) error {
	res := sim.Run(Scenario(bug), sim.WithSeed(seed), sim.WithTrace(sim.TestTraceSize), sim.WithWaitSites())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, fmt.Sprintf("seed-%d", seed))
	var j, h bytes.Buffer
	if err := res.WriteTrace(&j); err != nil {
		return err
	}
	if err := res.WriteTimeline(&h); err != nil {
		return err
	}
	if err := os.WriteFile(base+".trace.json", j.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(base+".html", h.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("trace: %s.trace.json (open it in ui.perfetto.dev or chrome://tracing); timeline: %s.html\n", base, base)
	return nil
}
