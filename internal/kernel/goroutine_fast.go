//go:build (amd64 || arm64) && gc

package kernel

// getg returns the runtime's record of the calling goroutine (goroutine_*.s).
//
//go:noescape
func getg() uintptr

func goroutine() uintptr { return getg() }
