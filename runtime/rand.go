package runtime

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/weftsim/weft/internal/kernel"
	"github.com/weftsim/weft/internal/prod"
)

// Rand returns a source of randomness for application code that belongs to
// the runtime serving ctx. In a simulation every draw is one of the run's
// decisions: seeded, recorded in replay files, and driven (and shrunk) by
// rapid or a fuzzer like the scheduling itself. In production it draws from
// the global source. Use it from the task that owns ctx; in production the
// returned value is safe for concurrent use.
func Rand(ctx context.Context) *rand.Rand {
	return rand.New(execSource{executor(ctx)})
}

// Buggify reports, with probability p, that the caller should take a rare
// path (fail a write, delay a reply, drop a cache entry): FoundationDB's
// fault injection. In a simulation the outcome is a recorded decision, so
// exploring seeds explores the faults; in production it is always false.
func Buggify(ctx context.Context, p float64) bool {
	ex := executor(ctx)
	if !ex.Virtual() || p <= 0 {
		return false
	}
	if p >= 1 {
		return true
	}
	return ex.RandUint64() < uint64(p*math.MaxUint64)
}

func executor(ctx context.Context) kernel.Executor {
	if cur := kernel.FromContext(ctx); cur != nil {
		return cur.Executor()
	}
	return prod.Plain
}

type execSource struct{ ex kernel.Executor }

func (s execSource) Uint64() uint64 { return s.ex.RandUint64() }
