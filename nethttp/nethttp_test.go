package nethttp_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/nethttp"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// handler echoes bodies, streams chunked replies and reflects headers.
func handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Echo-Len", fmt.Sprint(len(body)))
		w.Write(body)
	})
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for i := range 3 {
			fmt.Fprintf(w, "part %d;", i)
			w.(http.Flusher).Flush()
			if err := clock.Sleep(r.Context(), 10*time.Millisecond); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("GET /header", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Got", r.Header.Get("X-Send"))
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		if clock.Sleep(r.Context(), time.Hour) == nil {
			io.WriteString(w, "late")
		}
	})
	return mux
}

// exchange sends 24 requests of four kinds through one client and checks
// every answer.
func exchange(ctx context.Context, t *testing.T, c *http.Client, base string) {
	for i := range 24 {
		switch i % 4 {
		case 0:
			want := strings.Repeat(fmt.Sprint(i), 100+i*200) // some above the chunking threshold
			req, _ := http.NewRequestWithContext(ctx, "POST", base+"/echo", strings.NewReader(want))
			resp, err := c.Do(req)
			require.NoError(t, err)
			got, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, want, string(got))
			assert.Equal(t, fmt.Sprint(len(want)), resp.Header.Get("X-Echo-Len"))
		case 1:
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/stream", nil)
			resp, err := c.Do(req)
			require.NoError(t, err)
			got, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, "part 0;part 1;part 2;", string(got))
			assert.Equal(t, []string{"chunked"}, resp.TransferEncoding)
		case 2:
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/header", nil)
			req.Header.Set("X-Send", fmt.Sprint("v", i))
			resp, err := c.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusAccepted, resp.StatusCode)
			assert.Equal(t, fmt.Sprint("v", i), resp.Header.Get("X-Got"))
			assert.NotEmpty(t, resp.Header.Get("Date"))
		case 3:
			req, _ := http.NewRequestWithContext(ctx, "HEAD", base+"/echo", nil)
			resp, err := c.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		}
	}
}

// simServer starts a server on host "server" of a new network and returns
// the network, the listener and the client host's context.
func simServer(ctx context.Context, t *testing.T, latency time.Duration) (*netsim.Network, *netsim.Host, *netsim.Host, *countingListener, context.Context) {
	n := netsim.New(ctx, netsim.WithLatency(latency))
	srv := n.AddHost("server")
	cli := n.AddHost("client")
	sctx := srv.Context(ctx)
	inner, err := netsim.Listen(sctx, "tcp", ":80")
	require.NoError(t, err)
	ln := &countingListener{Listener: inner}
	return n, srv, cli, ln, sctx
}

// serve runs nethttp.Serve on ln with handler in a task of its own
// under ctx; stop ends it.
func serve(ctx context.Context, ln net.Listener) (served *runtime.JoinHandle[struct{}], stop context.CancelFunc) {
	ctx, stop = context.WithCancel(ctx)
	served = runtime.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, nethttp.Serve(ctx, ln, handler())
	})
	return served, stop
}

func TestSim_KeepAliveExchangeUnderLatency(t *testing.T) {
	sim.Test(t, keepAliveExchange(t))
}

func TestSim_KeepAliveExchangeIsDeterministic(t *testing.T) {
	for seed := range uint64(10) {
		sim.Test(t, keepAliveExchange(t), sim.WithSeed(seed+1), sim.CheckDeterminism())
	}
}

// keepAliveExchange runs exchange between two simulated hosts 5ms apart.
func keepAliveExchange(t *testing.T) func(ctx context.Context) {
	return func(ctx context.Context) {
		n, _, cli, ln, sctx := simServer(ctx, t, 5*time.Millisecond)
		defer n.Close()
		served, stop := serve(sctx, ln)
		tr := &nethttp.Transport{}
		c := &http.Client{Transport: tr}
		cctx := cli.Context(ctx)
		start := clock.Now(ctx)
		exchange(cctx, t, c, "http://server")
		assert.LessOrEqual(t, ln.accepted.Load(), int32(2), "keep-alive: at most two connections")
		assert.GreaterOrEqual(t, clock.Since(ctx, start), 24*10*time.Millisecond, "every request paid the latency")
		tr.CloseIdleConnections()
		stop()
		_, err := served.Join(ctx)
		require.NoError(t, err)
	}
}

func TestSim_DateHeaderIsVirtualTime(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		n, _, cli, ln, sctx := simServer(ctx, t, time.Millisecond)
		defer n.Close()
		_, stop := serve(sctx, ln)
		defer stop()
		require.NoError(t, clock.Sleep(ctx, 90*time.Minute))
		req, _ := http.NewRequestWithContext(cli.Context(ctx), "GET", "http://server/header", nil)
		resp, err := (&http.Client{Transport: &nethttp.Transport{}}).Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, "Sat, 01 Jan 2000 01:30:00 GMT", resp.Header.Get("Date"))
	})
}

func TestSim_RequestAcrossPartitionFailsWithDeadlineInVirtualTime(t *testing.T) {
	tests := []struct {
		name      string
		partition string // "before" the dial, or "after" a first request
	}{
		{"dial", "before"},
		{"idle connection", "after"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wall := time.Now()             //weftvet:ignore the test measures the wall time the simulation took
			for seed := range uint64(10) { // each run twice: -sim.checkdeterminism
				sim.Test(t, func(ctx context.Context) {
					n, srv, cli, ln, sctx := simServer(ctx, t, time.Millisecond)
					defer n.Close()
					_, stop := serve(sctx, ln)
					defer stop()
					c := &http.Client{Transport: &nethttp.Transport{}}
					cctx := cli.Context(ctx)
					if tc.partition == "after" {
						req, _ := http.NewRequestWithContext(cctx, "GET", "http://server/header", nil)
						resp, err := c.Do(req)
						require.NoError(t, err)
						resp.Body.Close()
					}
					n.Partition(srv, cli)
					tctx, cancel := clock.WithTimeout(cctx, 3*time.Second)
					defer cancel()
					start := clock.Now(ctx)
					req, _ := http.NewRequestWithContext(tctx, "GET", "http://server/header", nil)
					_, err := c.Do(req)
					require.Error(t, err)
					assert.ErrorIs(t, err, context.DeadlineExceeded)
					assert.Equal(t, 3*time.Second, clock.Since(ctx, start), "failed at exactly the deadline")
				}, sim.WithSeed(seed+1), sim.CheckDeterminism())
			}
			assert.Less(t, time.Since(wall), 10*time.Second) //weftvet:ignore as above
		})
	}
}

func TestSim_CancelEndsAWaitingRequest(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		n, _, cli, ln, sctx := simServer(ctx, t, time.Millisecond)
		defer n.Close()
		_, stop := serve(sctx, ln)
		defer stop()
		rctx, cancel := context.WithCancel(cli.Context(ctx))
		h := runtime.Spawn(rctx, func(ctx context.Context) (error, error) {
			req, _ := http.NewRequestWithContext(ctx, "GET", "http://server/slow", nil)
			_, err := (&http.Client{Transport: &nethttp.Transport{}}).Do(req)
			return err, nil
		})
		require.NoError(t, clock.Sleep(ctx, time.Minute))
		cancel()
		err, _ := h.Join(ctx)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, time.Minute, clock.Since(ctx, clock.Epoch))
	})
}

// rawExchange writes raw request bytes on a fresh connection and returns
// what the server answered until it closed the connection.
func rawExchange(ctx context.Context, t *testing.T, addr, raw string) string {
	c, err := netsim.Dial(ctx, "tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, raw)
	require.NoError(t, err)
	got, _ := io.ReadAll(bufio.NewReader(c))
	return string(got)
}

func TestSim_ServerWireFormat(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		contains []string
		absent   []string
	}{
		{"content length and close", "GET /header HTTP/1.1\r\nHost: s\r\nX-Send: a\r\nConnection: close\r\n\r\n",
			[]string{"HTTP/1.1 202 Accepted\r\n", "X-Got: a\r\n", "Connection: close\r\n", "Content-Length: 0\r\n", "Date: Sat, 01 Jan 2000"}, nil},
		{"HEAD has no body", "HEAD /stream HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n",
			[]string{"HTTP/1.1 200 OK\r\n"}, []string{"part"}},
		{"100-continue", "POST /echo HTTP/1.1\r\nHost: s\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi",
			[]string{"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", "\r\n\r\nhi"}, nil},
		{"two pipelined requests on one connection", "GET /header HTTP/1.1\r\nHost: s\r\nX-Send: 1\r\n\r\nGET /header HTTP/1.1\r\nHost: s\r\nX-Send: 2\r\nConnection: close\r\n\r\n",
			[]string{"X-Got: 1\r\n", "X-Got: 2\r\n"}, nil},
		{"HTTP/1.0 keep-alive then close", "GET /header HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /header HTTP/1.0\r\n\r\n",
			[]string{"Connection: keep-alive\r\n", "Connection: close\r\n"}, nil},
		{"malformed", "NOT HTTP\r\n\r\n", []string{"HTTP/1.1 400 Bad Request\r\n"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sim.Test(t, func(ctx context.Context) {
				n, _, cli, ln, sctx := simServer(ctx, t, time.Millisecond)
				defer n.Close()
				_, stop := serve(sctx, ln)
				defer stop()
				got := rawExchange(cli.Context(ctx), t, "server:80", tc.raw)
				for _, s := range tc.contains {
					assert.Contains(t, got, s)
				}
				for _, s := range tc.absent {
					assert.NotContains(t, got, s)
				}
			})
		})
	}
}

func TestProduction_SameCodeOverLoopback(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		inner, err := netsim.Listen(ctx, "tcp", "127.0.0.1:0")
		require.NoError(t, err)
		ln := &countingListener{Listener: inner}
		served, stop := serve(ctx, ln)
		tr := &nethttp.Transport{}
		exchange(ctx, t, &http.Client{Transport: tr}, "http://"+ln.Addr().String())
		assert.LessOrEqual(t, ln.accepted.Load(), int32(2))

		tctx, cancel := clock.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(tctx, "GET", "http://"+ln.Addr().String()+"/slow", nil)
		_, err = (&http.Client{Transport: tr}).Do(req)
		assert.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)

		tr.CloseIdleConnections()
		stop()
		_, err = served.Join(ctx)
		return err
	}))
}
