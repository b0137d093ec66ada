package main

import (
	"context"
	"net/http"
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

func TestHTTPKV_SurvivesSwarmFaultsOver300Seeds(t *testing.T) {
	var stats Stats
	for seed := uint64(1); seed <= 300; seed++ {
		res := sim.Run(scenario(false, &stats), sim.WithSeed(seed))
		require.NoError(t, res.Err, "seed %d", seed)
	}
	assert.Greater(t, stats.Retried, 300, "the faults made the client retry")
	assert.Greater(t, stats.Acked, 300*30/2, "most writes got through")
	t.Logf("%d writes acknowledged, %d attempts retried", stats.Acked, stats.Retried)
}

func TestHTTPKV_IsDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		sim.Test(t, func(ctx context.Context) {
			require.NoError(t, Scenario(false)(ctx))
		}, sim.WithSeed(seed), sim.CheckDeterminism())
	}
}

func TestHTTPKV_PlantedBugIsFoundAndReplaysBySeed(t *testing.T) {
	var failing sim.Result
	for seed := uint64(1); seed <= 300 && failing.Err == nil; seed++ {
		failing = sim.Run(Scenario(true), sim.WithSeed(seed))
	}
	var stale *StaleReadError
	require.ErrorAs(t, failing.Err, &stale, "a stale write within 300 seeds")
	again := sim.Run(Scenario(true), sim.WithSeed(failing.Seed))
	assert.Equal(t, failing.Hash, again.Hash)
	assert.Equal(t, failing.Err.Error(), again.Err.Error())
	t.Logf("found at seed %d: %v", failing.Seed, failing.Err)
}

func TestHTTPKV_RateLimitAnswers429AndClientsWaitRetryAfter(t *testing.T) {
	sim.Test(t, func(ctx context.Context) {
		n := netsim.New(ctx)
		defer n.Close()
		srv := n.AddHost("kv")
		sctx, stop := context.WithCancel(srv.Context(ctx))
		defer stop()
		ln, err := netsim.Listen(sctx, "tcp", ":8080")
		require.NoError(t, err)
		runtime.Spawn(sctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, nethttp.Serve(ctx, ln, Handler(NewStore(), 1, 3))
		})
		cctx := n.AddHost("client").Context(ctx)
		tr := &nethttp.Transport{}
		defer tr.CloseIdleConnections()
		var js runtime.JoinSet[int]
		for i := range 6 {
			js.Spawn(cctx, func(ctx context.Context) (int, error) {
				c := &Client{Base: "http://kv:8080", HTTP: &http.Client{Transport: tr}, Attempts: 10, Timeout: time.Second}
				err := c.Put(ctx, "k", "v", i+1)
				return c.Retried, err
			})
		}
		retried := 0
		for js.Len() > 0 {
			r, err := js.JoinNext(ctx)
			require.NoError(t, err)
			retried += r
		}
		assert.GreaterOrEqual(t, retried, 3, "three requests over the burst were told to wait")
		assert.GreaterOrEqual(t, clock.Since(ctx, clock.Epoch), 3*time.Second, "one token a second")
	})
}

func TestHTTPKV_ProductionOverLoopback(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		acked, err := Production(ctx, 30)
		assert.Equal(t, 30, acked)
		return err
	}))
}
