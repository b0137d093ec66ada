//go:build !race

package kernel

import "unsafe"

// RaceEnabled reports whether the binary was built with -race.
const RaceEnabled = false

// RaceAcquire, RaceRelease and RaceReleaseMerge create the program's own
// happens-before edges on addr for the race detector (S2a). They are
// runtime's functions of the same names in a race build and free otherwise.
func RaceAcquire(addr unsafe.Pointer) {}

// RaceRelease: see RaceAcquire.
func RaceRelease(addr unsafe.Pointer) {}

// RaceReleaseMerge: see RaceAcquire.
func RaceReleaseMerge(addr unsafe.Pointer) {}

// RaceDisable and RaceEnable hide the calling goroutine's synchronisation
// events (not its memory accesses) from the race detector in between.
func RaceDisable() {}

// RaceEnable: see RaceDisable.
func RaceEnable() {}
