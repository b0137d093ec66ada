package lincheck_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine outlives its tests
// (porcupine checks on goroutines of its own).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
