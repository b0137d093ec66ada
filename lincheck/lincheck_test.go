package lincheck_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/weftsim/weft/lincheck"
	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

// store is a key-value store; stale makes every read return what the
// store held before the last write (a planted bug).
type store struct {
	mu         runtime.Mutex
	data, prev map[string]string
	stale      bool
}

func (s *store) put(ctx context.Context, k, v string) error {
	if err := s.mu.Lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.prev[k], s.data[k] = s.data[k], v
	return nil
}

func (s *store) get(ctx context.Context, k string) (string, error) {
	if err := s.mu.Lock(ctx); err != nil {
		return "", err
	}
	defer s.mu.Unlock()
	if s.stale {
		return s.prev[k], nil
	}
	return s.data[k], nil
}

// clients runs three clients doing puts and gets on two keys, recording
// them in h.
func clients(ctx context.Context, s *store, h *lincheck.History) error {
	var set runtime.JoinSet[struct{}]
	for c := range 3 {
		set.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			r := runtime.Rand(ctx)
			for i := range 10 {
				key := fmt.Sprintf("k%d", r.IntN(2))
				if r.IntN(2) == 0 {
					v := fmt.Sprintf("c%d-%d", c, i)
					op := h.Call(ctx, c, lincheck.Put(key, v))
					if err := s.put(ctx, key, v); err != nil {
						return struct{}{}, err
					}
					op.Return(ctx, nil)
					continue
				}
				op := h.Call(ctx, c, lincheck.Get(key))
				v, err := s.get(ctx, key)
				if err != nil {
					return struct{}{}, err
				}
				op.Return(ctx, v)
			}
			return struct{}{}, nil
		})
	}
	for set.Len() > 0 {
		if _, err := set.JoinNext(ctx); err != nil {
			return err
		}
	}
	return nil
}

func scenario(stale bool) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		s := &store{data: map[string]string{}, prev: map[string]string{}, stale: stale}
		var h lincheck.History
		if err := clients(ctx, s, &h); err != nil {
			return err
		}
		return h.Check(ctx, lincheck.KV)
	}
}

func TestLinearizableStorePassesOnEverySeed(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		res := sim.Run(scenario(false), sim.WithSeed(seed))
		require.NoError(t, res.Err, "seed %d", seed)
	}
}

func TestStaleReadsAreNamedAndTheReportIsTheSeeds(t *testing.T) {
	res := sim.Run(scenario(true), sim.WithSeed(1))
	var e *lincheck.Error
	require.ErrorAs(t, res.Err, &e)
	require.NotEmpty(t, e.Stuck)
	for _, op := range e.Stuck {
		assert.Contains(t, op.Description, "get(", "the stale reads are the operations named")
	}
	assert.Contains(t, e.Error(), "none of these can take effect")
	again := sim.Run(scenario(true), sim.WithSeed(1))
	assert.Equal(t, res.Err.Error(), again.Err.Error())
	assert.Equal(t, res.Hash, again.Hash)
}

func TestSequentialStaleReadNamesTheRead(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		var h lincheck.History
		h.Call(ctx, 0, lincheck.Put("x", "1")).Return(ctx, nil)
		h.Call(ctx, 1, lincheck.Get("x")).Return(ctx, "")
		return h.Check(ctx, lincheck.KV)
	})
	var e *lincheck.Error
	require.ErrorAs(t, res.Err, &e)
	require.Len(t, e.Stuck, 1)
	assert.Equal(t, 1, e.Stuck[0].Index)
	assert.Equal(t, 1, e.Stuck[0].Client)
	assert.Equal(t, `get(x) -> ""`, e.Stuck[0].Description)
	require.Len(t, e.Linearized, 1)
	assert.Equal(t, `put(x, "1")`, e.Linearized[0].Description)
	assert.Equal(t, `"1"`, e.State)
}

func TestPendingOperationsMayTakeEffectAnyTimeOrNever(t *testing.T) {
	for _, tc := range []struct {
		name string
		read string
	}{
		{"taken effect", "1"},
		{"not yet", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := sim.Run(func(ctx context.Context) error {
				var h lincheck.History
				h.Call(ctx, 0, lincheck.Put("x", "1")) // its client crashed: no Return
				h.Call(ctx, 1, lincheck.Get("x")).Return(ctx, tc.read)
				h.Call(ctx, 2, lincheck.Get("x")) // pending reads constrain nothing
				return h.Check(ctx, lincheck.KV)
			})
			require.NoError(t, res.Err)
		})
	}
}

func TestRecordingFromParallelGoroutinesInProduction(t *testing.T) {
	rt := runtime.New()
	defer rt.Shutdown()
	err := rt.BlockOn(scenario(false))
	require.NoError(t, err)
}

// fatalTB records what Require does to a test.
type fatalTB struct {
	testing.TB
	name  string
	fatal string
}

func (f *fatalTB) Helper()                   {}
func (f *fatalTB) Name() string              { return f.name }
func (f *fatalTB) Logf(string, ...any)       {}
func (f *fatalTB) Fatal(args ...any)         { f.fatal = fmt.Sprint(args...) }
func (f *fatalTB) Fatalf(s string, a ...any) { f.fatal = fmt.Sprintf(s, a...) }

func TestRequireWritesTheVisualisationAndFails(t *testing.T) {
	dir := t.TempDir()
	tb := &fatalTB{name: t.Name()}
	res := sim.Run(func(ctx context.Context) error {
		s := &store{data: map[string]string{}, prev: map[string]string{}, stale: true}
		var h lincheck.History
		if err := clients(ctx, s, &h); err != nil {
			return err
		}
		h.Require(ctx, tb, lincheck.KV, dir)
		return nil
	}, sim.WithSeed(3))
	require.NoError(t, res.Err)
	file := filepath.Join(dir, "linearizability.html")
	assert.Contains(t, tb.fatal, "not linearizable")
	assert.Contains(t, tb.fatal, "visualisation: "+file)
	html, err := os.ReadFile(file)
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(html), "<html"), "an HTML page")
	assert.Contains(t, string(html), "get(k", "it shows the operations")
}

func TestRequirePassesQuietly(t *testing.T) {
	tb := &fatalTB{name: t.Name()}
	res := sim.Run(func(ctx context.Context) error {
		var h lincheck.History
		h.Call(ctx, 0, lincheck.Put("x", "1")).Return(ctx, nil)
		h.Require(ctx, tb, lincheck.KV, t.TempDir())
		return nil
	})
	require.NoError(t, res.Err)
	assert.Empty(t, tb.fatal)
}

func TestReturnTwicePanics(t *testing.T) {
	res := sim.Run(func(ctx context.Context) error {
		var h lincheck.History
		op := h.Call(ctx, 0, lincheck.Put("x", "1"))
		op.Return(ctx, nil)
		op.Return(ctx, nil)
		return nil
	})
	var pe *runtime.PanicError
	require.True(t, errors.As(res.Err, &pe), "%v", res.Err)
	assert.Contains(t, fmt.Sprint(pe.Value), "lincheck: operation 0 returned twice")
}
