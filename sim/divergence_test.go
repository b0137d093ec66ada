package sim_test

import (
	"context"
	crand "crypto/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/clock"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// electionTimeout is library code with a hidden source of randomness, as
// raft's election timeouts drawn from crypto/rand.
func electionTimeout(ctx context.Context) error {
	var b [1]byte
	crand.Read(b[:])
	return clock.Sleep(ctx, time.Duration(150+int(b[0])%150)*time.Millisecond)
}

func TestCheckDeterminism_NamesTheCallerOfAHiddenCryptoRand(t *testing.T) {
	tb := harness(t.TempDir(), "TestHidden", func(testing.TB) func(ctx context.Context) {
		return func(ctx context.Context) {
			var js runtime.JoinSet[struct{}]
			for range 3 {
				js.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
					return struct{}{}, electionTimeout(ctx)
				})
			}
			for js.Len() > 0 {
				js.JoinNext(ctx)
			}
		}
	}, sim.CheckDeterminism(), sim.WithSeed(1))
	require.True(t, tb.Failed(), "the check missed it")
	out := tb.output()
	assert.Contains(t, out, "is not deterministic")
	assert.Regexp(t, `first run, at that event: task \d+, (waiting|running):`, out)
	assert.Regexp(t, `second run, at that event: task \d+, (waiting|running):`, out)
	assert.Contains(t, out, "sim_test.electionTimeout", "the stack names the function that drew the bytes")
}
