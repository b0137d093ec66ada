// Package clock is a stub of weft's clock for the analyzer's tests.
package clock

import (
	"context"
	"time"
)

func Now(ctx context.Context) time.Time                    { return time.Time{} }
func Since(ctx context.Context, t time.Time) time.Duration { return 0 }
func Until(ctx context.Context, t time.Time) time.Duration { return 0 }
func Sleep(ctx context.Context, d time.Duration) error     { return nil }
func WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return ctx, func() {}
}
func WithDeadline(ctx context.Context, d time.Time) (context.Context, context.CancelFunc) {
	return ctx, func() {}
}
