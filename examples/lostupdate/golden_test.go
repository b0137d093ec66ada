package main

import (
	"testing"

	"github.com/weftsim/weft/internal/golden"
)

// TestGolden_EventLogs keeps the demonstration's event logs for a few
// seeds (the first failing one of the racy deposit, and passing ones)
// under testdata/golden/lostupdate/: a change of scheduling or of the
// event format shows up as a diff (regenerate: scripts/update-golden.sh).
func TestGolden_EventLogs(t *testing.T) {
	golden.CheckEventLogs(t, "lostupdate", []golden.Run{
		{Name: "racy-seed-5", Body: bank(depositRacy), Options: options(5)},
		{Name: "racy-seed-1", Body: bank(depositRacy), Options: options(1)},
		{Name: "fixed-seed-5", Body: bank(depositFixed), Options: options(5)},
	})
}
