//go:build !weftbroken

package sim

// broken names a deliberate defect for the property suite to catch; see
// broken_on.go. In a normal build it is the empty constant, and the
// compiler removes every defect.
const broken = ""
