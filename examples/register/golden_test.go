package main

import (
	"testing"

	"github.com/weftsim/weft/internal/golden"
	"github.com/weftsim/weft/sim"
)

// TestGolden_EventLogs keeps the register's event logs for a few seeds,
// with and without the planted bug, under testdata/golden/register/ (see
// the lostupdate example's test of the same name).
func TestGolden_EventLogs(t *testing.T) {
	golden.CheckEventLogs(t, "register", []golden.Run{
		{Name: "bug-seed-1", Body: Scenario(true), Options: []sim.Option{sim.WithSeed(1), sim.AllowUnobservedPanics()}},
		{Name: "fixed-seed-1", Body: Scenario(false), Options: []sim.Option{sim.WithSeed(1), sim.AllowUnobservedPanics()}},
	})
}
