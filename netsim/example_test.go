package netsim_test

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// Two simulated hosts talk over TCP; the round trip costs virtual time only.
func ExampleNew() {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx, netsim.WithLatency(10*time.Millisecond))
		defer n.Close()
		server, client := n.AddHost("server"), n.AddHost("client")
		l, err := netsim.Listen(server.Context(ctx), "tcp", ":80")
		if err != nil {
			return err
		}
		defer l.Close()
		runtime.Spawn(server.Context(ctx), func(ctx context.Context) (int64, error) {
			c, err := l.Accept()
			if err != nil {
				return 0, err
			}
			defer c.Close()
			return io.Copy(c, c) // echo
		})
		cctx := client.Context(ctx)
		c, err := netsim.Dial(cctx, "tcp", "server:80")
		if err != nil {
			return err
		}
		c.Write([]byte("hello"))
		c.(interface{ CloseWrite() error }).CloseWrite()
		reply, err := io.ReadAll(c)
		c.Close()
		fmt.Printf("%s from %v after %v\n", reply, c.RemoteAddr(), clock.Since(cctx, clock.Epoch))
		return err
	})
	fmt.Println(res.Err)
	// Output:
	// hello from 10.0.0.1:80 after 40ms
	// <nil>
}

// A swarm of faults runs while its ctx lasts; once it ends, the swarm has
// healed what it did, and Heal repairs what the test itself cut.
func ExampleNetwork_Heal() {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		a, b := n.AddHost("a"), n.AddHost("b")
		for _, h := range []*netsim.Host{a, b} {
			h.Start(ctx, func(ctx context.Context) error { return clock.Sleep(ctx, time.Hour) })
		}
		sctx, stop := clock.WithTimeout(ctx, 10*time.Second)
		defer stop()
		n.Swarm(sctx, a, b)
		n.Partition(a, b) // the test's own fault
		if err := clock.Sleep(ctx, 10*time.Second+time.Millisecond); err != nil {
			return err
		}
		n.Heal()
		rx, _ := netsim.ListenPacket(b.Context(ctx), "udp", ":9")
		defer rx.Close()
		tx, _ := netsim.ListenPacket(a.Context(ctx), "udp", ":0")
		defer tx.Close()
		tx.WriteTo([]byte("whole again"), rx.LocalAddr())
		buf := make([]byte, 16)
		k, _, err := rx.ReadFrom(buf)
		fmt.Printf("%s; a down: %v, b down: %v\n", buf[:k], a.Down(), b.Down())
		return err
	}, sim.WithSeed(7))
	fmt.Println(res.Err)
	// Output:
	// whole again; a down: false, b down: false
	// <nil>
}
