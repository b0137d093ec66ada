package runtime

import "github.com/weftsim/weft/internal/kernel"

// IsDrop reports whether v, a value returned by recover, is the unwinding
// of a task that is being dropped (by Abort, a shutdown, or a simulated
// host's crash) rather than a panic. Code that recovers panics should let
// a drop go on, for example:
//
//	defer func() {
//		if r := recover(); r != nil {
//			if runtime.IsDrop(r) {
//				panic(r) // the task is being dropped: keep unwinding
//			}
//			log.Print("recovered: ", r)
//		}
//	}()
//
// Swallowing a drop does not save the task: it is dropped again at its next
// yield point, and that time its goroutine exits (as with runtime.Goexit,
// which no recover stops); it ends with ErrCancelled either way.
func IsDrop(v any) bool { return kernel.IsDropSignal(v) }
