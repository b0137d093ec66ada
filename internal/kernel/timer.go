package kernel

import "time"

// Timer is a one-shot callback at an instant of the executor's clock: the
// hook through which package clock (and netsim's delays) reach virtual time.
type Timer struct {
	When time.Time
	Fire func()

	// Executor-private.
	Index int         // heap position in a simulation, -1 when not pending
	Tie   uint64      // seeded tie-breaker for equal deadlines (S6)
	Real  *time.Timer // production
}
