package main

import (
	"fmt"
	"testing"

	"github.com/weftsim/weft/internal/golden"
	"github.com/weftsim/weft/sim"
)

// TestGolden_EventLogs keeps the demonstration's event logs for a few
// seeds (the first failing one of the racy deposit, and passing ones)
// under testdata/golden/lostupdate/: a change of scheduling or of the
// event format shows up as a diff (regenerate: scripts/update-golden.sh).
func TestGolden_EventLogs(t *testing.T) {
	tests := []struct {
		name    string
		deposit Deposit
		seed    uint64
	}{
		{"racy-seed-5", depositRacy, 5},
		{"racy-seed-1", depositRacy, 1},
		{"fixed-seed-5", depositFixed, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := sim.Run(bank(tt.deposit), append(options(tt.seed), sim.WithTrace(sim.TestTraceSize))...)
			golden.Check(t, fmt.Sprintf("lostupdate/%s.txt", tt.name), golden.EventLog(res))
		})
	}
}
