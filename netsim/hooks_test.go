package netsim_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/netsim"
	"github.com/weftsim/weft/sim"
)

func TestHostOfNamesTheHostOfAContext(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		h := n.AddHost("h1")
		assert.Nil(t, netsim.HostOf(ctx))
		assert.Same(t, h, netsim.HostOf(h.Context(ctx)))
		return nil
	})
	require.NoError(t, res.Err)
	assert.Nil(t, netsim.HostOf(context.Background()))
}

func TestOnCrashHooksRunAtEveryCrashInOrder(t *testing.T) {
	var calls []string
	res := sim.Run(func(ctx context.Context) error {
		n := netsim.New(ctx)
		defer n.Close()
		h, other := n.AddHost("h1"), n.AddHost("h2")
		h.OnCrash(func() { calls = append(calls, "first") })
		h.OnCrash(func() {
			assert.True(t, h.Down(), "the host is down when its hooks run")
			calls = append(calls, "second")
		})
		other.OnCrash(func() { calls = append(calls, "other") })
		h.Crash()
		h.Crash() // already down: no crash
		h.Restart()
		h.Crash()
		return nil
	})
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"first", "second", "first", "second"}, calls)
}
