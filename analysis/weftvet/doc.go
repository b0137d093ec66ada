// Package weftvet is a go/analysis analyzer that finds, in code written
// against weft, what a simulation cannot see: goroutines, the wall clock,
// global randomness, native channels and package sync's blocking types.
//
// It checks only packages that import github.com/weftsim/weft/runtime,
// clock or netsim (weft's own packages, which build the simulation on the
// real primitives, are skipped; its examples are checked), and reports:
//
//   - go statements (use runtime.Spawn);
//   - time.Now, Since, Until, Sleep, After, Tick, NewTicker, NewTimer and
//     AfterFunc (use package clock), and context.WithTimeout, WithDeadline
//     and their Cause variants (use clock.WithTimeout, clock.WithDeadline);
//   - the top-level functions of math/rand and math/rand/v2 that draw from
//     the global source (use runtime.Rand) and crypto/rand.Read (use
//     runtime.RandReader);
//   - native channel sends, receives (a receive from ctx.Done() included),
//     range loops over channels and select statements (use runtime.Chan
//     and runtime.Select);
//   - uses of sync.Mutex, RWMutex, WaitGroup and Cond, and sync.NewCond
//     (use runtime.Mutex, RWMutex, WaitGroup, Notify).
//
// Each message names the weft replacement. Mechanical rewrites come as
// suggested fixes: time.Now() becomes clock.Now(ctx), and time.Since,
// Until and Sleep get ctx as a first argument, when a context.Context
// variable is in scope; context.WithTimeout and WithDeadline become their
// clock twins. The clock import is added when missing.
//
// A "//weftvet:ignore reason" comment on the line of a construct, or on
// the line above it, keeps a deliberate use; one without a reason is
// reported itself.
//
// Command weftvet (github.com/weftsim/weft/cmd/weftvet) runs the analyzer
// standalone or as go vet's -vettool.
package weftvet
