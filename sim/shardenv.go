package sim

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// envJobIndex is the variable in which a Kubernetes Indexed Job gives each
// of its pods its index, 0..completions-1.
const envJobIndex = "JOB_COMPLETION_INDEX"

// parseShardIndexed reads -sim.shard: K/N, or N alone, in which case the
// shard is the job's: K-1 is the index in JOB_COMPLETION_INDEX. So one
// manifest (WEFT_SIM_SHARD=N) serves every pod of an Indexed Job. Its
// errors say what is wrong; the knob adds what it accepts.
func parseShardIndexed(v string, lookup lookupFunc) (shard, error) {
	if strings.Contains(v, "/") {
		return parseShard(v)
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 1 {
		return shard{}, errors.New("not a shard")
	}
	idx, _, ok := lookup("", envJobIndex)
	if !ok || idx == "" {
		return shard{}, fmt.Errorf("N alone names no shard: set %s to the shard's index 0..%d (a Kubernetes Indexed Job sets it), or give K/N", envJobIndex, n-1)
	}
	k, err := strconv.ParseUint(strings.TrimSpace(idx), 10, 64)
	if err != nil || k >= n {
		return shard{}, fmt.Errorf("%s=%q is not a shard index 0..%d", envJobIndex, idx, n-1)
	}
	return shard{k + 1, n}, nil
}
