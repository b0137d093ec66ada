//go:debug randseednop=0

package runtime_test

import (
	"context"
	crand "crypto/rand"
	"fmt"
	mrand "math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// readBytes reads 37 bytes (not a multiple of a draw) from RandReader in a
// simulated run.
func readBytes(t *testing.T, opts ...sim.Option) ([]byte, sim.Result) {
	var got []byte
	res := sim.Run(func(ctx context.Context) error {
		r := runtime.RandReader(ctx)
		a := make([]byte, 5)
		b := make([]byte, 32)
		if _, err := r.Read(a); err != nil {
			return err
		}
		if _, err := r.Read(b); err != nil {
			return err
		}
		got = append(a, b...)
		return nil
	}, opts...)
	require.NoError(t, res.Err)
	return got, res
}

func TestRandReader_SameSeedSameBytesOtherSeedsDiffer(t *testing.T) {
	a, ra := readBytes(t, sim.WithSeed(1))
	b, rb := readBytes(t, sim.WithSeed(1))
	c, _ := readBytes(t, sim.WithSeed(2))
	require.Len(t, a, 37)
	assert.Equal(t, a, b)
	assert.Equal(t, ra.Hash, rb.Hash)
	assert.NotEqual(t, a, c)
}

func TestRandReader_BytesAreKeptInReplays(t *testing.T) {
	want, rec := readBytes(t, sim.WithSeed(7), sim.WithRecording())
	// The recording, not the seed, supplies the bytes.
	got, _ := readBytes(t, append(rec.Replay("x").Options(), sim.WithSeed(8))...)
	assert.Equal(t, want, got)
}

func TestRandReader_ProductionIsCryptoRand(t *testing.T) {
	assert.True(t, crand.Reader == runtime.RandReader(context.Background()))
	rt := runtime.New()
	defer rt.Shutdown()
	require.NoError(t, rt.BlockOn(func(ctx context.Context) error {
		assert.True(t, crand.Reader == runtime.RandReader(ctx))
		return nil
	}))
}

// library stands for third-party code that draws from the process-wide
// sources itself.
func library() string {
	var b [8]byte
	crand.Read(b[:])
	return fmt.Sprintf("%x/%d", b, mrand.Int63())
}

// withSeededGlobals is the documented recipe: for the length of one run,
// crypto/rand.Reader is a RandReader and math/rand's global source is
// seeded from the run (this file's //go:debug randseednop=0 makes Seed
// work). The runs of such a test go one at a time.
func withSeededGlobals(f func(ctx context.Context) error) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		saved := crand.Reader
		crand.Reader = runtime.RandReader(ctx)
		defer func() { crand.Reader = saved }()
		mrand.Seed(int64(runtime.Rand(ctx).Uint64()))
		return f(ctx)
	}
}

func TestRandReader_RecipeMakesGlobalRandomnessFollowTheSeed(t *testing.T) {
	run := func(seed uint64) string {
		var out string
		res := sim.Run(withSeededGlobals(func(ctx context.Context) error {
			out = library()
			return nil
		}), sim.WithSeed(seed))
		require.NoError(t, res.Err)
		return out
	}
	assert.Equal(t, run(3), run(3))
	assert.NotEqual(t, run(3), run(4))
	assert.NotEqual(t, library(), library(), "restored afterwards: crypto-random again")
}
