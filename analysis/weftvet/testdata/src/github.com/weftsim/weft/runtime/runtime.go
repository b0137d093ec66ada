// Package runtime is a stub of weft's runtime for the analyzer's tests.
package runtime

import "context"

func YieldNow(ctx context.Context) {}
