package sim

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/weftsim/weft/runtime"
)

func yielders(ctx context.Context) error {
	var wg runtime.WaitGroup
	for range 4 {
		wg.Go(ctx, func(ctx context.Context) {
			for range 10 {
				runtime.YieldNow(ctx)
			}
		})
	}
	return wg.Wait(ctx)
}

func TestRecordingCapDropsAnOverlongLog(t *testing.T) {
	capped := Run(yielders, WithSeed(1), recordingUpTo(3))
	assert.False(t, capped.recorded)
	assert.Nil(t, capped.Decisions)

	whole := Run(yielders, WithSeed(1), WithRecording())
	assert.True(t, whole.recorded)
	assert.Greater(t, len(whole.Decisions), 3)
	assert.Equal(t, capped.Hash, whole.Hash, "recording does not change the run")

	short := Run(yielders, WithSeed(1), recordingUpTo(1<<20))
	assert.True(t, short.recorded)
	assert.Equal(t, whole.Decisions, short.Decisions)
}
