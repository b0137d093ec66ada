//go:build race

package kernel

import (
	"runtime"
	"unsafe"
)

// RaceEnabled reports whether the binary was built with -race.
const RaceEnabled = true

// RaceAcquire, RaceRelease and RaceReleaseMerge create the program's own
// happens-before edges on addr for the race detector (S2a). They are
// runtime's functions of the same names in a race build and free otherwise.
func RaceAcquire(addr unsafe.Pointer) { runtime.RaceAcquire(addr) }

// RaceRelease: see RaceAcquire.
func RaceRelease(addr unsafe.Pointer) { runtime.RaceRelease(addr) }

// RaceReleaseMerge: see RaceAcquire.
func RaceReleaseMerge(addr unsafe.Pointer) { runtime.RaceReleaseMerge(addr) }

// RaceDisable and RaceEnable hide the calling goroutine's synchronisation
// events (not its memory accesses) from the race detector in between.
func RaceDisable() { runtime.RaceDisable() }

// RaceEnable: see RaceDisable.
func RaceEnable() { runtime.RaceEnable() }
