package kernel

// Goroutine identifies the calling goroutine: two goroutines alive at the
// same time never share a value, and a goroutine keeps its value for its
// whole life (a value may be reused once its goroutine has ended). It is
// not Go's goroutine ID. A simulation compares it with the goroutine of
// the running task to catch a goroutine that is none of its tasks (S64).
//
// On amd64 and arm64 it is the address of the runtime's goroutine record,
// read in a few instructions; elsewhere it parses the goroutine's ID out of
// runtime.Stack, which costs about a microsecond.
func Goroutine() uintptr { return goroutine() }
