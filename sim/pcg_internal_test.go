package sim

import (
	"math/rand/v2"
	"testing"
)

// TestPCGMatchesMathRand checks that the simulation's generator draws what
// math/rand/v2's PCG and Rand.IntN draw for the same seed, so that a seed
// names the same schedule as before it was written out.
func TestPCGMatchesMathRand(t *testing.T) {
	bounds := []int{2, 3, 5, 7, 8, 10, 64, 100, 1000, 1<<31 - 1, 1 << 40, 3 << 61}
	for seed := uint64(0); seed < 50; seed++ {
		ours := newPCG(seed)
		theirs := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		for i := range 200 {
			if i%3 == 0 {
				if a, b := ours.Uint64(), theirs.Uint64(); a != b {
					t.Fatalf("seed %d draw %d: Uint64 %d, math/rand/v2 %d", seed, i, a, b)
				}
				continue
			}
			n := bounds[i%len(bounds)]
			if a, b := ours.IntN(n), theirs.IntN(n); a != b {
				t.Fatalf("seed %d draw %d: IntN(%d) %d, math/rand/v2 %d", seed, i, n, a, b)
			}
		}
	}
}
