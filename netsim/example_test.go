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
