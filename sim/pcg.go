package sim

import "math/bits"

// pcgState is a 128-bit PCG generator with the DXSM output function, and
// bounded draws by multiplication with rejection: the same sequence as
// math/rand/v2's PCG and Rand.IntN (pcg_internal_test.go checks it), so
// seeds mean what they always meant.
//
// It is written out here because the simulation draws from many
// goroutines, one at a time: a race build must not show the detector the
// generator's state (go:norace), and math/rand/v2's code is instrumented.
type pcgState struct{ hi, lo uint64 }

// The generator's multiplier and increment, 128 bits each as (hi, lo).
const (
	pcgMulHi = 2549297995355413924
	pcgMulLo = 4865540595714422341
	pcgIncHi = 6364136223846793005
	pcgIncLo = 1442695040888963407
)

// Uint64 steps the state (state = state*mul + inc, mod 2^128) and returns
// the DXSM output of the new state.
//
//go:norace
func (p *pcgState) Uint64() uint64 {
	hi, lo := bits.Mul64(p.lo, pcgMulLo)
	hi += p.hi*pcgMulLo + p.lo*pcgMulHi
	lo, c := bits.Add64(lo, pcgIncLo, 0)
	hi, _ = bits.Add64(hi, pcgIncHi, c)
	p.hi, p.lo = hi, lo

	hi ^= hi >> 32
	hi *= 0xda942042e4dd58b5
	hi ^= hi >> 48
	return hi * (lo | 1)
}

// uint64n returns a uniform draw in [0, n), n > 0: a power of two is
// masked; otherwise the high half of draw*n, rejecting the few low halves
// that would bias it.
//
//go:norace
func (p *pcgState) uint64n(n uint64) uint64 {
	if n&(n-1) == 0 {
		return p.Uint64() & (n - 1)
	}
	hi, lo := bits.Mul64(p.Uint64(), n)
	if lo < n {
		min := -n % n
		for lo < min {
			hi, lo = bits.Mul64(p.Uint64(), n)
		}
	}
	return hi
}
