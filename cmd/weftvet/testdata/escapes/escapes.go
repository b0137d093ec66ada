// Package escapes uses the wall clock in code written against weft: the
// command's test checks that weftvet reports it.
package escapes

import (
	"context"
	"time"

	"github.com/weftsim/weft/clock"
)

// Elapsed should be clock.Since(ctx, start).
func Elapsed(ctx context.Context) time.Duration {
	start := clock.Now(ctx)
	return time.Since(start)
}
