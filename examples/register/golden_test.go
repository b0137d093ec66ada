package main

import (
	"fmt"
	"testing"

	"github.com/weftsim/weft/internal/golden"
	"github.com/weftsim/weft/sim"
)

// TestGolden_EventLogs keeps the register's event logs for a few seeds,
// with and without the planted bug, under testdata/golden/register/ (see
// the lostupdate example's test of the same name).
func TestGolden_EventLogs(t *testing.T) {
	tests := []struct {
		name string
		bug  bool
		seed uint64
	}{
		{"bug-seed-1", true, 1},
		{"fixed-seed-1", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := sim.Run(Scenario(tt.bug), sim.WithSeed(tt.seed), sim.AllowUnobservedPanics(), sim.WithTrace(sim.TestTraceSize))
			golden.Check(t, fmt.Sprintf("register/%s.txt", tt.name), golden.EventLog(res))
		})
	}
}
