package sim

import (
	"context"
	"time"
)

// ExploreSchedules runs body under every schedule with at most p
// preemptions (see Exhaustive), calling visit with each.
func ExploreSchedules(body func(context.Context) error, opts []Option, p int, visit func(Result, int) bool) (int, bool, error) {
	return exploreSchedules(body, opts, p, time.Time{}, visit)
}
