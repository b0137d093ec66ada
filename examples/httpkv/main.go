// Command httpkv is a key-value store served over HTTP with net/http's
// handler types, and a client that retries: the same code runs under weft's
// simulation, with swarm faults (partitions, crashes, loss, latency), and in
// production over loopback.
//
// The server rate-limits with a token bucket on the runtime's clock and
// answers 429 Too Many Requests with Retry-After; the client retries
// failures and 429s with capped, jittered exponential backoff, each attempt
// under a clock.WithTimeout deadline. Writes carry the client's sequence
// number and the server keeps only newer ones, so a retried or delayed
// request never undoes a later write: the check is that a read never
// returns a value older than the last acknowledged write. With -bug the
// server applies every write it receives, and the simulator finds a seed
// where a write delayed in the network lands after a newer one.
//
//	go run ./examples/httpkv              # 200 seeds under swarm faults
//	go run ./examples/httpkv -bug         # finds the stale write, replays it
//	go run ./examples/httpkv -prod        # the same code over 127.0.0.1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/nethttp"
	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// entry is a stored value and the sequence number of the write that set it.
type entry struct {
	seq   int
	value string
}

// Store is the server's state. It is durable: it outlives a crash of the
// host that serves it.
type Store struct {
	mu   runtime.Mutex
	data map[string]entry
	// Stale, the planted bug, applies every write, however old.
	Stale bool
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{data: map[string]entry{}} }

// bucket is a token bucket on the runtime's clock: rate tokens a second,
// at most burst kept.
type bucket struct {
	mu     runtime.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

// take reports whether a request may proceed now.
func (b *bucket) take(ctx context.Context) (bool, error) {
	if err := b.mu.Lock(ctx); err != nil {
		return false, err
	}
	defer b.mu.Unlock()
	now := clock.Now(ctx)
	if !b.last.IsZero() {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false, nil
	}
	b.tokens--
	return true, nil
}

// Handler serves GET and PUT /kv/{key}, at most rate requests a second
// after a burst.
func Handler(st *Store, rate, burst float64) http.Handler {
	limit := &bucket{rate: rate, burst: burst, tokens: burst}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		if err := st.mu.Lock(r.Context()); err != nil {
			return // the request ended
		}
		e, ok := st.data[r.PathValue("key")]
		st.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Seq", strconv.Itoa(e.seq))
		io.WriteString(w, e.value)
	})
	mux.HandleFunc("PUT /kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		seq, err := strconv.Atoi(r.Header.Get("X-Seq"))
		if err != nil {
			http.Error(w, "PUT needs an X-Seq header with a number", http.StatusBadRequest)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		if err := st.mu.Lock(r.Context()); err != nil {
			return
		}
		key := r.PathValue("key")
		if cur, ok := st.data[key]; st.Stale || !ok || seq > cur.seq {
			st.data[key] = entry{seq: seq, value: string(body)}
		}
		st.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, err := limit.take(r.Context())
		if err != nil {
			return
		}
		if !ok {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// Server serves st on addr until ctx ends.
func Server(st *Store, addr string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		ln, err := netsim.Listen(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return nethttp.Serve(ctx, ln, Handler(st, 20, 5))
	}
}

// Client calls the store at Base, retrying.
type Client struct {
	Base     string // "http://host:port"
	HTTP     *http.Client
	Attempts int           // per call
	Timeout  time.Duration // per attempt
	Retried  int           // attempts that failed and were retried
}

var errGaveUp = errors.New("httpkv: gave up after retries")

// do runs one call: attempts of req (made afresh by mk) until one gets a
// response that is not a 429 or a 5xx, with backoff between them.
func (c *Client) do(ctx context.Context, mk func(ctx context.Context) (*http.Request, error)) (*http.Response, []byte, error) {
	backoff := 20 * time.Millisecond
	for attempt := 1; ; attempt++ {
		resp, body, err := c.attempt(ctx, mk)
		if err == nil && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
			return resp, body, nil
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if attempt == c.Attempts {
			return nil, nil, errGaveUp
		}
		c.Retried++
		wait := backoff + time.Duration(runtime.Rand(ctx).Int64N(int64(backoff)))
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil {
				wait = max(wait, time.Duration(s)*time.Second)
			}
		}
		if err := clock.Sleep(ctx, wait); err != nil {
			return nil, nil, err
		}
		backoff = min(2*backoff, time.Second)
	}
}

// attempt is one try, under its own deadline.
func (c *Client) attempt(ctx context.Context, mk func(ctx context.Context) (*http.Request, error)) (*http.Response, []byte, error) {
	actx, cancel := clock.WithTimeout(ctx, c.Timeout)
	defer cancel()
	req, err := mk(actx)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// Put stores value under key with sequence number seq.
func (c *Client) Put(ctx context.Context, key, value string, seq int) error {
	_, _, err := c.do(ctx, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.Base+"/kv/"+key, strings.NewReader(value))
		if err == nil {
			req.Header.Set("X-Seq", strconv.Itoa(seq))
		}
		return req, err
	})
	return err
}

// Get returns the value under key and its sequence number (0: none).
func (c *Client) Get(ctx context.Context, key string) (string, int, error) {
	resp, body, err := c.do(ctx, func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, c.Base+"/kv/"+key, nil)
	})
	if err != nil {
		return "", 0, err
	}
	if resp.StatusCode == http.StatusNotFound {
		return "", 0, nil
	}
	seq, _ := strconv.Atoi(resp.Header.Get("X-Seq"))
	return string(body), seq, nil
}

// StaleReadError is the failure the check looks for.
type StaleReadError struct{ Got, Acked int }

func (e *StaleReadError) Error() string {
	return fmt.Sprintf("stale read: write %d after write %d was acknowledged", e.Got, e.Acked)
}

// Workload writes n values in turn and reads after each write; a read
// older than the last acknowledged write fails it. Calls that give up
// (the store unavailable) are allowed.
func Workload(ctx context.Context, c *Client, n int) (acked int, err error) {
	for seq := 1; seq <= n; seq++ {
		if err := c.Put(ctx, "x", "value-"+strconv.Itoa(seq), seq); err == nil {
			acked = seq
		} else if !errors.Is(err, errGaveUp) {
			return acked, err
		}
		_, got, err := c.Get(ctx, "x")
		if errors.Is(err, errGaveUp) {
			continue
		}
		if err != nil {
			return acked, err
		}
		if got < acked {
			return acked, &StaleReadError{Got: got, Acked: acked}
		}
	}
	return acked, nil
}

// Stats are what a scenario's client saw.
type Stats struct {
	Acked   int // writes acknowledged
	Retried int // attempts retried
}

// Scenario runs the store on a simulated host under swarm faults and the
// workload from another host.
func Scenario(bug bool) func(ctx context.Context) error { return scenario(bug, nil) }

func scenario(bug bool, stats *Stats) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		st := NewStore()
		st.Stale = bug
		srv := n.AddHost("kv")
		srv.Start(ctx, Server(st, ":8080"))
		cli := n.AddHost("client")
		n.Swarm(ctx, srv, cli)
		tr := &nethttp.Transport{}
		defer tr.CloseIdleConnections()
		c := &Client{Base: "http://kv:8080", HTTP: &http.Client{Transport: tr}, Attempts: 6, Timeout: 500 * time.Millisecond}
		acked, err := Workload(cli.Context(ctx), c, 30)
		if stats != nil {
			stats.Acked += acked
			stats.Retried += c.Retried
		}
		return err
	}
}

// Production runs the same server and workload over 127.0.0.1 on the
// runtime of ctx.
func Production(ctx context.Context, n int) (acked int, err error) {
	ln, err := netsim.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	served := runtime.Spawn(sctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, nethttp.Serve(ctx, ln, Handler(NewStore(), 1000, 100))
	})
	tr := &nethttp.Transport{}
	defer tr.CloseIdleConnections()
	c := &Client{Base: "http://" + ln.Addr().String(), HTTP: &http.Client{Transport: tr}, Attempts: 3, Timeout: 2 * time.Second}
	acked, err = Workload(ctx, c, n)
	stop()
	if _, serr := served.Join(ctx); err == nil {
		err = serr
	}
	return acked, err
}

func main() {
	bug := flag.Bool("bug", false, "apply every write, however old (the planted bug)")
	seeds := flag.Int("seeds", 200, "seeds to explore")
	prod := flag.Bool("prod", false, "run once in production over 127.0.0.1")
	flag.Parse()
	if *prod {
		rt := runtime.New()
		defer rt.Shutdown()
		err := rt.BlockOn(func(ctx context.Context) error {
			acked, err := Production(ctx, 30)
			fmt.Printf("production: %d writes acknowledged, err %v\n", acked, err)
			return err
		})
		if err != nil {
			os.Exit(1)
		}
		return
	}
	for seed := uint64(1); seed <= uint64(*seeds); seed++ {
		res := sim.Run(Scenario(*bug), sim.WithSeed(seed))
		if res.Err != nil {
			fmt.Printf("seed %d: %v (+%v virtual, hash %#x)\n", seed, res.Err, res.Elapsed, res.Hash)
			again := sim.Run(Scenario(*bug), sim.WithSeed(seed))
			fmt.Printf("replayed: hash %#x, same: %v\n", again.Hash, again.Hash == res.Hash)
			os.Exit(1)
		}
	}
	fmt.Printf("%d seeds passed\n", *seeds)
}
