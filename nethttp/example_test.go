package nethttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/nethttp"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// A handler and a client over a simulated network 20ms apart: the
// handler's clock is the simulation's, and a request whose deadline passes
// fails in virtual time.
func Example() {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx, netsim.WithLatency(20*time.Millisecond))
		defer n.Close()
		srv, cli := n.AddHost("server"), n.AddHost("client")
		sctx, stop := context.WithCancel(srv.Context(ctx))
		defer stop()
		ln, err := netsim.Listen(sctx, "tcp", ":80")
		if err != nil {
			return err
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
			clock.Sleep(r.Context(), time.Second) // a slow handler
			fmt.Fprintf(w, "hello at +%v", clock.Since(r.Context(), clock.Epoch))
		})
		runtime.Spawn(sctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, nethttp.Serve(ctx, ln, mux)
		})

		client := &http.Client{Transport: &nethttp.Transport{}}
		cctx := cli.Context(ctx)
		req, _ := http.NewRequestWithContext(cctx, "GET", "http://server/hello", nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status, string(body))

		tctx, cancel := clock.WithTimeout(cctx, 500*time.Millisecond)
		defer cancel()
		req, _ = http.NewRequestWithContext(tctx, "GET", "http://server/hello", nil)
		_, err = client.Do(req)
		fmt.Println(err)
		return nil
	})
	fmt.Println(res.Err)
	// Output:
	// 200 OK hello at +1.06s
	// Get "http://server/hello": context deadline exceeded
	// <nil>
}
