package runtime_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine outlives its tests: every
// runtime, simulated or production, must leave nothing behind (STYLE 7).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
