package main

import (
	"context"
	"testing"

	"github.com/weftsim/weft/runtime"
	"github.com/weftsim/weft/sim"
)

func TestScratch(t *testing.T) {
	for k := 0; k <= 4; k++ {
		dep := func(ctx context.Context, a *Account, amount int) {
			for range k {
				runtime.YieldNow(ctx)
			}
			depositRacy(ctx, a, amount)
		}
		fails := 0
		first := 0
		for s := 1; s <= 1000; s++ {
			if sim.Run(bank(dep), options(uint64(s))...).Err != nil {
				fails++
				if first == 0 {
					first = s
				}
			}
		}
		t.Log("k", k, "fails", fails, "first", first)
	}
}
