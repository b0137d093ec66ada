package sim_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine outlives the tests: every
// simulation, including failed and abandoned ones, must release its
// coroutines.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
