package sim

import (
	"fmt"
	"iter"
	"strconv"
	"strings"
)

// seedRange is an inclusive range of seeds.
type seedRange struct{ lo, hi uint64 }

// parseSeedSpec reads "A", "A-B" and comma-separated lists of them.
func parseSeedSpec(spec string) ([]seedRange, error) {
	var out []seedRange
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(strings.TrimSpace(lo), 0, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a seed", part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(strings.TrimSpace(hi), 0, 64); err != nil || b < a {
				return nil, fmt.Errorf("%q is not a range A-B with A <= B", part)
			}
		}
		out = append(out, seedRange{a, b})
	}
	return out, nil
}

// shard selects the seeds s with s mod N == K-1: shards 1..N of a seed set
// are disjoint and together cover it exactly once.
type shard struct{ k, n uint64 }

func parseShard(v string) (shard, error) {
	ks, ns, ok := strings.Cut(v, "/")
	k, err1 := strconv.ParseUint(strings.TrimSpace(ks), 10, 64)
	n, err2 := strconv.ParseUint(strings.TrimSpace(ns), 10, 64)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return shard{}, fmt.Errorf("not a shard")
	}
	return shard{k, n}, nil
}

func (s shard) has(seed uint64) bool { return s.n <= 1 || seed%s.n == s.k-1 }

// seedsOf yields the seeds of the ranges (in order, once each even where
// ranges overlap) that belong to the shard.
func seedsOf(ranges []seedRange, sh shard) iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		var done []seedRange
		for _, r := range ranges {
			for s := r.lo; ; s++ {
				if sh.has(s) && !inAny(done, s) && !yield(s) {
					return
				}
				if s == r.hi {
					break
				}
			}
			done = append(done, r)
		}
	}
}

func inAny(rs []seedRange, s uint64) bool {
	for _, r := range rs {
		if r.lo <= s && s <= r.hi {
			return true
		}
	}
	return false
}
